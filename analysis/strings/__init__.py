"""Every fixed string a reader sees, one table per language (its digest area and its Slack area), the one plural rule.

`t(language, key, **values)` formats the string `key` (English when the language or key is unknown there);
when the count (`n`, else `total`) is 1 and the language has a `key_one` form, that form is used.
"""

from __future__ import annotations

from analysis.strings import en, en_slack, zh, zh_slack

AREAS: dict[str, tuple[dict[str, str], ...]] = {
    "en": (en.STRINGS, en_slack.STRINGS),
    "zh": (zh.STRINGS, zh_slack.STRINGS),
}
TABLES: dict[str, dict[str, str]] = {
    lang: {k: v for area in areas for k, v in area.items()} for lang, areas in AREAS.items()
}
LANGUAGES = tuple(TABLES)


def plural(n: int, one: str, many: str) -> str:
    """`one` when `n` is 1, else `many`: the single plural rule of every language here."""
    return one if n == 1 else many


def t(language: str, key: str, /, **values: object) -> str:
    """The string `key` in `language` (English when unknown), formatted with `values`; `key_one` when the count is 1."""
    table = TABLES.get(language, TABLES["en"])
    count = values.get("n", values.get("total"))
    if f"{key}_one" in table and isinstance(count, int):
        key = plural(count, f"{key}_one", key)
    return table[key].format(**values)


def status_word(language: str, status: object) -> str:
    """A run or delivery status (posted, failed, ok, error…) in `language`; an unknown one as it is."""
    return TABLES.get(language, TABLES["en"]).get(f"status_{str(status)}", str(status))

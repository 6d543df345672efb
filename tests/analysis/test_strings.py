"""The string tables: one per language, the same keys in each, one plural rule."""

from __future__ import annotations

import string

from analysis.strings import AREAS, TABLES, plural, status_word, t


def test_every_language_has_every_string():
    en = {k for k in TABLES["en"] if not k.endswith("_one")}
    for language, table in TABLES.items():
        assert en - set(table) == set(), language
        assert {k for k in table if not k.endswith("_one")} - en == set(), language
        assert {k.removesuffix("_one") for k in table if k.endswith("_one")} <= set(table), language


def test_each_key_is_in_one_area_of_its_language():
    for language, areas in AREAS.items():
        assert sum(len(area) for area in areas) == len(TABLES[language]), language


def test_every_string_formats():
    names = string.Formatter()
    for table in TABLES.values():
        for key, text in table.items():
            assert all(field is None or field.isidentifier() for _, field, _, _ in names.parse(text)), key


def test_one_plural_rule():
    assert plural(1, "commit", "commits") == "commit"
    assert [plural(n, "commit", "commits") for n in (0, 2, 11)] == ["commits"] * 3
    assert t("en", "repos", n=1, names="o/r") == "1 repository: o/r"
    assert t("en", "repos", n=2, names="o/r, o/s") == "2 repositories: o/r, o/s"
    assert t("en", "stats_line", total=1, high=1, medium=0, low=0).startswith("In total 1 commit |")
    assert t("zh", "commits", n=1) == "1 个提交" and t("fr", "commits", n=3) == "3 commits"


def test_status_words():
    assert status_word("zh", "posted") == "已发送" and status_word("en", "posted") == "posted"
    assert status_word("zh", "unheard-of") == "unheard-of"

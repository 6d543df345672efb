"""The overview without a model: themes by shared area, attention from the scorer's signals."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from fnmatch import fnmatch

from analysis.facts import clip, plain
from analysis.heuristic import clean_title
from analysis.importance import score
from analysis.interfaces import quote
from analysis.models import Commit, DigestEntry, Importance
from analysis.overview.overview_types import (
    HEADLINE_CHARS,
    MAX_ATTENTION,
    MAX_THEMES,
    TEXT_CHARS,
    TITLE_CHARS,
    AttentionItem,
    Overview,
    Theme,
)
from analysis.report.interfaces import breaking_changes
from analysis.scoring_rules import DEFAULT_RULES, classify_path
from analysis.strings import t

PATH_DEPTH = 3  # directory levels below the day's common root an area is named by
MAX_DIRS = 12
TITLES_SHOWN = 3  # commit titles quoted in one theme or attention text

# The scorer's signals (analysis/importance.py) that need attention, by attention kind.
_SIGNAL_KINDS = {
    "reason_breaking": "breaking",
    "reason_security": "security",
    "reason_deprecates": "deprecate",
}

_SCOPE_RE = re.compile(r"^\s*(?:\[[^\]]{1,40}\]\s*)*[A-Za-z]+\((?P<scope>[^)]{1,40})\)!?:")
_TAG_RE = re.compile(r"\[([^\]]{1,40})\]")
_LEADING_TAGS_RE = re.compile(r"^\s*((?:\[[^\]]{1,40}\]\s*)+)")
_REVERT_RE = re.compile(r'^\s*Revert\b\s*"?')
_TYPE_TAGS = set(DEFAULT_RULES.tags) | {"auto sync", "wip", "minor", "misc", "release"}
_MANIFESTS = (
    "pyproject.toml", "setup.py", "setup.cfg", "requirements*.txt", "package.json", "Cargo.toml", "go.mod",
    "environment*.yml", "Pipfile", "Gemfile", "*.gemspec", "build.gradle*", "pom.xml", "constraints*.txt",
)  # fmt: skip
_API_CONFIG_DIRS = {"api", "apis", "config", "configs", "settings", "entrypoints", "openai_api", "protocol"}
_API_CONFIG_NAMES = ("*config*.py", "*settings*.py", "envs.py", "environ*.py", "*.proto", "openapi*", ".env*")
_ATTENTION_ORDER = ("breaking", "interfaces", "security", "revert", "deps", "deprecate", "api")
CHANGES_SHOWN = 3  # computed interface changes quoted in the attention item


def title_area(title: str) -> str | None:
    """The area a title names: a conventional-commit scope, else the first [Tag] that is not a change type."""
    if m := _SCOPE_RE.match(title):
        scope = re.split(r"[,/ ]", m.group("scope").strip())[0]
        if scope:
            return scope
    if m := _LEADING_TAGS_RE.match(title):
        for tag in _TAG_RE.findall(m.group(1)):
            if tag.strip() and tag.strip().lower() not in _TYPE_TAGS:
                return tag.strip()
    return None


def home_dir(commit: Commit) -> tuple[str, ...]:
    """The deepest directory holding all of a commit's source files (all its files when it has none)."""
    paths = [f.path for f in commit.files if classify_path(f.path) == "source"] or [
        f.path for f in commit.files
    ]
    dirs = [tuple(p.strip("/").split("/")[:-1]) for p in paths]
    if not dirs:
        return ()
    common: list[str] = []
    for parts in zip(*dirs, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return tuple(common[:MAX_DIRS])


def _common(homes: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The directories every one of `homes` lies in (e.g. `python/pkg` when all code lives there)."""
    root: list[str] = []
    for parts in zip(*homes, strict=False):
        if len(set(parts)) != 1:
            break
        root.append(parts[0])
    return tuple(root)


def areas(entries: list[DigestEntry]) -> dict[str, list[DigestEntry]]:
    """The day's commits grouped by area (title scope or tag, else shared path prefix), by label."""
    groups: dict[str, list[DigestEntry]] = defaultdict(list)
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    by_path: list[tuple[DigestEntry, tuple[str, ...]]] = []
    for e in entries:
        area = title_area(e.commit.title)
        if area:
            groups["t:" + area.lower()].append(e)
            labels["t:" + area.lower()][area] += 1
        else:
            by_path.append((e, home_dir(e.commit)))
    left = by_path
    homes = [home for _, home in by_path if home]
    root = len(_common(homes)) if len(homes) > 1 else 0
    for depth in range(root + PATH_DEPTH, root, -1):
        counts = Counter(home[:depth] for _, home in left if len(home) >= depth)
        rest = []
        for e, home in left:
            key = home[:depth]
            if len(home) >= depth and counts[key] >= 2:
                label = "/".join(key) + "/"
                groups["p:" + label].append(e)
                labels["p:" + label][label] += 1
            else:
                rest.append((e, home))
        left = rest
    for e, home in left:  # no shared area: its own directory, else its change type
        label = "/".join(home[: root + PATH_DEPTH]) + "/" if home else _change_type(e)
        groups["p:" + label.lower()].append(e)
        labels["p:" + label.lower()][label] += 1
    return {labels[k].most_common(1)[0][0]: v for k, v in groups.items()}


def _change_type(entry: DigestEntry) -> str:
    card = entry.analysis.card
    return plain(card.change_type) if card and plain(card.change_type) else score(entry.commit).change_type


def _titles(entries: list[DigestEntry], language: str) -> str:
    shown = [clean_title(plain(e.commit.title)) for e in entries[:TITLES_SHOWN]]
    text = t(language, "sep").join(clip(s, 120) for s in shown)
    if len(entries) > TITLES_SHOWN:
        text += t(language, "sep") + t(language, "ov_more", n=len(entries) - TITLES_SHOWN)
    return text


def _rank(entries: list[DigestEntry]) -> tuple[int, int]:
    return max(e.analysis.importance.rank for e in entries), len(entries)


def _ordered(entries: list[DigestEntry]) -> list[DigestEntry]:
    return sorted(entries, key=lambda e: -e.analysis.importance.rank)


def themes(entries: list[DigestEntry], language: str) -> list[Theme]:
    """Two to five themes: shared areas first, then the most important single commits; leftovers stay out."""
    groups = sorted(areas(entries).items(), key=lambda kv: _rank(kv[1]), reverse=True)
    shared = [(label, es) for label, es in groups if len(es) >= 2]
    single = [(label, es) for label, es in groups if len(es) == 1]
    single.sort(key=lambda kv: -kv[1][0].analysis.importance.rank)
    chosen = shared[:MAX_THEMES]
    for label, es in single:
        if len(chosen) >= 2:
            break
        chosen.append((label, es))
    out = []
    for label, es in chosen:
        es = _ordered(es)
        key = "ov_theme_text" if len(es) > 1 else "ov_theme_text_one"
        text = t(language, key, n=len(es), titles=_titles(es, language))
        out.append(
            Theme(
                title=clip(plain(label), TITLE_CHARS),
                text=clip(text, TEXT_CHARS),
                commits=[e.commit.sha for e in es],
            )
        )
    return out


def _kinds(entry: DigestEntry) -> set[str]:
    commit = entry.commit
    kinds = {_SIGNAL_KINDS[s] for s in score(commit).signals if s in _SIGNAL_KINDS}
    if _REVERT_RE.match(commit.title):
        kinds.add("revert")
    for f in commit.files:
        name, dirs = f.path.rsplit("/", 1)[-1], f.path.lower().split("/")[:-1]
        if classify_path(f.path) == "lock" or any(fnmatch(name, p) for p in _MANIFESTS):
            kinds.add("deps")
        elif (
            entry.interfaces is None  # computed interface changes replace the guess from paths
            and classify_path(f.path) == "source"
            and entry.analysis.importance is not Importance.LOW
            and (any(d in _API_CONFIG_DIRS for d in dirs) or any(fnmatch(name, p) for p in _API_CONFIG_NAMES))
        ):
            kinds.add("api")
    if breaking_changes(entry.interfaces):
        kinds.add("interfaces")
    return kinds


def _changes(entries: list[DigestEntry], language: str) -> str:
    """The day's breaking interface changes, the first few named (`object: what changed`)."""
    found = [c for e in entries for c in breaking_changes(e.interfaces)]
    shown = [f"{quote(c.object, 60)}: {quote(c.text, 80)}" for c in found[:CHANGES_SHOWN]]
    text = t(language, "sep").join(shown)
    if len(found) > CHANGES_SHOWN:
        text += t(language, "sep") + t(language, "ov_more", n=len(found) - CHANGES_SHOWN)
    return text


def attention(entries: list[DigestEntry], language: str) -> list[AttentionItem]:
    """One item per signal the scorer sees (breaking, security, revert, dependencies, deprecation, API/config)."""
    found: dict[str, list[DigestEntry]] = defaultdict(list)
    for e in entries:
        for kind in _kinds(e):
            found[kind].append(e)
    out = []
    for kind in _ATTENTION_ORDER:
        if es := _ordered(found.get(kind, [])):
            if kind == "interfaces":
                text = t(language, "att_interfaces", items=_changes(es, language))
            else:
                text = t(language, f"att_{kind}", titles=_titles(es, language))
            out.append(AttentionItem(text=clip(text, TEXT_CHARS), commits=[e.commit.sha for e in es]))
    return out[:MAX_ATTENTION]


def heuristic_overview(entries: list[DigestEntry], language: str = "en") -> Overview:
    """The day's overview from paths, titles and the scorer's signals, marked heuristic."""
    th = themes(entries, language)
    names = t(language, "ov_list_sep").join(x.title for x in th[:3])
    if len(entries) == 1:
        headline = t(language, "ov_headline_one", title=clean_title(plain(entries[0].commit.title)))
    else:
        headline = t(language, "ov_headline", n=len(entries), areas=names or "—")
    return Overview(
        headline=clip(headline, HEADLINE_CHARS),
        themes=th,
        attention=attention(entries, language),
        source="heuristic",
    )

"""The deterministic importance scorer: title, keywords, size and paths to a tier with reasons."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.models import PR_SUFFIX_RE, Commit, Importance, Score
from analysis.scoring_rules import DEFAULT_RULES, ScoringRules, classify_path
from analysis.strings import t

CHANGE_TYPES = {
    "feature": ("feature", "功能增强"),
    "fix": ("bug fix", "问题修复"),
    "perf": ("performance", "性能优化"),
    "refactor": ("refactor", "代码重构"),
    "docs": ("docs", "文档更新"),
    "test": ("tests", "测试修改"),
    "ci": ("CI", "构建/CI"),
    "build": ("build", "构建/CI"),
    "chore": ("chore", "配置调整"),
    "style": ("style", "代码风格"),
    "revert": ("revert", "回滚"),
    "merge": ("merge", "合并"),
    "deps": ("dependency", "依赖更新"),
    "other": ("change", "其他变更"),
}

# path classes that are not shipped code, and the change type a commit touching only them gets
_SIDE_TYPES = {"test": "test", "docs": "docs", "ci": "ci", "lock": "build", "generated": "chore"}


_CONVENTIONAL_RE = re.compile(r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^)]*)\))?(?P<bang>!)?:\s*")
_TAG_RE = re.compile(r"^\s*\[(?P<tag>[^\]]{1,40})\]\s*")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z-]*")
_BREAKING_RE = re.compile(r"\bbreaking\b", re.I)
_BREAKING_FOOTER_RE = re.compile(r"^BREAKING[ -]CHANGE:", re.M)
_SECURITY_RE = re.compile(r"\b(security|vulnerab\w*|exploit\w*|cve|xss|csrf|ssrf|rce)\b", re.I)
_CVE_RE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.I)
_DEPRECATE_RE = re.compile(r"\bdeprecat\w*", re.I)
_REMOVE_RE = re.compile(r"\b(remove[sd]?|removing|delete[sd]?|drop(s|ped)?)\b", re.I)
_MERGE_RE = re.compile(r"^Merge (pull request|branch|remote-tracking branch|tag)\b")
_REVERT_RE = re.compile(r'^Revert\b\s*"?')


def change_type_label(change_type: str, language: str = "en") -> str:
    """The human label of a change type, in English or Chinese ("zh")."""
    en, zh = CHANGE_TYPES.get(change_type, CHANGE_TYPES["other"])
    return zh if language == "zh" else en


def change_type_labels(language: str = "en") -> list[str]:
    """Every change type's label in English or Chinese ("zh"), each once, in a fixed order."""
    return list(dict.fromkeys(change_type_label(kind, language) for kind in CHANGE_TYPES))


@dataclass
class _Title:
    """What the title says about itself once tags and prefixes are peeled off."""

    kind: str | None = None
    how: tuple[str, dict[str, str]] | None = None  # the reason's i18n key and values
    rest: str = ""
    tags: list[str] = field(default_factory=list)
    breaking: bool = False


def _read_title(title: str, r: ScoringRules) -> _Title:
    t = _Title(rest=PR_SUFFIX_RE.sub("", title))
    if _MERGE_RE.match(t.rest):
        return _Title(kind="merge", how=("reason_merge", {}), rest=t.rest)
    if _REVERT_RE.match(t.rest):
        return _Title(kind="revert", how=("reason_revert", {}), rest=t.rest)
    while m := _TAG_RE.match(t.rest):
        t.tags.append(m.group("tag").strip())
        t.rest = t.rest[m.end() :]
    for tag in t.tags:
        if t.kind is None and tag.lower() in r.tags:
            t.kind, t.how = r.tags[tag.lower()], ("reason_tag", {"tag": tag})
    if m := _CONVENTIONAL_RE.match(t.rest):  # an unknown prefix ("model: ...") is only peeled off
        prefix = m.group("type").lower()
        if prefix in r.prefixes:
            t.kind = t.kind or r.prefixes[prefix]
            t.how = t.how or ("reason_prefix", {"prefix": prefix})
        t.breaking = bool(m.group("bang"))
        t.rest = t.rest[m.end() :]
    words = _WORD_RE.findall(t.rest)
    if t.kind is None and words and words[0].lower() in r.verbs:
        t.kind, t.how = r.verbs[words[0].lower()], ("reason_starts", {"word": words[0]})
    for kind, names in r.mentions.items():
        hit = next((w for w in words if w.lower() in names), None)
        if t.kind is None and hit:
            t.kind, t.how = kind, ("reason_mentions", {"word": hit})
    return t


def _step(value: int, steps: tuple[tuple[int, int], ...]) -> int:
    return next((points for at, points in steps if value >= at), 0)


def _only(classes: set[str], language: str) -> str:
    names = sorted(t(language, f"class_{c}") for c in classes)
    return t(language, "reason_only", what=t(language, "reason_and").join(names))


def score(commit: Commit, rules: ScoringRules | None = None, language: str = "en") -> Score:
    """Score a commit: points from its title, keywords, size and paths, then a tier with reasons in `language`."""
    r = rules or DEFAULT_RULES
    title = _read_title(commit.title, r)
    reasons: list[str] = []
    signals: list[str] = []
    points = 0

    def add(gain: int, key: str, **values: object) -> None:
        nonlocal points
        points += gain
        reasons.append(t(language, key, **values))
        signals.append(key)

    classes = {
        f.path: "binary" if f.binary and classify_path(f.path, r) == "source" else classify_path(f.path, r)
        for f in commit.files
    }
    present = set(classes.values())
    side = {_SIDE_TYPES[c] for c in present} if present and present <= _SIDE_TYPES.keys() else set()
    if len(side) == 1 and (title.kind is None or title.how is not None and title.how[0] == "reason_starts"):
        kind = side.pop()  # the paths say more than a plain verb: "Add x to CI permissions" is CI
        points += r.type_points.get(kind, 0)
    else:
        kind = title.kind or "other"
        if title.how:
            add(r.type_points.get(kind, 0), title.how[0], **title.how[1])
        else:
            points += r.type_points.get(kind, 0)

    for tag in title.tags:
        if tag.lower() in r.tag_points:
            key = "reason_tag" if tag.lower() != "auto sync" else "reason_sync"
            add(r.tag_points[tag.lower()], key, tag=tag)
    body = commit.message[len(commit.title) :]
    breaking = title.breaking or bool(_BREAKING_RE.search(commit.title) or _BREAKING_FOOTER_RE.search(body))
    security = bool(_SECURITY_RE.search(commit.title) or _CVE_RE.search(commit.message))
    if breaking:
        add(r.breaking_points, "reason_breaking")
    if security:
        add(r.security_points, "reason_security")
    if _DEPRECATE_RE.search(title.rest):
        add(r.deprecate_points, "reason_deprecates")
    elif kind != "revert" and _REMOVE_RE.search(title.rest):
        add(r.remove_points, "reason_removes")
    if kind == "feature":
        words = {w.lower().rstrip("s") for w in _WORD_RE.findall(commit.title)}
        hits = [w for w in r.capability_words if w in words]
        if hits:
            add(r.capability_points, "reason_capability", word=hits[0])
    if commit.author_name.endswith("[bot]"):
        add(r.bot_points, "reason_bot")

    if commit.files:
        core = [f for f in commit.files if classes[f.path] in ("source", "build")]
        lines = sum(f.changes for f in core if classes[f.path] == "source")
        n_src = sum(1 for f in core if classes[f.path] == "source")
        if _step(lines, r.line_steps):
            add(_step(lines, r.line_steps), "reason_lines", n=lines)
        if _step(n_src, r.file_steps):
            add(_step(n_src, r.file_steps), "reason_files", n=n_src)
        if n_src and lines <= r.tiny_lines and kind != "fix":
            add(r.tiny_points, "reason_small", n=lines)
        if not core:
            reasons.append(_only(present, language))
        elif n_src == 0:
            reasons.append(t(language, "reason_build_only" if present == {"build"} else "reason_no_core"))

    level = (
        Importance.HIGH
        if points >= r.high_at
        else Importance.MEDIUM
        if points >= r.medium_at
        else Importance.LOW
    )
    if commit.files and not (breaking or security):
        if not any(c in ("source", "build") for c in present):
            level = Importance.LOW
        elif "source" not in present and level == Importance.HIGH:
            level = Importance.MEDIUM
    return Score(importance=level, change_type=kind, reasons=reasons, points=points, signals=signals)

"""Whether a card says something: real words in the configured language, a known kind, no runaway text.

A small model can answer with a valid JSON card that is useless: a summary of "141836" or
"skip_value_to_write", a change_type of ".", prose in another language, one string field that repeats
the same few characters until the token limit, or sentences that name nothing of the commit ("What changed,
one point a line", the schema's own words). Such a card is not done.
"""

from __future__ import annotations

import functools
import re

from analysis.importance import CHANGE_TYPES
from analysis.llm import prompts
from analysis.models import Card, Commit

_REPEAT_RE = re.compile(r"(.{1,40}?)\1{7,}", re.S)  # a short piece repeated eight times or more in a row
_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_OTHER_SCRIPT_RE = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0590-\u05ff\u3040-\u30ff\uac00-\ud7af]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_IDENT_RE = re.compile(r"^[\W_]*[\w.:/#@-]*[\W_]*$")  # one token: a number, a hash, an identifier, a path
_KIND_WORDS = (
    "feat fix bug perf refactor doc test ci build chore style revert merge change depend security "
    "release config cleanup infra deprecat remov rename upgrade bump port kernel api enhanc improv "
    "optimi mainten update support format lint type "
    "功能 修复 性能 重构 文档 测试 构建 配置 风格 回滚 合并 变更 依赖 安全 发布 清理 优化 新增 删除"
).split()
_KINDS = [w.lower() for pair in CHANGE_TYPES.values() for w in pair] + _KIND_WORDS
# words, and the parts of snake_case and CamelCase names
_NAME_PART_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_CODE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{3,}")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s")
# words that any card or commit may hold: naming one of them names nothing of this commit
_GENERIC = frozenset(
    """the and for with this that these from into not are was were has have had its all can will also more some only
    when which what why how one two add adds added adding fix fixes fixed fixing update updates updated remove removes
    removed change changes changed commit commits code file files new use used uses using support supports none line
    lines points data value values test tests json yaml yml txt toml cfg name names named key keys type types list
    item items check checks checked verify verified pass passed run runs""".split()
)
_TOKEN_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")  # the words, identifiers and paths of a line
_RICH, _RICH_NEEDS = 20, 2  # a commit that offers this many names: a summary names at least this many things of it
GROUND_CHARS = 200_000  # the diff read for its names, at most
RUNAWAY_CHARS = 120  # a repeated phrase shorter than this is not judged a runaway
SAME_CHAR_CHARS = 1000  # nor one character repeated fewer times than this


def _runaway(text: str) -> re.Match[str] | None:
    """The first run of one short piece repeated many times: a phrase over RUNAWAY_CHARS characters, or a
    single character over SAME_CHAR_CHARS (a path like xxxx...x.py is data, not a loop)."""
    if len(text) < RUNAWAY_CHARS:
        return None
    for m in _REPEAT_RE.finditer(text):
        run = m.group(0)
        if len(run) >= SAME_CHAR_CHARS or (len(run) >= RUNAWAY_CHARS and len(set(run)) > 1):
            return m
    return None


def repetitive(text: str) -> bool:
    """Whether `text` holds a runaway: one short piece (a word, a phrase) repeated many times in a row."""
    return _runaway(text) is not None


def cut_runaway(text: str) -> str:
    """`text` up to where a runaway repetition starts (keeping one of its pieces); unchanged without one."""
    m = _runaway(text)
    return text if m is None else text[: m.start() + len(m.group(1))]


def _says_something(line: str) -> bool:
    """Whether a line holds real words, not punctuation, a lone number, hash or identifier."""
    text = line.strip()
    if len(_CJK_RE.findall(text)) >= 2:
        return True
    if _IDENT_RE.match(text):
        return False
    words = _LATIN_WORD_RE.findall(text) + _OTHER_SCRIPT_RE.findall(text)
    return len(words) >= 2


def _in_language(prose: str, language: str) -> bool:
    letters = _LETTER_RE.findall(prose)
    if not letters:
        return True
    cjk = len(_CJK_RE.findall(prose))
    if language == "zh":
        return cjk >= 2
    other = cjk + len(_OTHER_SCRIPT_RE.findall(prose))
    return other <= 0.3 * len(letters)


def _strings(card: Card) -> list[tuple[str, str]]:
    fields = [("change_type", card.change_type), ("importance_reason", card.importance_reason)]
    fields += [("summary", s) for s in card.summary] + [("conclusion", card.conclusion)]
    fields += [("impact_scope", s) for s in card.impact_scope]
    fields += [("risks", s) for s in card.risks] + [("recommendations", s) for s in card.recommendations]
    fields += [(f"insight.{k}", v) for k, v in card.insight.model_dump().items() if isinstance(v, str)]
    return fields


def _blank(text: str) -> bool:
    """Whether a field holds nothing: empty, or only punctuation and symbols (no letter, no digit)."""
    return not _LETTER_RE.search(text) and not any(c.isdigit() for c in text)


def tidied(card: Card) -> Card:
    """The card without the list items and optional lines that hold nothing (a stray "-", "✅" or ","):
    a card is judged, and shown, by what it says."""
    lists = {
        name: [s for s in getattr(card, name) if not _blank(s)]
        for name in ("summary", "impact_scope", "risks", "recommendations")
    }
    insight = {k: ("none" if _blank(v) else v) for k, v in card.insight.model_dump().items()}
    return card.model_copy(
        update={
            **lists,
            "insight": card.insight.model_copy(update=insight),
            "importance_reason": "" if _blank(card.importance_reason) else card.importance_reason,
            "conclusion": "" if _blank(card.conclusion) else card.conclusion,
        }
    )


def names(text: str) -> set[str]:
    """The words of a text that can name something, stemmed ("scheduling" names the "scheduler"): parts of words,
    identifiers and paths, and code names whole (`top_k_varlen`); no generic word."""
    found = {_stem(w) for w in map(str.lower, _NAME_PART_RE.findall(text)) if len(w) >= 3 and w not in _GENERIC}
    return found | {w.lower() for w in _CODE_NAME_RE.findall(text) if _code_like(w)}


def commit_names(commit: Commit) -> frozenset[str]:
    """What a card about this commit can name: the words of its message and paths, and the code names of its diff
    (its comments' prose is left out: any sentence finds a word there); words the card prompts say never count."""
    paths = " ".join(f"{f.previous_path or ''} {f.path}" for f in commit.files)
    left, code = GROUND_CHARS, set()
    for f in commit.files:
        patch = (f.patch or "")[: max(left, 0)]
        left -= len(patch)
        code |= {w.lower() for w in _CODE_NAME_RE.findall(patch) if _code_like(w)}
    return frozenset((names(f"{commit.message}\n{paths}") | code) - _instruction_names())


@functools.cache
def _instruction_names() -> frozenset[str]:
    return frozenset(names(prompts.instructions()))


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word.removesuffix("e") if len(word) > 4 else word


def _code_like(word: str) -> bool:
    """Whether an identifier looks like code, not a word: it holds `_`, a digit or a capital inside."""
    return "_" in word.strip("_") or any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])


def unusable(card: Card, language: str, grounds: frozenset[str] | None = None) -> str | None:
    """Why a parsed (and tidied) card says nothing usable (a short reason), or None when it does; with `grounds`
    (the commit's names, when it has any), a summary that names none of them says nothing of the commit."""
    for name, value in _strings(card):  # paths (impact_scope) are data: repeated characters allowed
        if repetitive(value):
            return f"{name} repeats itself"
    kind = card.change_type.strip().lower()
    if not kind or not any(k in kind for k in _KINDS):
        return f"change_type {card.change_type.strip()[:40]!r} is not a kind of change"
    lines = [s for s in card.summary if s.strip()]
    if not lines or not any(_says_something(s) for s in lines):
        return "the summary says nothing"
    prose = " ".join(lines + [card.conclusion, card.importance_reason])
    if not _in_language(" ".join(lines) if language == "zh" else prose, language):
        return "the answer is not in the configured language"
    said = lines + (card.impact_scope if language == "zh" else [])  # a Chinese line can name things in Chinese:
    # the paths it lists must then be the commit's
    if grounds:  # a commit that offers no name is not held to one
        named = named_in(" ".join(said), grounds)
        if not named:
            return "the summary names nothing the commit changes"
        if len(grounds) >= _RICH and len(named) < _RICH_NEEDS and not any(map(_specific, named)):
            return "the summary names only one word of the commit"  # a word a PR template's text holds too
    return None


def named_in(text: str, grounds: frozenset[str]) -> set[str]:
    """The distinct words, identifiers and paths of `text` that name something of `grounds`."""
    tokens = {token.strip("./-").lower() for token in _TOKEN_RE.findall(text)}
    return {token for token in tokens if names(token) & grounds}


def _specific(token: str) -> bool:
    """Whether a token is a path or a code name (`src/kv.py`, `top_k_varlen`), not a plain word."""
    return "/" in token or "." in token or _code_like(token)

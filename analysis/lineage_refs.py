"""What one commit message names: the commits it reverts and the commits it gives as a fix's cause (pure).

Revert targets: git's "This reverts commit <sha>", GitHub's 'Revert "<title>" (#N)' and "Reverts owner/repo#N",
"Revert PR 4122", "revert: #1 and #2", 'Reapply "<title>"'. Fix causes only with cause wording: "regression
from #N", "regression introduced in <sha>", "Fixes: <sha> (...)", "follow-up to #N", "broke in #N".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class References:
    """What one message names: revert targets and fix causes."""

    is_revert: bool = False
    revert_shas: tuple[str, ...] = ()
    revert_prs: tuple[int, ...] = ()
    revert_title: str | None = None  # the reverted commit's title, without a trailing " (#N)"
    revert_title_truncated: bool = False  # GitHub cut the quoted title with "…": match it as a prefix
    cause_shas: tuple[str, ...] = ()
    cause_prs: tuple[int, ...] = ()


_MAX_CHARS = 65536  # a message is read up to here (bounds the work on very long squash messages)
_PR_TAIL = re.compile(r"\s*\(#(\d+)\)\s*$")
_HEX = r"[0-9a-fA-F]{7,40}"
_URL_PR = r"https?://github\.com/[\w.-]+/[\w.-]+/pull/(\d+)[^\s\])]*"
_URL_COMMIT = r"https?://github\.com/[\w.-]+/[\w.-]+/commit/([0-9a-fA-F]{7,40})\b"
# one reference: a PR URL, a commit URL, [owner/repo]#N, "PR N", or a bare SHA (not part of a longer word or path)
_REF = rf"\[?(?:{_URL_PR}|{_URL_COMMIT}|(?:[\w.-]+/[\w.-]+)?#(\d+)\b|PR\s*#?(\d+)\b|(?<![\w/.=-])({_HEX})(?![\w/.-]))\]?"
_REF_RE = re.compile(_REF, re.I)
_LEAD = r"(?:\s+(?:the|a|an|PR|pull\s+request|commit|change|changes|upstream)\b)*\s*:?\s*"
_LIST = rf"({_REF}(?:\s*(?:,|\band\b|\bor\b|&|\+)\s*{_REF})*)"
_CAUSES = [
    # "fixes a regression from #4081", "regression introduced in abc1234", "regressed by PR #12"
    rf"\bregress(?:ion|ions|ed)?\b[^.\n]{{0,40}}?\b(?:introduced|caused|added|from|in|by|since|after)\b"
    rf"(?:\s+(?:in|by))?{_LEAD}{_LIST}",
    # "bug introduced in #12", "crash caused by abc1234"
    rf"\b(?:bug|bugs|issue|problem|crash|breakage|failure|error)\b[^.\n]{{0,40}}?\b(?:introduced|caused)\s+(?:in|by)"
    rf"{_LEAD}{_LIST}",
    # "broke in #123", "broken by abc1234", "this broke with #12"
    rf"\b(?:broke|broken|breaks)\s+(?:in|by|since|with|after){_LEAD}{_LIST}",
    # "follow-up to #123", "follow up on #123", "followup for PR 12"
    rf"\bfollow[- ]?ups?\s+(?:to|for|on|of){_LEAD}{_LIST}",
]
_CAUSE_RES = [re.compile(p, re.I) for p in _CAUSES]
_FIXES_TAG = re.compile(rf"^\s*Fixes:\s*({_HEX})\b", re.I | re.M)  # kernel style "Fixes: <sha> (\"title\")"
# "Revert ...", "[CI] Revert ...", "revert: ...", "ci(x): revert ...", git's 'Reapply "..."'
_REVERT_TITLE = re.compile(
    r"^\s*(?:\[[^\]]*\]\s*)?(?:\w+(?:\([^)]*\))?!?:\s*)?(?:revert|reapply)\b(?!\s+(?:back\s+)?to\b)", re.I
)
_QUOTED = re.compile(r'^\s*(Revert|Reapply)\s+"(.*?)("?)\s*$', re.S | re.I)
_THIS_REVERTS = re.compile(rf"\bThis\s+reverts\s+commit\s+({_HEX})\b", re.I)
_REVERTS_PR = re.compile(r"^\s*Reverts?\s+(?:[\w.-]+/[\w.-]+)?#(\d+)\b", re.I | re.M)
# in a revert that names nothing else: "the overhead of X introduced in #554"
_INTRODUCED = re.compile(rf"\b(?:introduced|added|caused)\s+(?:in|by){_LEAD}{_LIST}", re.I)


def title_prs(title: str) -> list[int]:
    """Every PR number of a title's trailing "(#A) (#B)" run (a port of #A landed as #B names both)."""
    m = re.search(r"(?:\s*\(#\d+\))+\s*$", title)
    return [int(n) for n in re.findall(r"#(\d+)", m.group(0))] if m else []


def title_pr(title: str) -> int | None:
    """The PR number of a squash-merge title ending in "(#N)", else None."""
    return (title_prs(title) or [None])[-1]


def bare_title(title: str) -> str:
    """The title without a trailing " (#N)", whitespace collapsed."""
    return " ".join(_PR_TAIL.sub("", title).split())


def _refs(text: str) -> tuple[list[str], list[int]]:
    shas: list[str] = []
    prs: list[int] = []
    for m in _REF_RE.finditer(text):
        url_pr, url_sha, hash_pr, word_pr, sha = m.groups()
        if url_pr or hash_pr or word_pr:
            prs.append(int(url_pr or hash_pr or word_pr))
        elif url_sha or sha:
            shas.append((url_sha or sha).lower())
    return shas, prs


def _uniq(items: Iterable) -> tuple:
    return tuple(dict.fromkeys(items))


def parse_references(message: str, title: str | None = None) -> References:
    """Read the revert targets and fix causes one commit message names; `title` defaults to its first line."""
    if title is None:
        title = message.strip().split("\n", 1)[0] if message.strip() else ""
    own = title_pr(title)
    head = _PR_TAIL.sub("", title).strip()
    body = message[:_MAX_CHARS]
    titled = bool(_REVERT_TITLE.match(head))
    # with another title, only the paragraph right after it counts (not a squash-merge's list of branch commits)
    said = body if titled else "\n\n".join(body.strip().split("\n\n")[:2])
    rev_shas = [m.group(1).lower() for m in _THIS_REVERTS.finditer(said)]
    rev_prs = [int(m.group(1)) for m in _REVERTS_PR.finditer(said)]
    rev_title = None
    truncated = False
    is_revert = bool(rev_shas or rev_prs or titled)
    quoted = _QUOTED.match(head)
    if quoted:
        verb, inner, closed = quoted.groups()
        if not closed and inner.endswith("…"):
            inner, truncated = inner[:-1].rstrip(), True
        elif not closed:
            inner = inner.rstrip()
        # 'Reapply "x"' is git's own title for reverting 'Revert "x"'
        rev_title = bare_title(f'Revert "{inner}"' if verb.lower() == "reapply" else inner)
        if inner_pr := title_pr(inner):
            rev_prs.append(inner_pr)
    elif titled:  # "Revert PR 4122", "revert: #3975 and #4129", "revert 9ad17b6... and ..."
        s, p = _refs(head)
        rev_shas += s
        rev_prs += p
    cause_shas: list[str] = []
    cause_prs: list[int] = []
    for rx in _CAUSE_RES:
        for m in rx.finditer(body):
            s, p = _refs(m.group(1))
            cause_shas += s
            cause_prs += p
    cause_shas += [m.group(1).lower() for m in _FIXES_TAG.finditer(body)]
    if is_revert and not (rev_shas or rev_prs or rev_title):
        # "Revert GDN prefill regression" + "regression introduced in <PR URL>": the cause is what it reverts
        rev_shas, rev_prs, cause_shas, cause_prs = cause_shas, cause_prs, [], []
        for m in _INTRODUCED.finditer(body) if not (rev_shas or rev_prs) else ():
            s, p = _refs(m.group(1))
            rev_shas += s
            rev_prs += p
    rev_prs = [n for n in rev_prs if n != own]
    cause_prs = [n for n in cause_prs if n != own and n not in rev_prs]
    cause_shas = [s for s in cause_shas if s not in rev_shas]
    return References(
        is_revert=is_revert,
        revert_shas=_uniq(rev_shas),
        revert_prs=_uniq(rev_prs),
        revert_title=rev_title or None,
        revert_title_truncated=truncated,
        cause_shas=_uniq(cause_shas),
        cause_prs=_uniq(cause_prs),
    )

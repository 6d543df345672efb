"""A card's lineage lines (reverts, reverted by, follows up, followed up by) and the day's lineage counts, for
every renderer: the caller says how untrusted text is escaped and how a channel is named."""

from __future__ import annotations

from collections.abc import Callable

from analysis.facts import clip, local_time, plain
from analysis.lineage_models import LineageRef
from analysis.models import DigestEntry, RepoDigest
from analysis.strings import t

TITLE_CHARS = 80
MAX_FOLLOWS = 3  # follow-up lines shown per direction


def _ref_day(ref: LineageRef, tz: str) -> str:
    if ref.committed_at is not None:
        return local_time(ref.committed_at, tz).date().isoformat()
    return ref.day or "?"


def _ref_line(
    key: str, ref: LineageRef, lang: str, tz: str, esc: Callable[[str], str], chan: Callable[[str], str]
) -> str:
    title = esc(clip(plain(ref.title), TITLE_CHARS)) if ref.title else ""
    if ref.channel and ref.day:
        where = t(lang, "lin_where", channel=chan(ref.channel), day=ref.day)
    elif ref.day:
        where = t(lang, "lin_where_day", day=ref.day)
    else:
        where = ""
    return t(lang, key, sha=ref.sha[:7], title=title, day=_ref_day(ref, tz), where=where)


def lineage_lines(
    entry: DigestEntry,
    lang: str,
    tz: str = "UTC",
    *,
    esc: Callable[[str], str] = plain,
    chan: Callable[[str], str] = lambda c: "#" + plain(c),
) -> list[str]:
    """One line per link of the entry: what it reverts or follows up, and what reverted or followed it up."""
    lin = entry.lineage
    out = []
    if lin.reverted_by:
        out.append(_ref_line("lin_reverted_by", lin.reverted_by, lang, tz, esc, chan))
    if lin.reverts:
        out.append(_ref_line("lin_reverts", lin.reverts, lang, tz, esc, chan))
    out += [_ref_line("lin_follows_up", r, lang, tz, esc, chan) for r in lin.follows_up[:MAX_FOLLOWS]]
    out += [_ref_line("lin_followed_by", r, lang, tz, esc, chan) for r in lin.followed_by[:MAX_FOLLOWS]]
    return out


def lineage_counts(repo: RepoDigest, lang: str) -> str | None:
    """ "2 reverts of earlier changes; 1 fix of an earlier change" for the day, or None when there are none."""
    reverts = sum(1 for e in repo.entries if e.lineage.reverts)
    fixes = sum(1 for e in repo.entries if e.lineage.follows_up and not e.lineage.reverts)
    parts = [t(lang, "ov_reverts", n=reverts)] if reverts else []
    parts += [t(lang, "ov_fixes", n=fixes)] if fixes else []
    return t(lang, "sep").join(parts) or None


def lineage_json(entry: DigestEntry) -> dict:
    """`reverts` (SHA or null), `reverted_by` (SHA or null), `follows_up` and `followed_up_by` (SHA lists)."""
    lin = entry.lineage
    return {
        "reverts": lin.reverts.sha if lin.reverts else None,
        "reverted_by": lin.reverted_by.sha if lin.reverted_by else None,
        "follows_up": [r.sha for r in lin.follows_up],
        "followed_up_by": [r.sha for r in lin.followed_by],
    }

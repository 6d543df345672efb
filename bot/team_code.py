"""The team's code in commands: `/digest uses [name]` per channel, and the radar since a pin (CLI and Slack)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from analysis.config import SourceConfig
from analysis.errors import CommitDigestError
from analysis.models import Digest
from analysis.sources import is_local, open_source
from analysis.store.team_indexes import channel_team_code, set_channel_team_code
from analysis.strings import t
from analysis.teamcode.config import TeamCode
from analysis.teamcode.radar import Radar, distribution_names, pinned_version, radar
from analysis.teamcode.source import TeamCodeIndex, team_code_index
from analysis.teamcode.upstream import CloneReader
from bot.settings import Settings
from bot.slack.answers import one_line

IMPACT_USAGE = "/digest impact [owner/repo] [tag or SHA]"
SYMBOLS_SHOWN = 20


def chosen_code(settings: Settings, db: sqlite_utils.Database, channel: str | None = None) -> TeamCode | None:
    """The code base a channel checks against (its `/digest uses` choice), else the first one configured."""
    codes = settings.team_code
    name = channel_team_code(db, channel) if channel else None
    if name and name in codes:
        return codes[name]
    return next(iter(codes.values()), None)


def uses_answer(settings: Settings, db: sqlite_utils.Database, channel: str, args: list[str]) -> str:
    """`/digest uses` shows the channel's code base; `/digest uses NAME` picks one of the configured names."""
    lang, codes = settings.digest_language, settings.team_code
    if not codes:
        return t(lang, "uses_empty")
    names = ", ".join(f"`{one_line(n)}`" for n in codes)
    if not args:
        code = chosen_code(settings, db, channel)
        return (
            t(lang, "uses_current", name=f"`{one_line(code.name)}`")
            if code
            else t(lang, "uses_none", names=names)
        )
    if args[0] not in codes:
        return t(lang, "uses_unknown", name=f"`{one_line(args[0])}`", names=names)
    set_channel_team_code(db, channel, args[0])
    return t(lang, "uses_set", name=f"`{one_line(args[0])}`")


@dataclass
class RadarAnswer:
    """The radar with the code base's name and base shown, or one line saying why there is none."""

    name: str = ""
    base: str = ""
    radar: Radar | None = None
    error: str | None = None
    notes: list[str] | None = None


async def radar_answer(
    settings: Settings, db: sqlite_utils.Database, code: TeamCode | None, repo: str | None, since: str | None
) -> RadarAnswer:
    """Index the team's code, find the base (given, or the pinned version's tag) and run the radar over a clone."""
    lang = settings.digest_language
    if code is None:
        return RadarAnswer(error=t(lang, "uses_empty"))
    repo = repo or (settings.digest_repos[0] if settings.digest_repos else None)
    if not repo:
        return RadarAnswer(code.name, error="no repository given and DIGEST_REPOS is empty")
    cfg = settings.pipeline_config().source
    team: TeamCodeIndex = await team_code_index(code, db, cfg)
    if team.index is None:
        return RadarAnswer(code.name, error="; ".join(team.notes) or "the team's code could not be indexed")
    if not since:
        since = pinned_version(team.pin_files, distribution_names(repo, []))
        if not since:
            return RadarAnswer(code.name, error=t(lang, "radar_no_pin", repo=repo, name=code.name))
    if not is_local(repo):
        return RadarAnswer(
            code.name, since, error=f"{repo}: the radar reads upstream from a local clone for now"
        )
    source = open_source(repo, cfg, db)
    try:
        await source.refresh()
        reader = CloneReader(source.repo)
        result = await radar(source, since, team.index, reader.report)
    except CommitDigestError as e:
        return RadarAnswer(code.name, since, error=str(e))
    finally:
        await source.aclose()
    return RadarAnswer(code.name, since, result, notes=team.notes)


def radar_lines(answer: RadarAnswer, lang: str, *, mrkdwn: bool = False) -> list[str]:
    """The radar as lines: a title, then each symbol with its commits and the team's places."""
    q = (
        (lambda s: f"`{one_line(s.replace('`', chr(39)))}`")
        if mrkdwn
        else (lambda s: " ".join(str(s).split()))
    )
    plain = one_line if mrkdwn else (lambda s: " ".join(str(s).split()))
    if answer.error or answer.radar is None:
        return [plain(answer.error or "")]
    r = answer.radar
    if not r.symbols:
        return [t(lang, "radar_none", base=q(answer.base), name=q(answer.name))]
    lines = [t(lang, "radar_title", base=q(answer.base), name=q(answer.name))]
    for sym in r.symbols[:SYMBOLS_SHOWN]:
        mark = "!" if sym.direct else "~"
        lines.append(f"{mark} {q(sym.object)}")
        lines += [f"    {q(sha[:7])} {plain(change)}" for sha, change in sym.changes[:5]]
        places = [q(f"{f}:{n}") for f, n in sym.places[:3]]
        if len(sym.places) > 3:
            places.append(t(lang, "affects_more", n=len(sym.places) - 3))
        lines.append("    → " + ", ".join(places))
    if len(r.symbols) > SYMBOLS_SHOWN:
        lines.append(t(lang, "ov_more", n=len(r.symbols) - SYMBOLS_SHOWN))
    return lines + [plain(n) for n in [*r.notes, *(answer.notes or [])]]


def radar_json(answer: RadarAnswer) -> dict[str, object]:
    """`{"code", "since", "base", "head", "commits", "symbols": [...], "notes"}` for a radar that ran."""
    r = answer.radar
    assert r is not None
    return {
        "code": answer.name,
        "since": answer.base,
        "base": r.base,
        "head": r.head,
        "commits": r.commits,
        "symbols": [s.to_dict() for s in r.symbols],
        "notes": [*r.notes, *(answer.notes or [])],
    }


async def add_channel_impact(
    settings: Settings,
    db: sqlite_utils.Database,
    digest: Digest,
    source: SourceConfig,
    channel: str | None = None,
) -> None:
    """Meet the digest's interface changes with the channel's code base (the terminal's: the first one);
    what could not be read is said once, in the first repository's notes."""
    from analysis.teamcode.affects import add_team_impact

    notes = await add_team_impact(digest, chosen_code(settings, db, channel), db, source)
    if notes and digest.repos:
        digest.repos[0].notes.extend(notes)

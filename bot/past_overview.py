"""`/digest overview [owner/repo] [date]`: a past day's overview, from the overview cache."""

from __future__ import annotations

import datetime as dt
import re

import sqlite_utils

from analysis.models import Commit
from analysis.overview import cache
from analysis.pipeline import today
from analysis.store import commits as commit_store
from analysis.strings import t
from bot.settings import Settings
from bot.slack.answers import one_line
from bot.slack.overview import overview_text
from bot.subscriptions import UsageError, channel_subscriptions, stored_name

OVERVIEW_USAGE = "/digest overview [owner/repo] [YYYY-MM-DD]"
MAX_REPOS = 5
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(arg: str, tz: str) -> str | None:
    """The YYYY-MM-DD an argument names (a date, `today` or `yesterday`), or None when it names none."""
    word = arg.lower()
    if word in ("today", "yesterday"):
        return (today(tz) - dt.timedelta(days=1 if word == "yesterday" else 0)).isoformat()
    if not _DATE_RE.match(arg):
        return None
    try:
        return dt.date.fromisoformat(arg).isoformat()
    except ValueError:
        raise UsageError("not_a_date", arg=arg, usage=OVERVIEW_USAGE) from None


def _commits(db: sqlite_utils.Database, repo: str, shas: list[str]) -> dict[str, Commit]:
    found = (commit_store.stored_commit(db, repo, sha, detailed=False) for sha in shas)
    return {c.sha: c for c in found if c is not None}


def overview_answer(db: sqlite_utils.Database, settings: Settings, channel: str, args: list[str]) -> str:
    """The stored overview of the named repository (else each one this channel follows) for a day
    (else its latest one), as mrkdwn."""
    lang, tz = settings.digest_language, settings.digest_timezone
    date, names = None, []
    for arg in args:
        day = _day(arg, tz)
        if day and date is None:
            date = day
        elif day or names:
            raise UsageError("cmd_usage", usage=OVERVIEW_USAGE)
        else:
            names.append(arg)
    repos = (
        names or [stored_name(s) for s in channel_subscriptions(db, channel)] or list(settings.digest_repos)
    )
    if not repos:
        return t(lang, "ov_no_repos", usage=OVERVIEW_USAGE)
    answers = []
    for repo in repos[:MAX_REPOS]:
        cached = cache.load(db, repo, date)
        if cached is None:
            answers.append(t(lang, "ov_missing", repo=one_line(repo), date=date or t(lang, "ov_any_day")))
            continue
        commits = _commits(db, repo, cached.overview.cited())
        heading = f"{one_line(repo)} · {cached.date}"
        answers.append(overview_text(cached.overview, commits, lang, heading))
    if len(repos) > MAX_REPOS:
        answers.append(t(lang, "ov_more_repos", n=len(repos) - MAX_REPOS, usage=OVERVIEW_USAGE))
    return "\n\n".join(answers)

"""What `serve` says when it starts, and building the Bolt app without its token warning."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from apscheduler.schedulers.base import BaseScheduler

from bot import subscriptions
from bot.runtime import Context

MAX_NAMES = 10


@contextlib.contextmanager
def bolt_env() -> Iterator[None]:
    """Hide SLACK_BOT_TOKEN from Bolt while the app is built on our client, so Bolt does not warn it is unused."""
    token = os.environ.pop("SLACK_BOT_TOKEN", None)
    try:
        yield
    finally:
        if token is not None:
            os.environ["SLACK_BOT_TOKEN"] = token


def _listed(names: list[str]) -> str:
    if not names:
        return "none"
    more = f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else ""
    return ", ".join(names[:MAX_NAMES]) + more


def start_line(ctx: Context, mode: str, scheduler: BaseScheduler) -> str:
    """One line: who, mode, channels, repositories, schedule and the next run."""
    settings = ctx.settings
    job = scheduler.get_job("digest")
    next_run = job.next_run_time if job is not None else None
    when = next_run.strftime("%Y-%m-%d %H:%M %Z") if next_run else "never"
    who = ctx.identity
    return (
        f"commit-digest is running as {who.get('user')} in {who.get('team')} ({mode}); "
        f"channels: {_listed(subscriptions.subscribed_channels(ctx.db))}; "
        f"repositories: {_listed(sorted(ctx.watched()))}; "
        f"schedule: {settings.digest_schedule} ({settings.digest_timezone}); next run: {when}"
    )

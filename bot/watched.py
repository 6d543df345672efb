"""The GitHub repositories this workspace watches: any channel's subscriptions, plus DIGEST_REPOS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis import store
from analysis.models import REPO_NAME_RE

if TYPE_CHECKING:
    from bot.runtime import Context


def watched_names(ctx: Context) -> dict[str, str]:
    """Every watched GitHub repository, lower-case `owner/repo` -> the name it is followed under."""
    names = sorted({s.repo for s in store.list_subscriptions(ctx.db)} | set(ctx.settings.digest_repos))
    return {n.lower(): n for n in names if REPO_NAME_RE.match(n)}


def watched_repos(ctx: Context) -> set[str]:
    """Every watched GitHub repository as a lower-case `owner/repo` (local clones are left out)."""
    return set(watched_names(ctx))

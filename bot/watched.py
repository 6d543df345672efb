"""The GitHub repositories this workspace watches: any channel's subscriptions, plus DIGEST_REPOS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.scope import is_repo_name

if TYPE_CHECKING:
    from bot.runtime import Context


def watched_names(ctx: Context) -> dict[str, str]:
    """Every watched GitHub repository, lower-case `owner/repo` -> the name it is followed under."""
    return {n.lower(): n for n in sorted(ctx.watched()) if is_repo_name(n)}

"""Commit links shared in Slack unfurl into compact analysis cards, for watched repositories only."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from slack_sdk.web.async_client import AsyncWebClient

from analysis.lookup import Lookup, LookupKind, Query, lookup_cached, lookup_commit
from analysis.models import DigestEntry
from analysis.store import deliveries as delivery_store
from bot.cards import reply_card
from bot.slack.client import PostError, call, post_message
from bot.slack.unfurl import parse_button_value, unfurl_card
from bot.watched import watched_names

if TYPE_CHECKING:
    from bot.runtime import Context

log = logging.getLogger(__name__)
MAX_LINKS = 5  # links unfurled per message; Slack shows few previews anyway
_LINK = re.compile(
    r"^https?://(?:www\.)?github\.com/(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)"
    r"/(?:commit|pull/\d+/commits)/(?P<sha>[0-9a-fA-F]{7,40})/?(?:[?#]\S*)?$"
)


@dataclass(frozen=True)
class CommitLink:
    """A GitHub commit link as shared: its exact URL, its repository and its (lower-case) SHA."""

    url: str
    repo: str
    sha: str


def commit_link(url: str) -> CommitLink | None:
    """The commit a github.com commit URL (or a pull request's commit URL) names, else None."""
    m = _LINK.match(url or "")
    return CommitLink(url, m.group("repo"), m.group("sha").lower()) if m else None


def _same_repo(entry: DigestEntry | None, repo: str) -> bool:
    return entry is not None and entry.commit.repo.lower() == repo.lower()


async def find_entry(ctx: Context, link: CommitLink, repo: str) -> DigestEntry | None:
    """The linked commit and its analysis: from the cache, else fetched from `repo` and analyzed."""
    cached = lookup_cached(ctx.db, link.url)
    if cached.kind is LookupKind.FOUND and _same_repo(cached.entry, repo):
        assert cached.entry is not None
        if cached.entry.analysis.finished:
            return cached.entry
    else:  # a prefix cached only in another repository does not answer for this one
        cached = Lookup(LookupKind.UNKNOWN, query=Query(link.sha, repo))
    result = await lookup_commit(ctx.db, replace(ctx.config, repos=[repo]), link.url, cached=cached)
    return result.entry if result.kind is LookupKind.FOUND and _same_repo(result.entry, repo) else None


def _target(event: dict[str, Any]) -> dict[str, str] | None:
    """chat.unfurl's target: the unfurl_id and source when Slack gave them, else the channel and ts."""
    if event.get("unfurl_id") and event.get("source"):
        return {"unfurl_id": str(event["unfurl_id"]), "source": str(event["source"])}
    if event.get("channel") and event.get("message_ts"):
        return {"channel": str(event["channel"]), "ts": str(event["message_ts"])}
    return None


async def unfurl_links(
    ctx: Context, client: AsyncWebClient, event: dict[str, Any], event_id: str | None
) -> list[str]:
    """Unfurl the watched commit links of one link_shared event, once per event; return the URLs unfurled."""
    names = watched_names(ctx)
    links = [
        (link, names[link.repo.lower()])
        for raw in (event.get("links") or [])[:MAX_LINKS]
        if isinstance(raw, dict)
        and (link := commit_link(str(raw.get("url") or "")))
        and link.repo.lower() in names
    ]
    target = _target(event)
    if not links or target is None:
        return []
    if event_id and not delivery_store.claim_event(ctx.db, event_id, "link_shared"):
        log.info("event %s was already handled; Slack's retry is ignored", event_id)
        return []
    language, thread = ctx.settings.digest_language, event.get("thread_ts")
    unfurls: dict[str, Any] = {}
    for link, repo in links:
        try:
            entry = await find_entry(ctx, link, repo)
        except Exception:
            log.exception("could not look up the shared commit %s@%s", repo, link.sha)
            continue
        if entry is not None:
            unfurls[link.url] = unfurl_card(entry, language=language, thread_ts=thread)
    if not unfurls:
        return []
    try:
        await call(client, "chat_unfurl", unfurls=unfurls, **target)
    except PostError as e:
        log.warning("chat.unfurl was refused: %s", e)
        return []
    return list(unfurls)


async def post_full_card(
    ctx: Context, client: AsyncWebClient, channel: str, message_ts: str, value: str
) -> str | None:
    """The ts of the commit's full card in the thread of the shared link, posting it once; None when unknown."""
    repo, sha, thread = parse_button_value(value)
    thread = thread or message_ts
    if existing := delivery_store.link_reply(ctx.db, channel, thread, sha):
        return existing
    msg = reply_card(ctx.db, f"{repo}@{sha}", ctx.settings.digest_language)
    if msg is None:
        return None
    ts = await post_message(client, channel, thread_ts=thread, text=msg.text, blocks=msg.blocks)
    delivery_store.save_link_reply(ctx.db, channel, thread, repo, sha, ts)
    return ts

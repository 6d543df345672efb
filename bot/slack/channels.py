"""Slack channels named by `#name`, `name` or ID, resolved to the ID once where they enter: one channel, one target."""

from __future__ import annotations

import re

from slack_sdk.web.async_client import AsyncWebClient

from analysis.errors import CommitDigestError
from bot.slack.client import call

_ID_RE = re.compile(r"^[CGD][A-Z0-9]{1,}$")  # channel names are lower-case: an upper-case word is an ID
LIST_PAGES = 50  # pages of 200 channels read at most, then the name is said not found
TYPES = "public_channel,private_channel"


class ChannelNotFound(CommitDigestError):
    """A channel name that names no channel the bot can see; the message is one line."""


def is_channel_id(text: str) -> bool:
    """Whether `text` is a Slack channel ID (C…, G… or D…) rather than a channel name."""
    return bool(_ID_RE.match(text.strip()))


def channel_name(text: str) -> str:
    """A channel name as Slack keeps it: without the leading #, lower-case."""
    return text.strip().lstrip("#").strip().lower()


class ChannelDirectory:
    """Channel names to IDs through `conversations.list`, read once per process and kept."""

    def __init__(self, client: AsyncWebClient):
        self.client = client
        self._ids: dict[str, str] | None = None

    async def _load(self) -> dict[str, str]:
        ids: dict[str, str] = {}
        cursor = None
        for _ in range(LIST_PAGES):
            kwargs = {"types": TYPES, "exclude_archived": True, "limit": 200}
            data = await call(
                self.client, "conversations_list", **kwargs, **({"cursor": cursor} if cursor else {})
            )
            for ch in data.get("channels") or []:
                if ch.get("id") and ch.get("name"):
                    ids.setdefault(str(ch["name"]).lower(), str(ch["id"]))
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return ids

    async def lookup(self, text: str) -> str | None:
        """The ID of channel `text` (an ID as it is), or None when no channel has that name."""
        if is_channel_id(text):
            return text.strip()
        if self._ids is None:
            self._ids = await self._load()
        return self._ids.get(channel_name(text))

    async def resolve(self, text: str) -> str:
        """The ID of channel `text`; raises ChannelNotFound saying so in one line."""
        found = await self.lookup(text)
        if found is None:
            raise ChannelNotFound(
                f"no Slack channel named #{channel_name(text)[:80]} that the bot can see "
                "(check the name, or give the channel ID, e.g. C0123456789)"
            )
        return found

"""Fake `ack`, `respond` and `client` arguments for calling Slack listeners directly, without HTTP.

The fake Web API client records every call and answers the way Slack's Web API does (`{"ok": true, "ts": ...}`
for chat.postMessage, a permalink for chat.getPermalink, the joined channel for conversations.join), wrapped
like slack_sdk's AsyncSlackResponse (`.data`, `.get`, `[...]`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError


class FakeResponse(dict):
    """A Web API answer, readable like slack_sdk's AsyncSlackResponse."""

    status_code = 200

    @property
    def data(self) -> dict[str, Any]:
        """The answer's JSON body."""
        return dict(self)


@dataclass
class Recorder:
    """An async callable (`ack` or `respond`) that records the keyword arguments of each call."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, text: str | None = None, **kwargs: Any) -> None:
        self.calls.append({"text": text, **kwargs} if text is not None else kwargs)

    @property
    def texts(self) -> list[str]:
        """The text of every call that had one."""
        return [c["text"] for c in self.calls if c.get("text")]


class FakeWebClient:
    """Records Web API calls by method name and answers like Slack; `members` lists the channels it is in."""

    def __init__(self, members: set[str] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.members = members
        self._ts = itertools.count(1)

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The arguments of each call to `method` (e.g. "chat_postMessage")."""
        return [kwargs for name, kwargs in self.calls if name == method]

    def __getattr__(self, method: str):
        if method.startswith("_"):
            raise AttributeError(method)

        async def call(**kwargs: Any) -> FakeResponse:
            self.calls.append((method, kwargs))
            return self._answer(method, kwargs)

        return call

    def _answer(self, method: str, kwargs: dict[str, Any]) -> FakeResponse:
        channel = kwargs.get("channel")
        if method == "chat_postMessage":
            if self.members is not None and channel not in self.members:
                raise SlackApiError("not_in_channel", FakeResponse(ok=False, error="not_in_channel"))
            ts = f"1769260000.{next(self._ts):06d}"
            message = {"type": "message", "text": kwargs.get("text", ""), "ts": ts}
            return FakeResponse(ok=True, channel=channel, ts=ts, message=message)
        if method == "chat_getPermalink":
            ts = str(kwargs["message_ts"]).replace(".", "")
            return FakeResponse(
                ok=True, channel=channel, permalink=f"https://acme.slack.com/archives/{channel}/p{ts}"
            )
        if method == "conversations_join":
            if self.members is not None:
                self.members.add(channel)
            return FakeResponse(ok=True, channel={"id": channel})
        return FakeResponse(ok=True)

"""HTTP mode under abuse: Slack's requests checked before Bolt sees them, events handled once, connections capped.

A malformed or unsigned request gets a 400 or 401 and one log line, never a traceback. Idle connections are
closed by aiohttp's keep-alive timeout (which also bounds the wait for a first request); past the connection
cap the longest-idle connection makes room, so /healthz keeps answering while thousands of idle sockets wait.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from analysis.errors import CommitDigestError

log = logging.getLogger(__name__)
FORM, JSON = "application/x-www-form-urlencoded", "application/json"
MAX_BODY = 1024 * 1024  # Slack's payloads are a few KB; anything near this is not Slack
IDLE_TIMEOUT = 15.0  # seconds a connection may wait for (or between) requests before it is closed
MAX_CONNECTIONS = 1000  # open connections at most; the longest-idle one makes room for a new one
SEEN_EVENTS = 10_000  # event ids remembered, so Slack's retries and duplicates are handled once


class BadRequest(CommitDigestError):
    """A request that is not a well-formed, correctly signed Slack request; `status` is the answer's."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


async def checked_body(request: web.Request, verifier: SignatureVerifier) -> dict[str, Any]:
    """The parsed body of a signed Slack request; raises BadRequest (400, 401 or 413) saying what is wrong."""
    if request.content_type not in (FORM, JSON):
        raise BadRequest(400, f"unsupported content type {request.content_type[:60]!r}")
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or len(timestamp) > 12 or not signature.startswith("v0="):
        raise BadRequest(401, "missing or malformed Slack signature headers")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BadRequest(413, "body too large") from None
    if not verifier.is_valid(body, timestamp, signature):
        raise BadRequest(401, "bad or stale Slack signature")
    try:
        return _parse(body, request.content_type)
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest(400, f"unreadable body: {type(e).__name__}") from None


def _parse(body: bytes, content_type: str) -> dict[str, Any]:
    if content_type == JSON:
        data = json.loads(body)
    else:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        data = {k: v[-1] for k, v in fields.items()}
        if "payload" in data:
            data = json.loads(data["payload"])
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


class EventIds:
    """The event ids already handled (the most recent SEEN_EVENTS of them)."""

    def __init__(self, size: int = SEEN_EVENTS):
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, data: dict[str, Any]) -> bool:
        """True the first time an Events API callback's event id arrives (and for anything without one)."""
        event_id = data.get("event_id") if data.get("type") == "event_callback" else None
        if not isinstance(event_id, str):
            return True
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class _Counted(asyncio.Protocol):
    """aiohttp's protocol for one connection, counted by a ConnectionCap."""

    def __init__(self, inner: asyncio.Protocol, cap: ConnectionCap):
        self.inner, self.cap = inner, cap
        self.transport: asyncio.BaseTransport | None = None
        self.last = asyncio.get_running_loop().time()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.cap.admit(self)
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.cap.release(self)
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.last = asyncio.get_running_loop().time()
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class ConnectionCap:
    """At most `limit` open connections: past it, the longest-idle connection is closed to make room."""

    def __init__(self, limit: int = MAX_CONNECTIONS):
        self.limit = limit
        self.open: set[_Counted] = set()
        self.evicted = 0

    def wrap(self, factory: Any) -> Any:
        """A protocol factory counting the connections `factory`'s protocols serve."""
        return lambda: _Counted(factory(), self)

    def admit(self, conn: _Counted) -> None:
        """Count a new connection, closing the longest-idle one when the cap is reached."""
        while len(self.open) >= self.limit:
            victim = min(self.open, key=lambda c: c.last)
            self.open.discard(victim)
            self.evicted += 1
            if victim.transport is not None:
                victim.transport.abort()  # type: ignore[attr-defined]
        self.open.add(conn)

    def release(self, conn: _Counted) -> None:
        """Forget a closed connection."""
        self.open.discard(conn)


class CappedSite(web.TCPSite):
    """A TCP site whose connections a ConnectionCap counts."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, cap: ConnectionCap):
        super().__init__(runner, host, port, backlog=1024)
        self.cap = cap

    async def start(self) -> None:
        """Listen, as TCPSite does, with each connection counted."""
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        self._server = await asyncio.get_running_loop().create_server(
            self.cap.wrap(server), self._host, self._port, backlog=self._backlog
        )
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port

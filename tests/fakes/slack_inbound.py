"""Slack's side of the inbound traffic: signed requests as Slack sends them, and a response_url receiver."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import httpx

SECRET = "test-signing-secret"


def signed_headers(
    body: str, *, secret: str = SECRET, timestamp: int | None = None, content_type: str
) -> dict[str, str]:
    """The headers Slack adds: a v0 HMAC-SHA256 signature over `v0:{timestamp}:{body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={sig}", "Content-Type": content_type}


def command_form(
    command: str, text: str, response_url: str, *, channel: str = "C1", user: str = "U1"
) -> dict[str, str]:
    """A slash command's form fields, as Slack posts them."""
    return {
        "token": "legacy-verification-token",
        "team_id": "T1",
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "eng",
        "user_id": user,
        "user_name": "ada",
        "command": command,
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }


class SlackSender:
    """Posts signed requests to the app's /slack/events endpoint."""

    def __init__(self, base: str, http: httpx.AsyncClient):
        self.url = base + "/slack/events"
        self.http = http

    async def form(self, fields: dict[str, str], **sign: Any) -> httpx.Response:
        """POST a form body (slash commands, and interactivity as `payload=`)."""
        body = urlencode(fields)
        headers = signed_headers(body, content_type="application/x-www-form-urlencoded", **sign)
        return await self.http.post(self.url, content=body, headers=headers)

    async def command(self, command: str, text: str, response_url: str, **kw: Any) -> httpx.Response:
        """POST a slash command."""
        return await self.form(command_form(command, text, response_url, **kw))

    async def action(self, payload: dict[str, Any]) -> httpx.Response:
        """POST an interactivity payload (a button press)."""
        return await self.form({"payload": json.dumps(payload)})

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int = 0
    ) -> httpx.Response:
        """POST an Events API callback; `retry` > 0 sends it again as Slack's retry of `event_id`."""
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id or f"Ev{time.monotonic_ns()}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        headers = signed_headers(body, content_type="application/json")
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.http.post(self.url, content=body, headers=headers)


class ResponseUrls:
    """A loopback receiver for `response_url` posts; each request gets its own path."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._n = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    outer.bodies.setdefault(self.path, []).append(json.loads(raw or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ResponseUrls:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def new(self) -> str:
        """A fresh response_url."""
        with self._lock:
            self._n += 1
            return f"http://127.0.0.1:{self._server.server_address[1]}/r/{self._n}"

    def got(self, url: str) -> list[dict[str, Any]]:
        """The bodies posted to `url` so far."""
        with self._lock:
            return list(self.bodies.get(url.split(str(self._server.server_address[1]), 1)[1], []))

    async def wait(self, url: str, n: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until `url` received `n` bodies (generous timeout); return them."""
        deadline = time.monotonic() + timeout
        while len(self.got(url)) < n:
            assert time.monotonic() < deadline, f"{url} received {self.got(url)} within {timeout}s"
            await asyncio.sleep(0.02)
        return self.got(url)

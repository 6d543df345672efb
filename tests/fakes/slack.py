"""A loopback server that speaks the Slack Web API subset commit-digest uses, with its limits."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.slack_surfaces import SlackSurfaces

MENTION = re.compile(
    r"<!(?:channel|here|everyone|subteam)|<@[A-Z0-9]|(?<![\w@])@(?:channel|here|everyone)\b", re.I
)
TEXT_KINDS = ("plain_text", "mrkdwn")
BLOCK_TEXT_CHARS = 12000  # chat.postMessage answers msg_blocks_too_long above about this much text


@dataclass
class Call:
    """One request the fake received, accepted or not."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    error: str | None = None


@dataclass
class Message:
    """One message the fake accepted."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    user: str | None = None  # set for ephemeral messages
    metadata: dict[str, Any] | None = None


def _text_error(obj: Any, where: str, limit: int, kinds: tuple[str, ...] = TEXT_KINDS) -> str | None:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return f"{where}: must be a text object of type {'/'.join(kinds)}"
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return f"{where}: text must be a non-empty string"
    if len(text) > limit:
        return f"{where}: must be less than {limit + 1} characters"
    return None


def _element_error(el: Any, where: str) -> str | None:
    if not isinstance(el, dict) or el.get("type") != "button":
        return f"{where}: unsupported element"
    if err := _text_error(el.get("text"), f"{where}.text", 75, ("plain_text",)):
        return err
    for key, limit in (("action_id", 255), ("value", 2000), ("url", 3000)):
        if key in el and (not isinstance(el[key], str) or len(el[key]) > limit):
            return f"{where}.{key}: must be a string of at most {limit} characters"
    return None


def _block_error(b: Any, where: str) -> str | None:
    if not isinstance(b, dict):
        return f"{where}: must be an object"
    if len(str(b.get("block_id", ""))) > 255:
        return f"{where}.block_id: too long"
    kind = b.get("type")
    if kind == "divider":
        return None
    if kind == "header":
        return _text_error(b.get("text"), f"{where}.text", 150, ("plain_text",))
    if kind == "section":
        if "text" not in b and "fields" not in b:
            return f"{where}: needs text or fields"
        if "text" in b and (err := _text_error(b["text"], f"{where}.text", 3000)):
            return err
        fields = b.get("fields", [])
        if not isinstance(fields, list) or len(fields) > 10:
            return f"{where}.fields: at most 10"
        for i, f in enumerate(fields):
            if err := _text_error(f, f"{where}.fields[{i}]", 2000):
                return err
        return _element_error(b["accessory"], f"{where}.accessory") if "accessory" in b else None
    if kind == "context":
        els = b.get("elements")
        if not isinstance(els, list) or not 1 <= len(els) <= 10:
            return f"{where}.elements: between 1 and 10"
        for i, e in enumerate(els):
            if err := _text_error(e, f"{where}.elements[{i}]", 2000):
                return err
        return None
    if kind == "actions":
        els = b.get("elements")
        if not isinstance(els, list) or not 1 <= len(els) <= 25:
            return f"{where}.elements: between 1 and 25"
        for i, e in enumerate(els):
            if err := _element_error(e, f"{where}.elements[{i}]"):
                return err
        return None
    return f"{where}: unsupported block type {kind!r}"


def text_chars(obj: Any) -> int:
    """Characters of block text, as Slack counts them against msg_blocks_too_long."""
    if isinstance(obj, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else text_chars(v) for k, v in obj.items())
    return sum(text_chars(v) for v in obj) if isinstance(obj, list) else 0


def validate_blocks(blocks: Any) -> str | None:
    """Why Slack would answer `invalid_blocks` for these blocks, or None when they are valid."""
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return "blocks: not JSON"
    if not isinstance(blocks, list):
        return "blocks: must be a list"
    if len(blocks) > 50:
        return "blocks: must contain at most 50 blocks"
    for i, b in enumerate(blocks):
        if err := _block_error(b, f"blocks[{i}]"):
            return err
    return None


class FakeSlack(SlackSurfaces):
    """A threaded Slack Web API on 127.0.0.1; point `slack_sdk` at `url` through base_url."""

    def __init__(self, token: str = "xoxb-test-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.missing: set[str] = set()  # channel_not_found
        self.archived: set[str] = set()  # is_archived
        self.outside: set[str] = set()  # not_in_channel until conversations.join
        # conversations.list: channel ID -> {"name", "is_private", "is_archived"}, in creation order
        self.directory: dict[str, dict[str, Any]] = {}
        self.join_leaves_outside = False  # join answers ok but the bot stays outside
        self.thread_replies_until_500: int | None = None  # accept this many replies, then HTTP 500
        self._accept_then_fail: deque[str | None] = deque()  # per chat.postMessage: a fault or None
        self._released = threading.Event()  # ends the "hang" faults
        self._scripts: dict[str, deque[tuple[int, dict[str, Any], dict[str, str]]]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._n = 0
        self._init_surfaces()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        """The Web API base URL, ending with `/` as slack_sdk expects."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    # faults ----------------------------------------------------------------------------------

    def script(
        self, method: str, *responses: dict[str, Any] | tuple[int, dict[str, Any], dict[str, str]]
    ) -> None:
        """Answer the next calls of `method` with these bodies (or (status, body, headers))."""
        with self._lock:
            for r in responses:
                self._scripts[method].append(r if isinstance(r, tuple) else (200, r, {}))

    def rate_limit(self, method: str, times: int, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and Retry-After."""
        body = {"ok": False, "error": "ratelimited"}
        self.script(method, *[(429, body, {"Retry-After": str(retry_after)})] * times)

    def accept_then_fail(self, times: int = 1, *, after: int = 0, mode: str = "500") -> None:
        """Let `after` chat.postMessage calls through, then store `times` messages but fail to answer.

        `mode` is "500" (answer fatal_error), "drop" (close the connection) or "hang" (answer nothing
        until `release()`, so the test can stop the client as if its process died).
        """
        with self._lock:
            self._accept_then_fail.extend([None] * after + [mode] * times)

    def release(self) -> None:
        """End the "hang" faults: their connections are closed without an answer."""
        self._released.set()

    # assertions ------------------------------------------------------------------------------

    def top_level(self, channel: str | None = None) -> list[Message]:
        """Accepted channel messages that are not thread replies or ephemeral."""
        return [
            m
            for m in self.messages
            if m.thread_ts is None and m.user is None and (channel is None or m.channel == channel)
        ]

    def thread(self, ts: str) -> list[Message]:
        """Accepted replies in the thread of `ts`."""
        return [m for m in self.messages if m.thread_ts == ts]

    def calls_to(self, method: str) -> list[Call]:
        """Every call of one method, accepted or not."""
        return [c for c in self.calls if c.method == method]

    def assert_no_mentions(self) -> None:
        """Fail if any request carried a raw mention (`<!channel>`, `<@U…>`, `@here`, ...)."""
        for c in self.calls:
            dumped = json.dumps(c.params, ensure_ascii=False)
            m = MENTION.search(dumped)
            assert m is None, f"{c.method} carried a mention {m.group(0)!r}: {dumped[:300]}"

    # the API ---------------------------------------------------------------------------------

    def _ts(self) -> str:
        self._n += 1
        return f"{int(time.time())}.{self._n:06d}"  # the clock's second, so `oldest` filters work

    def _find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def _channel_error(self, channel: Any) -> str | None:
        if not channel or channel in self.missing:
            return "channel_not_found"
        if channel in self.archived:
            return "is_archived"
        if channel in self.outside:
            return "not_in_channel"
        return None

    def _post(self, p: dict[str, Any], ephemeral: bool) -> tuple[int, dict[str, Any]]:
        if err := self._channel_error(p.get("channel")):
            return 200, {"ok": False, "error": err}
        thread_ts = p.get("thread_ts")
        if thread_ts and self.thread_replies_until_500 is not None:
            if sum(1 for m in self.messages if m.thread_ts) >= self.thread_replies_until_500:
                return 500, {"ok": False, "error": "fatal_error"}
        if thread_ts and not self._find(p["channel"], str(thread_ts)):
            return 200, {"ok": False, "error": "thread_not_found"}
        blocks = p.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not p.get("text") and not blocks:
            return 200, {"ok": False, "error": "no_text"}
        if blocks is not None and (err := validate_blocks(blocks)):
            return 200, {"ok": False, "error": "invalid_blocks", "errors": [err]}
        if blocks and text_chars(blocks) > BLOCK_TEXT_CHARS:
            return 200, {"ok": False, "error": "msg_blocks_too_long"}
        if len(p.get("text") or "") > 40000:
            return 200, {"ok": False, "error": "msg_too_long"}
        if ephemeral and not p.get("user"):
            return 200, {"ok": False, "error": "user_not_found"}
        msg = Message(
            channel=p["channel"],
            ts=self._ts(),
            text=p.get("text") or "",
            blocks=blocks or [],
            thread_ts=str(thread_ts) if thread_ts else None,
            user=p.get("user") if ephemeral else None,
            metadata=json.loads(meta) if isinstance(meta := p.get("metadata"), str) else meta,
        )
        self.messages.append(msg)
        if ephemeral:
            return 200, {"ok": True, "message_ts": msg.ts}
        return 200, {"ok": True, "channel": msg.channel, "ts": msg.ts, "message": {"text": msg.text}}

    def _update(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        msg = self._find(p.get("channel", ""), str(p.get("ts", "")))
        if msg is None:
            return 200, {"ok": False, "error": "message_not_found"}
        blocks = p.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks is not None and (err := validate_blocks(blocks)):
            return 200, {"ok": False, "error": "invalid_blocks", "errors": [err]}
        msg.text = p.get("text", msg.text)
        msg.blocks = blocks if blocks is not None else msg.blocks
        return 200, {"ok": True, "channel": msg.channel, "ts": msg.ts}

    def _listed(self, m: Message, p: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": m.ts, "text": m.text, "blocks": m.blocks}
        if m.thread_ts:
            out["thread_ts"] = m.thread_ts
        if str(p.get("include_all_metadata", "")).lower() in ("1", "true") and m.metadata:
            out["metadata"] = m.metadata
        return out

    def _page(self, found: list[Message], p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        oldest = float(p.get("oldest") or 0)
        found = [m for m in found if float(m.ts) > oldest]
        start, limit = int(p.get("cursor") or 0), min(int(p.get("limit") or 100), 999)
        page, more = found[start : start + limit], start + limit < len(found)
        body = {"ok": True, "messages": [self._listed(m, p) for m in page], "has_more": more}
        return 200, body | {"response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _history(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        channel = p.get("channel")
        if err := self._channel_error(channel):
            return 200, {"ok": False, "error": err}
        found = [m for m in self.messages if m.channel == channel and m.thread_ts is None and m.user is None]
        return self._page(found[::-1], p)  # newest first

    def _replies(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        channel = p.get("channel")
        if err := self._channel_error(channel):
            return 200, {"ok": False, "error": err}
        parent = self._find(str(channel), str(p.get("ts", "")))
        if parent is None:
            return 200, {"ok": False, "error": "thread_not_found"}
        return self._page([parent, *self.thread(parent.ts)], p)  # the parent, then replies oldest first

    def _join(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        channel = p.get("channel")
        if not channel or channel in self.missing:
            return 200, {"ok": False, "error": "channel_not_found"}
        if channel in self.archived:
            return 200, {"ok": False, "error": "is_archived"}
        if not self.join_leaves_outside:
            self.outside.discard(channel)
        return 200, {"ok": True, "channel": {"id": channel, "is_member": True}}

    def _answer(self, method: str, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "auth.test":
            return 200, {
                "ok": True,
                "team": "Test",
                "user": "digest",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method == "chat.postMessage":
            return self._post(p, ephemeral=False)
        if method == "chat.postEphemeral":
            return self._post(p, ephemeral=True)
        if method == "chat.update":
            return self._update(p)
        if method == "chat.getPermalink":
            msg = self._find(p.get("channel", ""), str(p.get("message_ts", "")))
            if msg is None:
                return 200, {"ok": False, "error": "message_not_found"}
            link = f"https://test.slack.com/archives/{msg.channel}/p{msg.ts.replace('.', '')}"
            return 200, {"ok": True, "channel": msg.channel, "permalink": link}
        if method == "conversations.join":
            return self._join(p)
        if method == "conversations.history":
            return self._history(p)
        if method == "conversations.replies":
            return self._replies(p)
        if method == "conversations.list":
            return self._list(p)
        if method == "conversations.info":
            channel = p.get("channel")
            if not channel or channel in self.missing:
                return 200, {"ok": False, "error": "channel_not_found"}
            info = {"id": channel, "name": channel.lower(), "is_member": channel not in self.outside}
            return 200, {"ok": True, "channel": {**info, "is_archived": channel in self.archived}}
        if (surface := self._surface_answer(method, p)) is not None:
            return surface
        if method == "users.info":
            return 200, {"ok": True, "user": {"id": p.get("user"), "name": f"user-{p.get('user')}"}}
        return 200, {"ok": False, "error": "unknown_method"}

    def add_channel(
        self, channel_id: str, name: str, *, private: bool = False, archived: bool = False
    ) -> None:
        """A channel conversations.list knows (the bot sees every public channel, and private ones it is in)."""
        self.directory[channel_id] = {"name": name, "is_private": private, "is_archived": archived}

    def _list(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """conversations.list as Slack documents it: `types`, `exclude_archived`, `limit` and cursor pagination."""
        types = set(str(p.get("types") or "public_channel").split(","))
        if not types <= {"public_channel", "private_channel", "mpim", "im"}:
            return 200, {"ok": False, "error": "invalid_types"}
        exclude = str(p.get("exclude_archived", "false")).lower() in ("true", "1")
        limit = min(max(int(p.get("limit") or 100), 1), 1000)
        cursor = str(p.get("cursor") or "")
        start = int(cursor.removeprefix("dXNlcjo")) if cursor else 0
        if cursor and not cursor.startswith("dXNlcjo"):
            return 200, {"ok": False, "error": "invalid_cursor"}
        rows = [
            {
                "id": cid,
                "name": c["name"],
                "is_channel": not c["is_private"],
                "is_private": c["is_private"],
                "is_archived": c["is_archived"],
                "is_member": cid not in self.outside,
            }
            for cid, c in self.directory.items()
            if ("private_channel" if c["is_private"] else "public_channel") in types
            and not (exclude and c["is_archived"])
        ]
        page, rest = rows[start : start + limit], start + limit < len(rows)
        next_cursor = f"dXNlcjo{start + limit}" if rest else ""
        return 200, {"ok": True, "channels": page, "response_metadata": {"next_cursor": next_cursor}}

    def handle(
        self, method: str, auth: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        """Answer one Web API call: (HTTP status, JSON body, headers); no body: a fault, named in headers."""
        with self._lock:
            call = Call(method=method, params=params, at=time.monotonic())
            self.calls.append(call)
            if self._scripts[method]:
                status, body, headers = self._scripts[method].popleft()
            elif not auth.startswith("Bearer "):
                status, body, headers = 200, {"ok": False, "error": "not_authed"}, {}
            elif auth.removeprefix("Bearer ") != self.token:
                status, body, headers = 200, {"ok": False, "error": "invalid_auth"}, {}
            else:
                status, body = self._answer(method, params)
                headers = {}
            if method == "chat.postMessage" and body.get("ok") and self._accept_then_fail:
                fault = self._accept_then_fail.popleft()
                if fault in ("drop", "hang"):
                    call.status, call.error = 0, fault
                    return 0, None, {"fault": fault}
                if fault == "500":
                    status, body = 500, {"ok": False, "error": "fatal_error"}
            call.status, call.error = status, body.get("error")
            return status, body, headers

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                path = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params: dict[str, Any] = dict(parse_qsl(path.query))
                if "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(raw or "{}"))
                else:
                    params.update(parse_qsl(raw))
                auth = self.headers.get("Authorization") or ""
                if not auth and "token" in params:
                    auth = f"Bearer {params.pop('token')}"
                method = path.path.removeprefix("/api/")
                status, body, headers = fake.handle(method, auth, params)
                if body is None:
                    if headers.get("fault") == "hang":
                        fake._released.wait()
                    self.close_connection = True
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

        return Handler

"""A loopback chat-completions server for tests and benchmarks, with scriptable faults."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from analysis.budget import estimate_tokens

# Faults, by name: "invalid_json", "invalid_card", "length", "429", "500", "hang", "401", "403",
# "context", "reject_schema", "fenced" (a valid card inside prose and a ```json fence), "echo_key" (a 400
# whose message repeats the Authorization header, as some proxies do).
Fault = str | None

_TIER_RE = re.compile(r"Importance hint from the scorer: (high|medium|low)")
_PATH_RE = re.compile(r"^### (\S+)", re.M)


@dataclass
class Request:
    """One request as the server saw it."""

    path: str
    body: dict[str, Any]
    prompt_tokens: int  # estimate_tokens of all message contents
    started: float
    in_flight: int  # requests in flight when this one arrived, itself included
    status: int = 200
    fault: Fault = None
    finished: float = 0.0
    authorization: str = ""  # the Authorization header the request carried

    @property
    def response_format(self) -> str | None:
        """The requested response_format type, if any."""
        rf = self.body.get("response_format")
        return rf.get("type") if rf else None

    @property
    def max_tokens(self) -> int | None:
        """The requested completion limit."""
        return self.body.get("max_tokens") or self.body.get("max_completion_tokens")

    @property
    def user_text(self) -> str:
        """The user message content."""
        return "\n".join(m["content"] for m in self.body.get("messages", []) if m.get("role") == "user")


@dataclass
class ChatServer:
    """Serves POST /v1/chat/completions on 127.0.0.1 in a thread; use as a context manager."""

    faults: list[Fault] | Callable[[Request], Fault] = field(default_factory=list)
    latency: float = 0.0  # seconds added to every answer
    hang: float = 5.0  # how long a "hang" fault sleeps
    retry_after: str = "1"  # Retry-After sent with a "429"
    reject_json_schema: bool = False  # answer 400 to every json_schema response_format
    reject_response_format: bool = False  # answer 400 to every response_format
    reject_max_tokens: bool = False  # answer 400 to `max_tokens`, as newer OpenAI models do
    context_limit: int | None = None  # answer context_length_exceeded above this many estimated tokens
    overrule: str | None = None  # the importance every card claims, whatever the hint
    requests: list[Request] = field(default_factory=list)
    peak: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The base URL to give the openai client."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_fault(self, req: Request) -> Fault:
        with self._lock:
            if callable(self.faults):
                return self.faults(req)
            return self.faults.pop(0) if self.faults else None

    def _arrive(self, path: str, body: dict[str, Any]) -> Request:
        text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        with self._lock:
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
            req = Request(path, body, estimate_tokens(text), time.monotonic(), self._in_flight)
            self.requests.append(req)
        return req

    def _leave(self, req: Request) -> None:
        with self._lock:
            self._in_flight -= 1
            req.finished = time.monotonic()

    def answer(self, req: Request) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, JSON body and headers for one request."""
        fault = self._next_fault(req)
        req.fault = fault
        rf = req.response_format
        if fault == "hang":
            time.sleep(self.hang)
        if fault == "echo_key":
            return 400, _error(f"Invalid request with credentials {req.authorization!r}", None), {}
        if fault in ("401", "403"):
            return int(fault), _error("Incorrect API key provided", "invalid_api_key"), {}
        if fault == "429":
            return 429, _error("Rate limit reached", "rate_limit_exceeded"), {"Retry-After": self.retry_after}
        if fault == "500":
            return 500, _error("The server had an error", None), {}
        too_long = self.context_limit is not None and req.prompt_tokens > self.context_limit
        if fault == "context" or too_long:
            msg = f"This model's maximum context length is {self.context_limit} tokens."
            return 400, _error(msg, "context_length_exceeded", "messages"), {}
        if self.reject_max_tokens and "max_tokens" in req.body:
            msg = (
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead."
            )
            return 400, _error(msg, "unsupported_parameter", "max_tokens"), {}
        if rf and (
            fault == "reject_schema"
            or self.reject_response_format
            or (self.reject_json_schema and rf == "json_schema")
        ):
            msg = f"Invalid parameter: 'response_format' of type '{rf}' is not supported with this model."
            return 400, _error(msg, None, "response_format"), {}
        time.sleep(self.latency)
        content, finish = self._content(req, fault)
        usage = {"prompt_tokens": req.prompt_tokens, "completion_tokens": estimate_tokens(content)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        body = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.body.get("model", "fake"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}
            ],
            "usage": usage,
        }
        return 200, body, {}

    def _content(self, req: Request, fault: Fault) -> tuple[str, str]:
        text = req.user_text
        if "Write notes on this part only" in text:
            paths = _PATH_RE.findall(text)
            return f"Notes: this part changes {', '.join(paths[:8]) or 'the file list only'}.", "stop"
        card = json.dumps(plausible_card(text, self.overrule), ensure_ascii=False)
        if fault == "length":
            return card[: len(card) // 2], "length"
        if fault == "invalid_json":
            return "{" + card[1 : len(card) // 2], "stop"
        if fault == "invalid_card":
            return json.dumps({"summary": "not a card"}), "stop"
        if fault == "fenced" or req.response_format is None:
            return f"Here is the card:\n```json\n{card}\n```\nDone.", "stop"
        return card, "stop"


def plausible_card(prompt: str, tier: str | None = None) -> dict[str, Any]:
    """A card shaped by the prompt: the requested depth (or `tier`) and language, paths from the diff."""
    m = _TIER_RE.search(prompt)
    tier = tier or (m.group(1) if m else "medium")
    zh = "Simplified Chinese" in prompt
    paths = _PATH_RE.findall(prompt)[:5] or ["(file list)"]
    say = (lambda en, cn: cn) if zh else (lambda en, cn: en)
    none = "none"
    lines = {"low": 1, "medium": 3, "high": 5}[tier]
    card: dict[str, Any] = {
        "change_type": say("feature", "功能增强"),
        "importance": tier,
        "importance_reason": say(f"Scorer said {tier}; the diff agrees.", f"评分为{tier}，与变更一致。"),
        "summary": [say(f"Changes {p}.", f"修改了 {p}。") for p in (paths * lines)[:lines]],
        "impact_scope": paths,
        "insight": {
            "architecture": say("New module boundary.", "新增模块边界。") if tier == "high" else none,
            "performance": say("Fewer copies on the hot path.", "热路径上的拷贝更少。")
            if tier == "high"
            else none,
            "security": none,
            "maintainability": say("Smaller functions.", "函数更小。") if tier != "low" else none,
        },
        "risks": [say("Behaviour change for callers.", "调用方行为变化。")] if tier != "low" else [],
        "recommendations": [say("Add a regression test.", "补充回归测试。")] if tier == "high" else [],
        "conclusion": say("A focused change.", "一次聚焦的改动。"),
        "not_read": [],
    }
    return card


def _error(message: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                self._send(404, {"error": {"message": "not found"}}, {})
                return
            req = server._arrive(self.path, body)
            req.authorization = self.headers.get("Authorization", "")
            try:
                status, payload, headers = server.answer(req)
                req.status = status
                self._send(status, payload, headers)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                server._leave(req)

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler

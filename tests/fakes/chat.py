"""A loopback chat-completions server for tests and benchmarks, with scriptable faults.

Its refusals are worded like the real servers': OpenAI's 400s, llama-cpp-python's 500 for a
json_schema response_format (a pydantic validation message), a FastAPI 422 for the same, and the
context-length error. `serial=True` computes one request at a time like llama.cpp on a CPU: others
wait in a queue, and a request whose client gave up is still computed to the end (and counted);
`slots=N` computes at most N at once. `props=True` serves llama.cpp's GET /props (total_slots, n_ctx).
The tiny requests of a first-contact burst are kept in `probes`, apart from `requests`.
"""

from __future__ import annotations

import json
import math
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from analysis.llm.parallel import PROBE_TOKENS
from analysis.tokens import estimate_tokens
from tests.fakes import chat_answers as answers
from tests.fakes.cards import plausible_card

__all__ = ["ChatServer", "Request", "plausible_card"]

# Faults, by name: "invalid_json", "invalid_card", "length", "429", "500", "hang", "401", "403",
# "context", "reject_schema", "fenced" (a valid card inside prose and a ```json fence),
# "html" (a proxy's login page, status 200), "ok_true" ({"ok": true}, status 200),
# "no_choices" (a completion with an empty choices list), "silent" (never answers at all),
# "echo_key" (a 400 whose message repeats the Authorization header, as some proxies do).
Fault = str | None

_CITED_RE = re.compile(r"\[([0-9a-f]{7,40})\]")
WEEK_MARKER = "Write the week's overview"

# the product's first-contact burst
PROBE_PROMPT = re.compile(r"Count from \d+ to \d+, separated by spaces\.")
OVERVIEW_MARKERS = ("Write the day's overview", "Merge them into the overview of the whole day")
QUESTION_MARKER = "Answer the member's question"


@dataclass
class Request:
    """One request as the server saw it."""

    path: str
    body: dict[str, Any]
    prompt_tokens: int  # the server's own count of the message contents
    started: float
    in_flight: int  # requests in flight when this one arrived, itself included
    status: int = 200
    fault: Fault = None
    finished: float = 0.0
    completion_tokens: int = 0  # the usage the answer reported
    computing: float = 0.0  # when a serial server started computing it
    abandoned: bool = False  # computed to the end after its client had gone
    authorization: str = ""  # the Authorization header the request carried

    @property
    def response_format(self) -> str | None:
        """The requested response_format type, if any."""
        rf = self.body.get("response_format")
        return rf.get("type") if rf else None

    @property
    def schema_attached(self) -> bool:
        """Whether a json_object response_format carries a schema (honoured with a grammar)."""
        rf = self.body.get("response_format") or {}
        return rf.get("type") == "json_object" and isinstance(rf.get("schema"), dict)

    @property
    def max_tokens(self) -> int | None:
        """The requested completion limit."""
        return self.body.get("max_tokens") or self.body.get("max_completion_tokens")

    @property
    def is_probe(self) -> bool:
        """Whether this is one of the product's tiny first-contact requests (a short count, a few tokens)."""
        return bool(PROBE_PROMPT.fullmatch(self.user_text)) and (self.max_tokens or 99) <= PROBE_TOKENS

    @property
    def user_text(self) -> str:
        """The user message content."""
        return "\n".join(m["content"] for m in self.body.get("messages", []) if m.get("role") == "user")


@dataclass
class ChatServer:
    """Serves /v1/chat/completions and /v1/models on 127.0.0.1 in a thread; use as a context manager."""

    faults: list[Fault] | Callable[[Request], Fault] = field(default_factory=list)
    latency: float = 0.0  # seconds added to every answer
    probe_latency: float | None = None  # seconds for a first-contact probe instead (a CPU server's)
    overhead: float = 0.0  # seconds each request spends outside the queue (HTTP, templating), all at once
    hang: float = 5.0  # how long a "hang" fault sleeps
    retry_after: str = "1"  # Retry-After sent with a "429"
    reject_json_schema: bool = False  # answer 400 to every json_schema response_format
    json_schema_refusal: int | None = None  # 400 (OpenAI-like), 422 (FastAPI) or 500 (llama-cpp-python)
    reject_response_format: bool = False  # answer 400 to every response_format
    reject_max_tokens: bool = False  # answer 400 to `max_tokens`, as newer OpenAI models do
    context_limit: int | None = None  # refuse prompts over this many tokens, as llama.cpp and vLLM do
    token_scale: float = 1.0  # the server's tokenizer count over the project's estimate
    max_model_len: int | None = None  # published in /v1/models, as vLLM does
    overrule: str | None = None  # the importance every card claims, whatever the hint
    # the answer to every overview request, instead of a plausible one made from the cited SHAs
    overview: Callable[[Request], dict[str, Any]] | None = None
    # the answer to every question asked in a thread, instead of one citing the first SHA and path shown
    question: Callable[[Request], dict[str, Any]] | None = None
    serial: bool = False  # compute one request at a time; the others queue
    slots: int | None = None  # compute at most this many at once (None: no limit); the others queue
    props: bool = False  # serve llama.cpp's GET /props with total_slots (slots, 1 when serial) and n_ctx
    content: Callable[[Request], str] | None = None  # the answer's text instead of a plausible card
    probes: list[Request] = field(default_factory=list)  # first-contact burst requests
    prompt_tps: float | None = None  # prompt tokens read per second (compute time grows with the prompt)
    gen_tps: float | None = None  # tokens generated per second
    requests: list[Request] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)  # paths of GET requests (models listing, properties)
    peak: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._turn = threading.Condition()
        self._tickets = self._serving = 0
        self._closed = threading.Event()
        self._in_flight = 0
        self._slots = threading.BoundedSemaphore(self.slots) if self.slots else None
        self._httpd = _Listener(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        if self.reject_json_schema and self.json_schema_refusal is None:
            self.json_schema_refusal = 400

    @property
    def card_requests(self) -> list[Request]:
        """The requests for commit cards, leaving out the day's overview."""
        return [
            r
            for r in self.requests
            if not any(m in r.user_text for m in (*OVERVIEW_MARKERS, QUESTION_MARKER))
        ]

    @property
    def question_requests(self) -> list[Request]:
        """The requests answering a question asked in a thread."""
        return [r for r in self.requests if QUESTION_MARKER in r.user_text]

    @property
    def base_url(self) -> str:
        """The base URL to give the openai client."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def computed_for_nobody(self) -> int:
        """Requests computed to the end after their client had given up."""
        return sum(r.abandoned for r in self.requests + self.probes)

    def properties(self) -> dict[str, Any]:
        """GET /props as llama.cpp's server gives it: parallel slots and the per-slot context."""
        slots = 1 if self.serial else (self.slots or 1)
        return {"total_slots": slots, "default_generation_settings": {"n_ctx": self.context_limit or 8192}}

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed.set()
        with self._turn:
            self._turn.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_fault(self, req: Request) -> Fault:
        if any(r is req for r in self.probes):
            return None  # scripted faults are meant for the product's real requests
        with self._lock:
            if callable(self.faults):
                return self.faults(req)
            return self.faults.pop(0) if self.faults else None

    def _arrive(self, path: str, body: dict[str, Any]) -> Request:
        text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        tokens = math.ceil(estimate_tokens(text) * self.token_scale)
        with self._lock:
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
            req = Request(path, body, tokens, time.monotonic(), self._in_flight)
            probe = req.is_probe
            (self.probes if probe else self.requests).append(req)
        return req

    def _leave(self, req: Request) -> None:
        with self._lock:
            self._in_flight -= 1
            req.finished = time.monotonic()

    def _wait_turn(self) -> int:
        with self._turn:
            ticket = self._tickets
            self._tickets += 1
            self._turn.wait_for(lambda: self._serving == ticket or self._closed.is_set())
        return ticket

    def _end_turn(self) -> None:
        with self._turn:
            self._serving += 1
            self._turn.notify_all()

    def answer(self, req: Request, gone: Callable[[], bool]) -> tuple[int, Any, dict[str, str]]:
        """Status, body (JSON, or text for an HTML page) and headers for one request."""
        time.sleep(self.overhead)  # HTTP and templating, done for every request at once
        if not self.serial and self._slots is None:
            return self._answer(req)
        if self._slots is not None and not self.serial:
            with self._slots:
                req.computing = time.monotonic()
                return self._answer(req)
        self._wait_turn()
        try:
            req.computing = time.monotonic()
            result = self._answer(req)
            req.abandoned = gone()
            return result
        finally:
            self._end_turn()

    def _compute_time(self, req: Request, completion: int) -> float:
        tiny = req.is_probe and self.probe_latency is not None
        seconds = self.latency if not tiny else (self.probe_latency or 0.0)
        if self.prompt_tps:
            seconds += req.prompt_tokens / self.prompt_tps
        if self.gen_tps:
            seconds += completion / self.gen_tps
        return seconds

    def _answer(self, req: Request) -> tuple[int, Any, dict[str, str]]:
        fault = self._next_fault(req)
        req.fault = fault
        rf = req.response_format
        if fault == "silent":
            self._closed.wait()
            return 503, answers.error("shutting down", None), {}
        if fault == "hang":
            time.sleep(self.hang)
        if fault == "echo_key":
            return 400, _error(f"Invalid request with credentials {req.authorization!r}", None), {}
        if fault in ("401", "403"):
            return int(fault), answers.error("Incorrect API key provided", "invalid_api_key"), {}
        if fault == "429":
            return (
                429,
                answers.error("Rate limit reached", "rate_limit_exceeded"),
                {"Retry-After": self.retry_after},
            )
        if fault == "500":
            return 500, answers.error("The server had an error", None), {}
        if self.json_schema_refusal and rf == "json_schema":
            return answers.json_schema_refusal(self.json_schema_refusal)
        asked = req.max_tokens or 0
        if fault == "context" or (self.context_limit is not None and req.prompt_tokens > self.context_limit):
            return 400, answers.context_error(self.context_limit or 4096, req.prompt_tokens, asked), {}
        if self.reject_max_tokens and "max_tokens" in req.body:
            return 400, answers.max_tokens_refusal(), {}
        if rf and (fault == "reject_schema" or self.reject_response_format):
            msg = f"Invalid parameter: 'response_format' of type '{rf}' is not supported with this model."
            return 400, answers.error(msg, None, "response_format"), {}
        if fault in ("html", "ok_true", "no_choices"):
            return answers.odd_answer(fault)
        content, finish = self._content(req, fault)
        completion = estimate_tokens(content)
        if self.context_limit is not None and req.prompt_tokens + completion > self.context_limit:
            room = max(0, self.context_limit - req.prompt_tokens)  # the server clamps the answer
            content, finish = content[: room * 3], "length"
            completion = estimate_tokens(content)
        req.completion_tokens = completion
        time.sleep(self._compute_time(req, completion))
        return 200, answers.completion(req, content, finish, completion, len(self.requests)), {}

    def _content(self, req: Request, fault: Fault) -> tuple[str, str]:
        text = req.user_text
        if req.max_tokens == 1:
            return "ready", "length"
        if req.is_probe:  # a count, cut at the limit like any answer
            start = int(text.split()[2])
            count = " ".join(str(n) for n in range(start, start + 21))
            cut = (req.max_tokens or PROBE_TOKENS) * 3
            return count[:cut], "length" if len(count) > cut else "stop"
        if self.content is not None:
            own = self.content(req)
            cut = (req.max_tokens or 10**6) * 3  # the server stops at max_tokens (about 3 characters each)
            return own[:cut], "length" if len(own) > cut else "stop"
        if "Write notes on this part only" in text:
            return answers.notes(text), "stop"
        if WEEK_MARKER in text:  # the week's overview, from the days' overviews
            answer = {
                "headline": "A week of kernels.",
                "themes": [{"title": "Kernels", "text": "Kernels moved."}],
            }
            card = json.dumps(answer)
        elif any(m in text for m in OVERVIEW_MARKERS):
            answer = self.overview(req) if self.overview else plausible_overview(text)
            card = json.dumps(answer, ensure_ascii=False)
        elif QUESTION_MARKER in text:
            answer = self.question(req) if self.question else plausible_answer(text)
            card = json.dumps(answer, ensure_ascii=False)
        else:
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

    def listing(self) -> dict[str, Any]:
        """GET /v1/models: llama-cpp-python's shape, with vLLM's max_model_len when set."""
        entry: dict[str, Any] = {"id": "test-model", "object": "model", "owned_by": "me", "permissions": []}
        if self.max_model_len:
            entry["max_model_len"] = self.max_model_len
        return {"object": "list", "data": [entry]}


def plausible_overview(prompt: str) -> dict[str, Any]:
    """An overview shaped by the prompt: the cited SHAs in up to three themes, reverts as attention."""
    day = prompt.split("<day-data>", 1)[-1]
    shas = list(dict.fromkeys(_CITED_RE.findall(day)))
    zh = "Simplified Chinese" in prompt
    groups = [shas[i::3] for i in range(min(3, len(shas)))]
    themes = [
        {
            "title": f"主题 {i}" if zh else f"Theme {i}",
            "text": f"{len(g)} 个相关提交。" if zh else f"{len(g)} related commits.",
            "commits": g,
        }
        for i, g in enumerate(groups, 1)
    ]
    reverts = [m.group(1) for m in re.finditer(r"\[([0-9a-f]{7,40})\][^\n]*\bRevert", day)]
    attention = (
        [{"text": "回滚了提交。" if zh else "Reverts earlier work.", "commits": reverts}] if reverts else []
    )
    headline = f"今天有 {len(shas)} 个提交。" if zh else f"A day of {len(shas)} commits."
    return {"headline": headline, "themes": themes, "attention": attention}


def plausible_answer(prompt: str) -> dict[str, Any]:
    """An answer to a thread question citing the first SHA and path the data shows."""
    data = prompt.split("<thread-data>", 1)[-1]
    shas = _CITED_RE.findall(data)[:1]
    paths = re.findall(r"(?m)^[AMDRC] (\S+)", data)[:1]
    return {
        "answer": f"It changes {', '.join(paths) or 'the files listed'}.",
        "commits": shas,
        "files": paths,
    }


class _Listener(ThreadingHTTPServer):
    request_queue_size = 128  # a real server's backlog: a burst of connections is not refused and retried


def _error(message: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


def _client_gone(sock: socket.socket) -> bool:
    """Whether the client closed its side of the connection (it gave up waiting)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            server.gets.append(self.path)
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._send(200, server.listing(), {})
            elif self.path.rstrip("/") == "/props" and server.props:
                self._send(200, server.properties(), {})
            else:
                self._send(404, {"detail": "Not Found"}, {})

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
                self._send(404, {"error": {"message": "not found"}}, {})
                return
            req = server._arrive(self.path, body)
            req.authorization = self.headers.get("Authorization", "")
            try:
                status, payload, headers = server.answer(req, lambda: _client_gone(self.connection))
                req.status = status
                self._send(status, payload, headers)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                server._leave(req)

        def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
            if isinstance(payload, str):
                data, kind = payload.encode(), "text/html; charset=utf-8"
            else:
                data, kind = json.dumps(payload, ensure_ascii=False).encode(), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler

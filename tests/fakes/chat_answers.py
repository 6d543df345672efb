"""The bodies real chat-completions servers answer with: completions, refusals and odd answers."""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.cards import PATH_RE

_PYDANTIC = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n  File \"/srv/llama_cpp/server/app.py\", "
    "line 376, in create_chat_completion\n    POST /v1/chat/completions"
)


def error(
    message: str, code: str | None, param: str | None = None, kind: str = "invalid_request_error"
) -> dict:
    """An OpenAI-shaped error body."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def json_schema_refusal(status: int) -> tuple[int, Any, dict[str, str]]:
    """A json_schema response_format refused: OpenAI-like 400, FastAPI 422 or llama-cpp-python 500."""
    if status == 500:
        return 500, error(_PYDANTIC, None, kind="internal_server_error"), {}
    if status == 422:
        detail = {
            "type": "literal_error",
            "loc": ["body", "response_format", "type"],
            "msg": "Input should be 'text' or 'json_object'",
            "input": "json_schema",
            "ctx": {"expected": "'text' or 'json_object'"},
        }
        return 422, {"detail": [detail]}, {}
    msg = "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."
    return 400, error(msg, None, "response_format"), {}


def context_error(limit: int, prompt: int, completion: int) -> dict:
    """The context-length refusal in the wording of OpenAI, vLLM and llama-cpp-python."""
    msg = (
        f"This model's maximum context length is {limit} tokens. However, you requested "
        f"{prompt + completion} tokens ({prompt} in the messages, {completion} in the completion). "
        "Please reduce the length of the messages or completion."
    )
    return error(msg, "context_length_exceeded", "messages")


def max_tokens_refusal() -> dict:
    """Newer OpenAI models' refusal of `max_tokens`."""
    msg = (
        "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead."
    )
    return error(msg, "unsupported_parameter", "max_tokens")


def odd_answer(kind: str) -> tuple[int, Any, dict[str, str]]:
    """Status 200 answers that are not completions: a proxy's HTML page, {"ok": true}, no choices."""
    if kind == "html":
        return 200, "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in</body></html>", {}
    if kind == "ok_true":
        return 200, {"ok": True}, {}
    body = {"id": "chatcmpl-empty", "object": "chat.completion", "created": int(time.time()), "model": "m"}
    return 200, {**body, "choices": []}, {}


def completion(req: Any, content: str, finish: str, completion_tokens: int, n: int) -> dict:
    """A chat completion with usage."""
    usage = {"prompt_tokens": req.prompt_tokens, "completion_tokens": completion_tokens}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.body.get("model", "fake"),
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}
        ],
        "usage": usage,
    }


def notes(text: str) -> str:
    """Notes on one part of a large commit."""
    paths = PATH_RE.findall(text)
    return f"Notes: this part changes {', '.join(paths[:8]) or 'the file list only'}."

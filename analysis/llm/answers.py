"""What the endpoint's answers and refusals mean: a usable completion, a refused format, a short reason."""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

import openai

from analysis.llm.failures import ContextTooLong, Failed, FormatRejected, LimitParamRejected
from analysis.llm.parse import MalformedAnswer

_CAPPED = 0.95  # an answer this share of its token limit long or longer used up its room


class Reply(NamedTuple):
    """One answer: its content, finish reason, and completion tokens against the token limit it was sent with."""

    text: str
    finish: str
    tokens: int = 0
    limit: int = 0

    @property
    def ran_on(self) -> bool:
        """Whether the answer was cut off having used all its room: the model ran on, the server did not stop it
        early (a slot's end, a server's own cap)."""
        return self.finish == "length" and self.limit > 0 and self.tokens >= _CAPPED * self.limit


# what a chat template writes around turns: in an answer, the model read a template that is not its own and goes on
# writing it (a GGUF without its template gets llama-cpp-python's llama-2 or llama.cpp's ChatML fallback)
_TEMPLATE_MARKERS = (
    "<|im_start|>",
    "<|im_end|>",
    "<<SYS>>",
    "[INST]",
    "[/INST]",
    "<start_of_turn>",
    "<end_of_turn>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<|endoftext|>",
)


def template_marker(text: str, messages: list[dict[str, str]]) -> str | None:
    """The first chat-template turn marker the answer holds and its prompt did not (the commit may quote one)."""
    found = [marker for marker in _TEMPLATE_MARKERS if marker in text]
    if found:  # the prompt is read only then: most answers hold none
        prompt = "\n".join(str(m.get("content", "")) for m in messages)
        found = [marker for marker in found if marker not in prompt]
    return min(found, key=text.find) if found else None


_FORMAT_WORDS = ("response_format", "json_schema", "json_object")
_CONTEXT_WORDS = ("maximum context length", "context length", "context window", "context size")


def message_of(e: openai.APIStatusError) -> str:
    """The error's text, lower-cased, with the body when it is not OpenAI's shape (FastAPI's `detail`)."""
    text = getattr(e, "message", "") or str(e)
    if isinstance(e.body, dict) and "error" not in e.body:
        text += " " + str(e.body)
    return text.lower()


def first_line(text: str, limit: int = 200) -> str:
    """The first line of an error text, clipped: bodies can carry server tracebacks."""
    return (text.strip().splitlines() or [""])[0][:limit]


def transient(e: BaseException) -> bool:
    """Whether trying again later may succeed: connection trouble, 429, 408, 409 and 5xx."""
    if isinstance(e, openai.APIConnectionError | openai.RateLimitError | openai.InternalServerError):
        return True
    return isinstance(e, openai.APIStatusError) and (e.status_code in (408, 409) or e.status_code >= 500)


def too_long(e: openai.APIStatusError) -> bool:
    """Whether the endpoint refuses the prompt for its size."""
    msg = message_of(e)
    return e.code == "context_length_exceeded" or any(w in msg for w in _CONTEXT_WORDS)


def refuses_format(e: openai.APIStatusError) -> bool:
    """Whether the endpoint refuses the response_format, whatever the status (400, 422, 500...)."""
    if e.status_code in (401, 403, 404, 408, 429):
        return False
    return e.param == "response_format" or any(w in message_of(e) for w in _FORMAT_WORDS)


def retry_after(e: BaseException | None) -> float:
    """Seconds the endpoint asked us to wait, from Retry-After(-ms); 0 when it did not say."""
    if not isinstance(e, openai.APIStatusError):
        return 0.0
    headers = e.response.headers
    try:
        if ms := headers.get("retry-after-ms"):
            return float(ms) / 1000
        value = headers.get("retry-after")
        if not value:
            return 0.0
        if value.replace(".", "", 1).isdigit():
            return float(value)
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (ValueError, TypeError):
        return 0.0


def completion(resp: Any) -> tuple[str, str]:
    """Content and finish reason of a chat completion; MalformedAnswer when it is not one."""
    if isinstance(resp, str | bytes):
        text = resp if isinstance(resp, str) else resp.decode("utf-8", "replace")
        what = "an HTML page" if "<html" in text[:2000].lower() else "plain text"
        raise MalformedAnswer(f"the endpoint answered with {what}, not a chat completion")
    choices = getattr(resp, "choices", None)
    if not isinstance(choices, list):
        raise MalformedAnswer("the endpoint's answer is not a chat completion (no choices)")
    if not choices:
        raise MalformedAnswer("the endpoint's completion has no choices")
    message = getattr(choices[0], "message", None)
    if message is None:
        raise MalformedAnswer("the endpoint's completion has no message")
    content = message.content
    return (content if isinstance(content, str) else ""), (choices[0].finish_reason or "stop")


def refusal(
    e: openai.APIStatusError, learn: Callable[[str], bool], limit_param: str, formatted: bool
) -> Exception:
    """What a refusal means: the prompt's size (`learn` reads the window from it), the token parameter, the
    response format, a passing fault, or the commit."""
    msg = message_of(e)
    if too_long(e):
        return ContextTooLong(learned=learn(msg))
    if limit_param == "max_tokens" and (e.param == "max_tokens" or "max_completion_tokens" in msg):
        return LimitParamRejected()
    if formatted and refuses_format(e):
        return FormatRejected()
    if transient(e):
        return e
    return Failed(f"endpoint answered {e.status_code}: {first_line(msg)}")

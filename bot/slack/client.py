"""The Slack Web API client: retries that never duplicate a message, and errors recognised by class."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from analysis.errors import CommitDigestError

MAX_RETRY_AFTER = 120.0  # longer waits end the attempt; the delivery resumes on the next run
HINTS = {
    "channel_not_found": "the channel does not exist or the app cannot see it; check the channel ID",
    "is_archived": "the channel is archived",
    "not_in_channel": "the app is not in the channel and could not join it; /invite it",
    "invalid_auth": "Slack rejected SLACK_BOT_TOKEN",
    "not_authed": "no Slack token was sent; set SLACK_BOT_TOKEN",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; reinstall the app",
    "account_inactive": "the app's account is inactive; reinstall the app",
    "missing_scope": "the app lacks a scope; reinstall it from slack-manifest.yaml",
    "ratelimited": "Slack kept rate-limiting the app",
}
_MAYBE_ACCEPTED = ("fatal_error", "internal_error", "request_timeout", "service_unavailable")
_BLOCKS_REJECTED = ("invalid_blocks", "msg_blocks_too_long")


class PostError(CommitDigestError):
    """Slack refused a call; `code` is Slack's error code (e.g. channel_not_found)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"{code}: {HINTS[code]}" if code in HINTS else code)
        self.code = code


class NotInChannel(PostError):
    """The app is not a member of the channel."""


class BlocksRejected(PostError):
    """Slack rejected a message's blocks; its text alone may still be posted."""


class MaybeAccepted(PostError):
    """The call failed in a way that may have happened after Slack accepted the message."""


def maybe_accepted(code: str | None) -> bool:
    """True when a call that failed with `code` may still have reached Slack (server or connection error)."""
    code = code or ""
    return code in _MAYBE_ACCEPTED or code.startswith(("connection_error", "http_5"))


def post_error(code: str) -> PostError:
    """The PostError subclass that says what Slack's error `code` means for the caller."""
    if code == "not_in_channel":
        return NotInChannel(code)
    if code in _BLOCKS_REJECTED:
        return BlocksRejected(code)
    if maybe_accepted(code):
        return MaybeAccepted(code)
    return PostError(code)


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after the whole Retry-After value (slack_sdk's own reads only its first digit)."""

    async def prepare_for_next_attempt_async(self, *, state, request, response=None, error=None) -> None:
        """Sleep for Retry-After seconds (capped, with a little jitter), then count the attempt."""
        if response is None:
            raise error  # type: ignore[misc]
        value = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        try:
            delay = min(float(value), MAX_RETRY_AFTER) if value is not None else 1.0
        except ValueError:
            delay = 1.0
        state.next_attempt_requested = True
        await asyncio.sleep(max(delay, 0.0) + random.random() * 0.25)
        state.increment_current_attempt()


class ConnectionRetryHandler(AsyncConnectionErrorRetryHandler):
    """Retries connection errors, except a chat.postMessage that may already have reached Slack."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: Any = None,
        error: Exception | None = None,
    ) -> bool:
        """True for a retryable connection error, unless a posted message could be duplicated."""
        if request.url.endswith("/chat.postMessage") and not isinstance(error, aiohttp.ClientConnectorError):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def make_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """An AsyncWebClient that honours 429 Retry-After and retries connection errors."""
    handlers = [
        RetryAfterHandler(max_retry_count=5),
        ConnectionRetryHandler(max_retry_count=3),
    ]
    if base_url:
        return AsyncWebClient(token=token, base_url=base_url.rstrip("/") + "/", retry_handlers=handlers)
    return AsyncWebClient(token=token, retry_handlers=handlers)


async def call(client: AsyncWebClient, method: str, **kwargs: Any) -> dict[str, Any]:
    """One Web API call; Slack and connection errors become PostError (by class)."""
    try:
        resp = await getattr(client, method)(**kwargs)
    except SlackApiError as e:
        raise post_error(str(e.response.get("error") or f"http_{e.response.status_code}")) from None
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as e:
        raise post_error(f"connection_error ({type(e).__name__})") from None
    return dict(resp.data) if isinstance(resp.data, dict) else {}


async def send(client: AsyncWebClient, method: str, channel: str, **kwargs: Any) -> dict[str, Any]:
    """A chat call in `channel`; on not_in_channel, join and retry once."""
    try:
        return await call(client, method, channel=channel, **kwargs)
    except NotInChannel:
        pass
    await call(client, "conversations_join", channel=channel)
    return await call(client, method, channel=channel, **kwargs)


async def post_message(client: AsyncWebClient, channel: str, **kwargs: Any) -> str:
    """chat.postMessage (joining the channel if needed); return the new message's ts."""
    data = await send(client, "chat_postMessage", channel, **kwargs)
    return str(data["ts"])

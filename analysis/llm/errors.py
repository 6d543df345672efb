"""Why a call to the chat endpoint did not give an answer; caught by class, never by message."""

from __future__ import annotations


class LLMError(Exception):
    """Base of the chat endpoint's outcomes that end a call without an answer."""


class Stopped(LLMError):
    """LLM calls are stopped for this run (the key was rejected)."""


class ContextTooLong(LLMError):
    """The endpoint says the prompt exceeds its context."""


class FormatRejected(LLMError):
    """The endpoint rejects the requested response_format."""


class LimitParamRejected(LLMError):
    """The endpoint wants `max_completion_tokens` instead of `max_tokens`."""


class Failed(LLMError):
    """The commit cannot be analyzed this run; the message is the short reason stored."""


class GaveUp(LLMError):
    """The commit used up its requests for this run; it stays pending."""


class UnknownProvider(LLMError):
    """LLMConfig.provider names no registered analyzer."""

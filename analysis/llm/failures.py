"""Why a call to the chat endpoint did not give an answer; caught by class, never by message."""

from __future__ import annotations

from typing import Literal

from analysis.errors import CommitDigestError

StopReason = Literal["auth", "unresponsive", "deadline", "unusable"]


class LLMError(CommitDigestError):
    """Base of the chat endpoint's outcomes that end a call without an answer."""


class Stopped(LLMError):
    """LLM calls are stopped for the rest of this run; `reason` says why."""

    def __init__(self, reason: StopReason):
        super().__init__(reason)
        self.reason: StopReason = reason


class ContextTooLong(LLMError):
    """The prompt does not fit the endpoint's context; `learned` when the window is now known."""

    def __init__(self, learned: bool = False):
        super().__init__("prompt too long for the endpoint's context")
        self.learned = learned


class FormatRejected(LLMError):
    """The endpoint refuses the requested response_format."""


class LimitParamRejected(LLMError):
    """The endpoint wants `max_completion_tokens` instead of `max_tokens`."""


class Failed(LLMError):
    """The commit cannot be analyzed this run; the message is the short reason stored."""


class GaveUp(LLMError):
    """The commit used up its requests for this run, or the endpoint's answers were unusable; it stays pending."""


class UnknownProvider(LLMError):
    """LLMConfig.provider names no registered analyzer."""


class Unusable(Failed):
    """The model's card said nothing usable, even when asked again more strictly; `reason` says why."""

    def __init__(self, reason: str, answers: int):
        super().__init__(f"the model's answer was unusable: {reason}")
        self.reason = reason
        self.answers = answers  # unusable answers this commit cost

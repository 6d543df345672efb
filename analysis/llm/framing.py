"""What every request of one kind says around its task: prompt version, system prompt, language line, data fence."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.tokens import estimate_tokens

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class Framing:
    """The framing of one kind of request (commit cards, the day's overview); bump `version` when its text changes."""

    version: str
    system: str
    languages: dict[str, str]  # language -> the line saying which language to write in; "en" is the fallback
    fence: str  # the tag around untrusted data, e.g. "commit-data"

    def language(self, language: str) -> str:
        """The line asking for prose in `language` (English when it has none)."""
        return self.languages.get(language, self.languages["en"])

    def wrap(self, content: str) -> str:
        """`content` fenced as untrusted data; a closing fence inside it is defused."""
        close = f"</{self.fence}>"
        return f"<{self.fence}>\n" + content.replace(close, f"<\\/{self.fence}>") + f"\n{close}"

    def messages(self, user: str) -> Messages:
        """The system message of this kind, then `user`."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


def estimate(messages: Messages) -> int:
    """Estimated prompt tokens of `messages`, with a few per message for the chat template."""
    return sum(estimate_tokens(m["content"]) + 8 for m in messages)

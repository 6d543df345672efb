"""What an overview holds: a headline, themes and attention items, each citing the day's commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

Source = Literal["llm", "heuristic"]

HEADLINE_CHARS = 300
TITLE_CHARS = 120
TEXT_CHARS = 600
MAX_THEMES = 5
MAX_ATTENTION = 5


class Theme(BaseModel):
    """A group of related commits: a short title, one or two sentences, and the commits (full SHAs)."""

    title: str
    text: str = ""
    commits: list[str] = Field(default_factory=list)


class AttentionItem(BaseModel):
    """Something a dependent team must act on or watch, with the commits behind it (full SHAs)."""

    text: str
    commits: list[str] = Field(default_factory=list)


class Overview(BaseModel):
    """One repository's day in brief, written by the model or by the heuristic."""

    headline: str
    themes: list[Theme] = Field(default_factory=list)
    attention: list[AttentionItem] = Field(default_factory=list)
    source: Source = "heuristic"

    def cited(self) -> list[str]:
        """Every SHA the overview cites, in order, once each."""
        shas = [s for th in self.themes for s in th.commits] + [s for a in self.attention for s in a.commits]
        return list(dict.fromkeys(shas))


# ---- what the model is asked to answer (strict-schema friendly: every field required, no defaults) ----


class ThemeAnswer(BaseModel):
    """A theme as the model writes it: commits are SHAs (prefixes) copied from the cards."""

    title: str = Field(description="A few words naming the theme")
    text: str = Field(description="One or two sentences: what changed and why it matters")
    commits: list[str] = Field(description="SHAs of the commits in this theme, copied from the cards")


class AttentionAnswer(BaseModel):
    """An attention item as the model writes it."""

    text: str = Field(description="What a dependent team must act on or watch, and why")
    commits: list[str] = Field(description="SHAs of the commits behind it, copied from the cards")


class OverviewAnswer(BaseModel):
    """The model's overview of a day (or of part of a day), before it is checked against the day's commits."""

    headline: str = Field(description="One sentence: the day in brief")
    themes: list[ThemeAnswer] = Field(description="Two to five groups of related commits")
    attention: list[AttentionAnswer] = Field(description="Things to act on or watch; empty when none")


@dataclass
class Cached:
    """A stored overview with the fingerprint of what it was written from."""

    repo: str
    date: str
    fingerprint: str
    overview: Overview
    language: str = "en"

"""What a week's overview holds: a headline, themes across days, attention items with what followed them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

Outcome = Literal["fixed", "reverted", "open"]


class WeekTheme(BaseModel):
    """A theme across the week's days, with the commits behind it (full SHAs)."""

    title: str
    text: str = ""
    commits: list[str] = Field(default_factory=list)


class WeekAttention(BaseModel):
    """A day's attention item, its day, and what followed it: fixed or reverted by a later commit, or still open."""

    day: str
    text: str
    commits: list[str] = Field(default_factory=list)
    outcome: Outcome = "open"
    by: str | None = None  # the SHA that fixed or reverted it


class WeekDay(BaseModel):
    """One digested day of the week: its date and headline."""

    day: str
    headline: str


class WeekOverview(BaseModel):
    """One repository's week in brief."""

    headline: str
    themes: list[WeekTheme] = Field(default_factory=list)
    attention: list[WeekAttention] = Field(default_factory=list)
    days: list[WeekDay] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)  # total, high, medium, low
    source: Literal["llm", "heuristic"] = "heuristic"


class WeekThemeAnswer(BaseModel):
    """A theme as the model writes it."""

    title: str = Field(description="A few words naming the theme")
    text: str = Field(description="One or two sentences on what changed over the week and why it matters")


class WeekAnswer(BaseModel):
    """The model's overview of a week, written from the days' overviews."""

    headline: str = Field(description="One sentence: the week in brief")
    themes: list[WeekThemeAnswer] = Field(description="Two to five themes across the days")


@dataclass
class Week:
    """One repository's week: its ISO week id (YYYY-Www), first and last day, and its overview."""

    repo: str
    name: str
    week: str
    start: dt.date
    end: dt.date
    overview: WeekOverview


def week_id(day: dt.date) -> str:
    """The ISO week of `day`, as YYYY-Www."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_days(week: str) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of ISO week `week` (YYYY-Www); ValueError when it is not one."""
    year, _, num = week.upper().partition("-W")
    start = dt.date.fromisocalendar(int(year), int(num), 1)
    return start, start + dt.timedelta(days=6)

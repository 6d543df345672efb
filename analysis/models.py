"""The domain: commits, file changes, importance, analysis cards and digests."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from analysis.lineage_models import EntryLineage

if TYPE_CHECKING:
    from analysis.interfaces import InterfaceReport
    from analysis.overview.overview_types import Overview
    from analysis.teamcode.impact import Impact

PR_SUFFIX_RE = re.compile(r"\s*\(#(\d+)\)\s*$")  # "Fix the cache (#1234)": the PR number at the end


class Importance(enum.StrEnum):
    """How much a commit matters to people who depend on the repository."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """2 for high, 1 for medium, 0 for low."""
        return {"high": 2, "medium": 1, "low": 0}[self.value]


class AnalysisStatus(enum.StrEnum):
    """Where a commit's analysis stands."""

    DONE = "done"  # a complete card written by the LLM
    HEURISTIC = "heuristic"  # a short card from the deterministic scorer (no LLM configured)
    FAILED = "failed"  # the LLM could not produce a valid card within the attempt cap
    PENDING = "pending"  # not analyzed yet, or interrupted; retried on the next run


@dataclass
class FileChange:
    """One file touched by a commit."""

    path: str
    status: str = "modified"  # added, removed, modified, renamed, copied, changed
    additions: int = 0
    deletions: int = 0
    patch: str | None = None  # None when binary, too large, or not kept
    previous_path: str | None = None
    binary: bool = False

    @property
    def changes(self) -> int:
        """Lines added plus lines deleted."""
        return self.additions + self.deletions


@dataclass
class Commit:
    """A commit with its metadata and, when fetched in detail, its files."""

    repo: str  # the repository's identity: "owner/name" for GitHub, the absolute path of a local clone
    sha: str
    message: str
    author_name: str
    committed_at: datetime  # timezone-aware
    author_email: str = ""
    author_login: str | None = None
    authored_at: datetime | None = None
    committer_name: str = ""
    parents: list[str] = field(default_factory=list)
    url: str | None = None
    files: list[FileChange] = field(default_factory=list)
    files_truncated: bool = False  # the source returned fewer files than the commit touches
    total_files: int | None = None  # how many files the commit touches, when known

    @property
    def title(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0].strip()

    @property
    def short_sha(self) -> str:
        """The first seven characters of the SHA."""
        return self.sha[:7]

    @property
    def pr(self) -> int | None:
        """The pull request number written as `(#1234)` at the end of the title."""
        m = PR_SUFFIX_RE.search(self.title)
        return int(m.group(1)) if m else None

    @property
    def is_merge(self) -> bool:
        """True for a commit with more than one parent."""
        return len(self.parents) > 1

    @property
    def repo_url(self) -> str | None:
        """The repository's web address, derived from the commit's."""
        return repo_url_of(self.url)

    @property
    def additions(self) -> int:
        """Lines added across all files."""
        return sum(f.additions for f in self.files)

    @property
    def deletions(self) -> int:
        """Lines deleted across all files."""
        return sum(f.deletions for f in self.files)


@dataclass
class Score:
    """The deterministic scorer's verdict on one commit."""

    importance: Importance
    change_type: str
    reasons: list[str] = field(default_factory=list)
    points: int = 0
    signals: list[str] = field(default_factory=list)  # the reasons' keys (e.g. reason_breaking), no language
    interfaces: InterfaceReport | None = None  # computed interface changes, shown to the card's writer


_NONE_ANSWERS = {"", "none", "n/a", "无"}


class Insight(BaseModel):
    """Technical insight by dimension; "none" is an allowed answer."""

    architecture: str = "none"
    performance: str = "none"
    security: str = "none"
    maintainability: str = "none"

    def answered(self) -> dict[str, str]:
        """The dimensions with something to say, by name (drops "none", "n/a", "无" and blanks)."""
        return {k: v for k, v in self.model_dump().items() if v and v.strip().lower() not in _NONE_ANSWERS}


class Card(BaseModel):
    """The structured analysis of one commit."""

    change_type: str = Field(description="Kind of change")
    importance: Importance
    importance_reason: str = Field(default="", description="One line: why this importance")
    summary: list[str] = Field(default_factory=list, description="What changed, one point a line")
    impact_scope: list[str] = Field(default_factory=list, description="Modules or paths affected")
    insight: Insight = Field(default_factory=Insight)
    risks: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    conclusion: str = ""
    not_read: list[str] = Field(
        default_factory=list, description="Files or parts the analysis could not read"
    )


@dataclass
class Analysis:
    """A commit's analysis record: status, card and accounting."""

    sha: str
    status: AnalysisStatus
    scored: Importance  # the deterministic scorer's tier
    card: Card | None = None
    reasons: list[str] = field(default_factory=list)
    model: str | None = None
    prompt_version: str | None = None
    language: str = "en"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    latency_ms: int = 0
    attempts: int = 0
    error: str | None = None  # kept for status output, never rendered as a card
    unusable_answers: int = 0  # answers of this analysis that said nothing usable (not stored per commit)
    updated_at: str | None = None  # when it was last stored (ISO 8601, UTC)

    @property
    def finished(self) -> bool:
        """True when the analysis has a card that needs no retry (done, or heuristic)."""
        return self.status in (AnalysisStatus.DONE, AnalysisStatus.HEURISTIC)

    @property
    def importance(self) -> Importance:
        """The card's importance when there is a card, else the scorer's."""
        return self.card.importance if self.card else self.scored

    @property
    def usage(self) -> Usage:
        """The calls and tokens this analysis cost."""
        return Usage(
            self.llm_calls, self.prompt_tokens, self.completion_tokens, unusable_answers=self.unusable_answers
        )


@dataclass
class DigestEntry:
    """One commit in a digest, with its analysis (and, once linked, its lineage)."""

    commit: Commit
    analysis: Analysis
    interfaces: InterfaceReport | None = (
        None  # computed interface changes (analysis/interfaces), None when not computed
    )
    lineage: EntryLineage = field(default_factory=EntryLineage)


@dataclass
class RepoDigest:
    """One repository's part of a digest."""

    repo: str
    entries: list[DigestEntry] = field(default_factory=list)
    error: str | None = None  # why the repository could not be read, if it could not
    url: str | None = None  # the repository's web address, when it has one
    branch: str | None = None
    head: str | None = None  # the branch head this digest read up to (the next cursor)
    since: str | None = None  # ISO time or SHA the digest starts after, for the header
    overview: Overview | None = None  # the day at a glance (analysis/overview), once the entries are done
    display: str = ""  # the name shown (owner/repo, or a clone's folder name); `repo` is the identity
    notes: list[str] = field(default_factory=list)  # one-line remarks: history rewritten, branch changed, ...
    followed: str | None = None  # the ref read, e.g. origin/main
    impact: list[Impact] = field(
        default_factory=list
    )  # upstream changes that meet the team's code (analysis/teamcode)

    @property
    def name(self) -> str:
        """The repository's name as shown to people."""
        return self.display or self.repo

    def stats(self) -> dict[str, int]:
        """Counts of commits in total and by importance, plus failed and pending analyses."""
        out = {"total": len(self.entries), "high": 0, "medium": 0, "low": 0, "failed": 0, "pending": 0}
        for e in self.entries:
            out[e.analysis.importance.value] += 1
            if e.analysis.status in (AnalysisStatus.FAILED, AnalysisStatus.PENDING):
                out[e.analysis.status.value] += 1
        return out

    def by_importance(self, level: Importance) -> list[DigestEntry]:
        """The entries of one importance, in digest order."""
        return [e for e in self.entries if e.analysis.importance == level]


@dataclass
class Usage:
    """LLM calls and tokens spent (on a request, a commit, an overview, a run or a period), with the cost when
    priced; `runs` and `errors` count recorded runs when summed over a period."""

    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    runs: int = 0
    errors: int = 0
    unusable_answers: int = 0  # model answers that parsed but said nothing usable

    def __add__(self, other: Usage) -> Usage:
        """Both amounts together; the cost is known when either one's is."""
        total = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "cost_usd"
        }
        known = self.cost_usd is not None or other.cost_usd is not None
        return Usage(**total, cost_usd=(self.cost_usd or 0) + (other.cost_usd or 0) if known else None)

    def add(self, other: Usage) -> None:
        """Count `other` in this amount, in place."""
        total = self + other
        for f in fields(self):
            setattr(self, f.name, getattr(total, f.name))


@dataclass
class Digest:
    """What one run reports: a day (or a cursor range) across repositories."""

    date: str  # YYYY-MM-DD in the digest timezone
    timezone: str
    language: str = "en"
    repos: list[RepoDigest] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    alerts: list[str] = field(default_factory=list)  # provider-health problems seen during the run


def repo_url_of(commit_url: str | None) -> str | None:
    """A repository's web address from one of its commit addresses (…/commit/<sha>)."""
    if not commit_url or "/commit/" not in commit_url:
        return None
    return commit_url.rsplit("/commit/", 1)[0]

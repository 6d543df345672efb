"""What the product remembers between runs: deliveries, alerts, runs, cursors and repositories."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from analysis.models import Importance


class DeliveryStatus(enum.StrEnum):
    """Where a channel's digest for one day stands."""

    POSTING = "posting"  # started; resumed by the next attempt
    POSTED = "posted"
    SKIPPED = "skipped"  # an empty day the channel does not want to hear about
    FAILED = "failed"


class AlertStatus(enum.StrEnum):
    """Whether an alert is still up."""

    ACTIVE = "active"
    RESOLVED = "resolved"


class RunStatus(enum.StrEnum):
    """How one repository's run ended."""

    OK = "ok"
    ERROR = "error"


@dataclass
class Delivery:
    """The record of one channel's digest for one day: what was posted, and where."""

    channel: str
    date: str  # YYYY-MM-DD
    status: DeliveryStatus = DeliveryStatus.POSTING
    message_ts: str | None = None  # the top-level message (the first part)
    parts: list[str] = field(default_factory=list)  # ts of each top-level part, in order
    replies: dict[str, str] = field(default_factory=dict)  # commit SHA -> thread reply ts
    repos: list[str] = field(default_factory=list)
    shas: list[str] = field(default_factory=list)  # the commits the digest covers
    error: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def key(self) -> str:
        """The record's key: `channel:date`."""
        return f"{self.channel}:{self.date}"

    @property
    def finished(self) -> bool:
        """True once the day needs no more posting (posted, or skipped as empty)."""
        return self.status in (DeliveryStatus.POSTED, DeliveryStatus.SKIPPED)


@dataclass
class Alert:
    """A provider-health problem shown in a channel until it clears."""

    channel: str
    kind: str  # e.g. llm_auth, github_auth, post_failed
    text: str = ""
    status: AlertStatus = AlertStatus.ACTIVE
    message_ts: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclass
class RunRecord:
    """One repository's part of one run, as recorded."""

    repo: str
    started_at: str
    finished_at: str
    status: RunStatus
    mode: str  # date | cursor
    window: str = ""
    commits: int = 0
    fetched: int = 0
    requests: int = 0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None
    id: int | None = None
    unusable_answers: int = 0  # model answers that said nothing usable


@dataclass
class Cursor:
    """The last digested head of a repository's branch for one digest target (a channel, or 'terminal')."""

    repo: str
    target: str
    branch: str
    sha: str
    updated_at: str = ""


@dataclass
class RepositoryState:
    """A watched repository's latest state."""

    repo: str  # owner/repo, or a local clone's absolute path
    kind: str | None = None  # github | git
    default_branch: str | None = None  # the branch the last run followed
    display: str | None = None  # the name shown: owner/repo, or a clone's remote owner/repo or folder name
    followed: str | None = None  # the ref the last run read, e.g. origin/main
    last_run_at: str | None = None
    last_run_status: str | None = None
    last_error: str | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset: int | None = None


@dataclass
class Subscription:
    """One channel following one repository, with the filters deciding what it sees."""

    channel: str
    repo: str  # owner/repo, or a local clone's path (seeded from DIGEST_REPOS only)
    paths: list[str] = field(default_factory=list)
    min_importance: Importance = Importance.LOW
    exclude_authors: list[str] = field(default_factory=list)
    exclude_titles: list[str] = field(default_factory=list)

"""What an endpoint taught earlier runs (structured-output mode, context window, parallelism), kept between runs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import sqlite_utils

from analysis.store import llm_endpoints
from analysis.store.llm_endpoints import Learned


class EndpointMemory(Protocol):
    """Where an analyzer recalls and records what it learned about an endpoint and model."""

    def recall(self, endpoint: str, model: str) -> Learned:
        """What is known of `endpoint` and `model` (empty when nothing)."""
        ...

    def record(self, endpoint: str, model: str, learned: Learned) -> None:
        """Keep `learned` for the next run."""
        ...


def endpoint_key(base_url: str) -> str:
    """The endpoint's address as stored and shown: no user, password, query or fragment."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


class SqliteMemory:
    """EndpointMemory in the digest's SQLite database."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def recall(self, endpoint: str, model: str) -> Learned:
        """What is known of `endpoint` and `model` (empty when nothing)."""
        return llm_endpoints.learned_about(self.db, endpoint, model) or Learned()

    def record(self, endpoint: str, model: str, learned: Learned) -> None:
        """Keep `learned` for the next run."""
        llm_endpoints.keep_learned(self.db, endpoint, model, learned)


class RunMemory:
    """EndpointMemory for one process only: nothing survives it (tests, lookups without a database)."""

    def __init__(self) -> None:
        self.facts: dict[tuple[str, str], Learned] = {}

    def recall(self, endpoint: str, model: str) -> Learned:
        """What is known of `endpoint` and `model` (empty when nothing)."""
        got = self.facts.get((endpoint, model))
        return Learned(**asdict(got)) if got else Learned()

    def record(self, endpoint: str, model: str, learned: Learned) -> None:
        """Keep `learned` for later analyzers of this process."""
        old = self.facts.get((endpoint, model), Learned())
        new = {k: v for k, v in asdict(learned).items() if v is not None}
        self.facts[(endpoint, model)] = Learned(**{**asdict(old), **new})

"""Find one commit by SHA, SHA prefix or commit URL: from the cache, else from the watched repositories."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import sqlite_utils

from analysis import records
from analysis.config import PipelineConfig
from analysis.models import DigestEntry
from analysis.sources import SourceError, UnknownRevision, open_source
from storage import db as store

MIN_PREFIX = 7
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_URL = re.compile(
    r"^https?://[^/\s]+/(?:repos/)?(?P<repo>[\w.-]+/[\w.-]+)/(?:commit|commits|pull/\d+/commits)/(?P<sha>[0-9a-fA-F]+)/?(?:[?#].*)?$"
)


@dataclass
class Lookup:
    """The answer to a commit lookup."""

    kind: Literal["found", "ambiguous", "unknown", "malformed"]
    message: str = ""
    entry: DigestEntry | None = None
    candidates: list[dict] = field(default_factory=list)  # repo, sha, title, committed_at


@dataclass
class Query:
    """A parsed lookup: a lower-case hex prefix and, from a URL, the repository."""

    prefix: str
    repo: str | None = None


def parse_query(text: str) -> Query | str:
    """Parse a SHA, prefix or commit URL; a string is the reason it is malformed."""
    text = (text or "").strip().strip("<>")
    if not text:
        return "give a commit SHA (at least 7 hex characters) or a commit URL"
    m = _URL.match(text)
    if m:
        text, repo = m.group("sha"), m.group("repo")
    else:
        repo = None
    if len(text) > 64:
        return "that is too long for a commit SHA"
    if not _HEX.match(text):
        return f"{text[:50]!r} is not a commit SHA: use 7 to 40 hex characters or a commit URL"
    if len(text) < MIN_PREFIX:
        return f"{text!r} is too short: give at least {MIN_PREFIX} hex characters"
    if len(text) > 40:
        return f"{text[:50]!r} is longer than a SHA (40 hex characters)"
    return Query(text.lower(), repo)


def _entry(db: sqlite_utils.Database, row: dict) -> DigestEntry:
    from analysis.heuristic import heuristic_analysis
    from analysis.importance import score

    commit = records.commit_from_rows(row, store.get_files(db, row["repo"], row["sha"]))
    arow = store.get_analysis(db, row["repo"], row["sha"])
    if arow:
        return DigestEntry(commit, records.analysis_from_row(arow))
    return DigestEntry(commit, heuristic_analysis(commit, score(commit), "en"))


def _candidates(rows: list[dict]) -> list[dict]:
    return [{k: r[k] for k in ("repo", "sha", "title", "committed_at")} for r in rows]


def lookup_cached(db: sqlite_utils.Database, text: str) -> Lookup:
    """Look a commit up in the cache only: fast, never touches the network."""
    q = parse_query(text)
    if isinstance(q, str):
        return Lookup("malformed", q)
    rows = store.find_by_prefix(db, q.prefix)
    if q.repo:
        rows = [r for r in rows if r["repo"].lower() == q.repo.lower()] or rows
    if len(rows) == 1:
        return Lookup("found", entry=_entry(db, rows[0]))
    if len(rows) > 1:
        return Lookup(
            "ambiguous",
            f"{q.prefix} matches {len(rows)} commits: give more characters",
            candidates=_candidates(rows),
        )
    return Lookup("unknown", f"no commit {q.prefix} in the cache")


async def lookup_commit(
    db: sqlite_utils.Database, cfg: PipelineConfig, text: str, *, analyze: bool = True
) -> Lookup:
    """Look a commit up in the cache, else in the watched repositories, analyzing it when found."""
    from analysis.llm import make_analyzer
    from analysis.pipeline import analyze_commit, load_commit

    cached = lookup_cached(db, text)
    if cached.kind in ("malformed", "ambiguous"):
        return cached
    if cached.kind == "found":
        assert cached.entry is not None
        if not analyze or cached.entry.analysis.finished:
            return cached
    q = parse_query(text)
    assert isinstance(q, Query)
    specs = [s for s in cfg.repos if not q.repo or s.lower() == q.repo.lower()] or (
        [q.repo] if q.repo else []
    )
    errors: list[str] = []
    for spec in specs:
        source = None
        try:
            source = open_source(spec, cfg.source, db)
            sha = await source.resolve(q.prefix)
            commit = await load_commit(db, source, sha)
            if analyze:
                analyzer = make_analyzer(cfg, db)
                try:
                    await analyze_commit(db, cfg, commit, analyzer)
                finally:
                    if analyzer is not None:
                        await analyzer.aclose()
            return Lookup("found", entry=_entry(db, store.get_commit(db, source.repo, sha)))
        except UnknownRevision as e:
            if "ambiguous" in str(e).lower():
                return Lookup("ambiguous", str(e))
        except SourceError as e:
            errors.append(str(e))
        finally:
            if source is not None:
                await source.aclose()
    where = ", ".join(specs) if specs else "no watched repository"
    msg = f"no commit {q.prefix} in {where}"
    if errors:
        msg += " (" + "; ".join(errors) + ")"
    return Lookup("unknown", msg)

"""Find one commit by SHA, SHA prefix or commit URL: from the cache, else from the watched repositories."""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field

import sqlite_utils

from analysis.analyze import analyze_commit
from analysis.config import PipelineConfig
from analysis.entries import stored_entry
from analysis.errors import AmbiguousRevision, SourceError, UnknownRevision
from analysis.fetch import CommitReader
from analysis.identity import same_repo
from analysis.interface_step import InterfaceStep
from analysis.lineage_links import link_entries
from analysis.llm import make_analyzer
from analysis.models import Commit, DigestEntry
from analysis.scope import display_name, is_repo_name, named_by, selects, stored_as
from analysis.sources import open_source
from analysis.store import commits as commit_store

log = logging.getLogger(__name__)
MIN_PREFIX = 7
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_URL = re.compile(
    r"^https?://[^/\s]+/(?:repos/)?(?P<repo>[\w.-]+/[\w.-]+)/(?:commit|commits|pull/\d+/commits)/(?P<sha>[0-9a-fA-F]+)(?:\.patch|\.diff)?/?(?:[?#].*)?$"
)


class LookupKind(enum.StrEnum):
    """How a lookup ended."""

    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"
    NOT_WATCHED = "not_watched"  # a URL of a repository this workspace does not watch


@dataclass
class Query:
    """A parsed lookup: a lower-case hex prefix and, from a URL, the repository."""

    prefix: str
    repo: str | None = None


@dataclass
class Lookup:
    """The answer to a commit lookup."""

    kind: LookupKind
    message: str = ""
    entry: DigestEntry | None = None
    candidates: list[Commit] = field(default_factory=list)  # the commits an ambiguous prefix matches
    query: Query | None = None  # the parsed query, so a later network lookup does not parse it again
    also_in: list[str] = field(
        default_factory=list
    )  # shown names of other repositories holding this full SHA


def parse_query(text: str) -> Query | str:
    """Parse a SHA, prefix or commit URL; a string is the reason it is malformed."""
    text = (text or "").strip().strip("<>")
    if not text:
        return "give a commit SHA (at least 7 hex characters) or a commit URL"
    m = _URL.match(text)
    if m:
        text, repo = m.group("sha"), m.group("repo")
        if not is_repo_name(repo):
            return "that is not a commit URL of a GitHub repository (owner/repo)"
    else:
        repo = None
    if len(text) > 64:
        return "that is too long for a commit SHA"
    if not _HEX.match(text):
        if "/" in text or "\\" in text:  # a path or an unreadable URL: not echoed back
            return "that is not a commit SHA or a commit URL of a GitHub repository"
        return f"{text[:50]!r} is not a commit SHA: use 7 to 40 hex characters or a commit URL"
    if len(text) < MIN_PREFIX:
        return f"{text!r} is too short: give at least {MIN_PREFIX} hex characters"
    if len(text) > 40:
        return f"{text[:50]!r} is longer than a SHA (40 hex characters)"
    return Query(text.lower(), repo)


def _stored_entry(db: sqlite_utils.Database, repo: str, sha: str) -> DigestEntry:
    entry = stored_entry(db, repo, sha, scored_if_missing=True)
    assert entry is not None
    return entry


def lookup_cached(db: sqlite_utils.Database, text: str, repo: str | None = None) -> Lookup:
    """Look a commit up in the cache only: fast, never touches the network; `repo` keeps that repository's only.

    One SHA held by several repositories (a fork and its upstream) is found in the first, naming the others.
    """
    q = parse_query(text)
    if isinstance(q, str):
        return Lookup(LookupKind.MALFORMED, q)
    keys = commit_store.commit_keys_by_prefix(db, q.prefix)
    if q.repo:
        name = q.repo.lower()
        keys = [(r, sha) for r, sha in keys if named_by(r, name)]
    if repo is not None:
        keys = [(r, sha) for r, sha in keys if stored_as(repo, r) or same_repo(repo, r)]
    if keys and len({sha for _, sha in keys}) == 1:
        others = [display_name(r) for r, _ in keys[1:]]
        return Lookup(LookupKind.FOUND, entry=_stored_entry(db, *keys[0]), query=q, also_in=others)
    if len(keys) > 1:
        return Lookup(
            LookupKind.AMBIGUOUS,
            f"{q.prefix} matches {len(keys)} commits: give more characters",
            candidates=[
                c for repo, sha in keys if (c := commit_store.stored_commit(db, repo, sha, detailed=False))
            ],
            query=q,
        )
    return Lookup(LookupKind.UNKNOWN, f"no commit {q.prefix} in the cache", query=q)


def not_watched(q: Query) -> Lookup:
    """The answer for a URL of a repository this workspace does not watch."""
    return Lookup(
        LookupKind.NOT_WATCHED,
        f"{q.repo} is not watched here: `/digest subscribe {q.repo}` to follow it",
        query=q,
    )


def _specs(q: Query, configured: list[str], watched: Collection[str]) -> list[str]:
    """The watched repositories a query may be found in: all of them, or the one its URL names."""
    scope = configured + sorted({w for w in watched if is_repo_name(w)} - set(configured))
    return [s for s in scope if not q.repo or selects(s, q.repo)]


def out_of_scope(cached: Lookup, cfg: PipelineConfig, watched: Collection[str]) -> Lookup | None:
    """The NOT_WATCHED answer when an uncached query's URL names no watched repository, else None."""
    q = cached.query
    if cached.entry is not None or q is None or not q.repo:
        return None
    return None if _specs(q, list(cfg.repos), watched) else not_watched(q)


async def lookup_commit(
    db: sqlite_utils.Database,
    cfg: PipelineConfig,
    text: str,
    *,
    watched: Collection[str] = (),
    analyze: bool = True,
    cached: Lookup | None = None,
) -> Lookup:
    """Look a commit up in the cache (or take `cached`), else in the watched repositories, analyzing it when found.

    Only the configured repositories (`cfg.repos`, which may be local clones) and the `owner/repo` names in
    `watched` are ever read; a URL of any other repository answers NOT_WATCHED without a fetch or an LLM call.
    """
    cached = cached or lookup_cached(db, text)
    if cached.kind in (LookupKind.MALFORMED, LookupKind.AMBIGUOUS, LookupKind.NOT_WATCHED):
        return cached
    q = cached.query
    assert q is not None
    configured = list(dict.fromkeys(cfg.repos))
    specs = _specs(q, configured, watched)
    if cached.entry is not None:
        if not analyze or cached.entry.analysis.finished:
            return cached
        specs = [s for s in specs if stored_as(s, cached.entry.commit.repo)]
        if not specs:  # stored earlier, no longer watched: shown as stored, never analyzed again
            return cached
    elif q.repo and not specs:
        return not_watched(q)
    failed = False
    for spec in specs:
        source = None
        try:
            source = open_source(spec, cfg.source, db, github_only=spec not in configured)
            sha = await source.resolve(q.prefix)
            commit = await CommitReader(db, source).require(sha)
            if not analyze:
                return Lookup(LookupKind.FOUND, entry=_stored_entry(db, source.repo, sha), query=q)
            step = InterfaceStep(db, source, enabled=cfg.interfaces)
            step.prepare([sha])
            interfaces = await step.report(commit)
            analyzer = make_analyzer(cfg, db)
            try:
                analysis = await analyze_commit(db, cfg, commit, analyzer, interfaces)
            finally:
                if analyzer is not None:
                    await analyzer.aclose()
            entry = DigestEntry(commit, analysis, interfaces)
            link_entries(db, source.repo, [entry])
            return Lookup(LookupKind.FOUND, entry=entry, query=q)
        except AmbiguousRevision:
            return Lookup(
                LookupKind.AMBIGUOUS,
                f"{q.prefix} is ambiguous in {display_name(spec)}: give more characters",
                query=q,
            )
        except UnknownRevision:
            pass
        except SourceError as e:
            log.warning("lookup of %s in %s failed: %s", q.prefix, spec, e)
            failed = True
        finally:
            if source is not None:
                await source.aclose()
    names = sorted({display_name(s) for s in specs})
    if not names:
        where = "no watched repository"
    elif len(names) <= 5:
        where = ", ".join(names)
    else:
        where = f"{', '.join(names[:5])} and {len(names) - 5} more watched repositories"
    msg = f"no commit {q.prefix} in {where}"
    if failed:
        msg += " (some repositories could not be read just now; the details are in the bot's log)"
    return Lookup(LookupKind.UNKNOWN, msg, query=q)

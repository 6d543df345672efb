"""Recognise commits of a rewritten history that copy commits a target was already told about."""

from __future__ import annotations

import dataclasses
import hashlib

import sqlite_utils

from analysis.models import Analysis, Commit
from analysis.sources import CommitRef, Source
from analysis.store import analyses as analysis_store
from analysis.store import commits as commit_store
from analysis.store import reported as reported_store


def content_fingerprint(commit: Commit) -> str:
    """A key a rewrite keeps: the message, the author date and the diff of every file."""
    h = hashlib.sha256()
    when = int(commit.authored_at.timestamp()) if commit.authored_at else 0
    h.update(f"{commit.message.strip()}\0{when}\0".encode("utf-8", "replace"))
    for f in sorted(commit.files, key=lambda f: f.path):
        h.update(
            f"{f.path}\0{f.previous_path or ''}\0{f.status}\0{f.patch or ''}\0".encode("utf-8", "replace")
        )
    return "content:" + h.hexdigest()


def _copy(analysis: Analysis, sha: str) -> Analysis:
    """An analysis shared with another commit: no calls or tokens of its own."""
    return dataclasses.replace(analysis, sha=sha, llm_calls=0, prompt_tokens=0, completion_tokens=0)


class Rewrites:
    """Fingerprints a run's commits and, after a rewrite, links each copy to the reported original."""

    def __init__(self, db: sqlite_utils.Database, source: Source, target: str, active: bool) -> None:
        self.db = db
        self.source = source
        self.target = target
        self.active = active  # the reported history was rewritten: look for copies
        self.linked: dict[str, str] = {}  # new SHA -> the reported original
        self._prints: dict[str, str] = {}
        self._before: dict[str, str] = {}

    async def prepare(self, refs: list[CommitRef]) -> None:
        """Take the fingerprints the source can tell before reading; match them when looking for copies."""
        self._prints = await self.source.fingerprints(refs)
        if self.active and self._prints:
            found = commit_store.reported_by_fingerprint(
                self.db, self.source.repo, self.target, sorted(set(self._prints.values()))
            )
            self._before = {s: found[fp] for s, fp in self._prints.items() if found.get(fp, s) != s}

    def before_read(self, ref: CommitRef) -> str | None:
        """The reported original of `ref`, when its fingerprint told so before reading it."""
        return self._before.get(ref.sha)

    def after_read(self, ref: CommitRef, commit: Commit | None) -> str | None:
        """Keep the commit's fingerprint; return the reported original it copies, if any."""
        repo = self.source.repo
        fp = self._prints.get(ref.sha)
        if fp is not None and commit is not None:
            commit_store.set_fingerprints(self.db, repo, {ref.sha: fp})
        if not self.active:
            return None
        fp = fp or commit_store.fingerprint_of(self.db, repo, ref.sha)
        if fp is None:
            return None
        original = commit_store.reported_by_fingerprint(self.db, repo, self.target, [fp]).get(fp)
        return original if original != ref.sha else None

    def link(self, ref: CommitRef, original: str) -> None:
        """Record `ref` as a copy of `original`: told to the target, its analysis shared, never reported again."""
        repo = self.source.repo
        if (
            commit_store.stored_commit(self.db, repo, ref.sha, detailed=False) is None
            and ref.summary is not None
        ):
            commit_store.save_commit(self.db, ref.summary, detailed=False)
        if fp := self._prints.get(ref.sha):
            commit_store.set_fingerprints(self.db, repo, {ref.sha: fp})
        analysis = analysis_store.get_analysis(self.db, repo, original)
        if analysis is not None and analysis_store.get_analysis(self.db, repo, ref.sha) is None:
            analysis_store.save_analysis(self.db, repo, _copy(analysis, ref.sha))
        commit_store.clear_patches(self.db, repo, ref.sha)
        reported_store.link_rewrite(self.db, repo, ref.sha, original)
        reported_store.mark_reported(self.db, repo, self.target, [ref.sha])
        self.linked[ref.sha] = original

    def shared(self, ref: CommitRef) -> Analysis | None:
        """The analysis of an earlier commit with the same content (a copy seen before), stored for `ref`."""
        repo = self.source.repo
        fp = self._prints.get(ref.sha) or commit_store.fingerprint_of(self.db, repo, ref.sha)
        found = analysis_store.shared_analysis(self.db, repo, fp, ref.sha) if fp else None
        if found is None:
            return None
        copy = _copy(found, ref.sha)
        analysis_store.save_analysis(self.db, repo, copy)
        commit_store.clear_patches(self.db, repo, ref.sha)
        return copy

"""The team's code at its head: a local clone (fetched, then read with `git archive`) or a GitHub repository (one
tarball per head); indexed once per head, the index kept in SQLite. Every failure is one line; the digest goes on."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import httpx
import sqlite_utils

from analysis.config import SourceConfig
from analysis.errors import AccessDenied, CommitDigestError, RepoNotFound
from analysis.store.team_indexes import get_team_index, save_team_index
from analysis.teamcode.config import TeamCode
from analysis.teamcode.index import (
    FILE_BYTES,
    MAX_BYTES,
    MAX_FILES,
    SECONDS,
    SKIP_DIRS,
    TeamIndex,
    build_index,
    is_config,
)

TARBALL_BYTES = 300_000_000  # the largest archive read
TARBALL_TIMEOUT = 120.0
ARCHIVE_TIMEOUT = 120.0
ALL_PACKAGES = None  # the index records every import, so one index serves every upstream


@dataclass
class TeamCodeIndex:
    """A code base's index at a head, or why there is none; `notes` are one-line remarks for the digest."""

    name: str
    head: str | None = None
    index: TeamIndex | None = None
    notes: list[str] = field(default_factory=list)
    cached: bool = False
    pin_files: dict[str, str] = field(
        default_factory=dict
    )  # requirements*.txt, pyproject.toml, locks: path -> text


PIN_BYTES = 2_000_000


def is_pin_file(name: str) -> bool:
    """Whether a path (at most two folders deep) is a file that pins dependency versions."""
    parts = PurePosixPath(name).parts
    base = parts[-1].lower() if parts else ""
    pinned = base in ("pyproject.toml", "uv.lock", "poetry.lock") or (
        base.startswith("requirements") and base.endswith(".txt")
    )
    return pinned and len(parts) <= 3


def _wanted(name: str) -> bool:
    parts = PurePosixPath(name).parts
    if any(p in SKIP_DIRS or p.endswith(".egg-info") or p == ".." for p in parts[:-1]):
        return False
    return bool(parts) and (parts[-1].endswith(".py") or is_config(parts[-1]))


def extract(
    archive: bytes | io.BufferedIOBase, into: Path, *, strip_top: bool, pins: dict[str, str] | None = None
) -> int:
    """Unpack the files the index reads (Python, scripts, configs) from a tar(.gz), keeping pin files' text in
    `pins`; returns how many were left out."""
    left = 0
    mode = "r:*"
    data = io.BytesIO(archive) if isinstance(archive, bytes) else archive
    with tarfile.open(fileobj=data, mode=mode) as tar:
        for member in tar:
            name = member.name
            if strip_top:
                name = name.partition("/")[2]
            if not member.isfile() or not name:
                continue
            if pins is not None and is_pin_file(name) and member.size <= PIN_BYTES:
                if (src := tar.extractfile(member)) is not None:
                    pins[name] = src.read().decode("utf-8", errors="replace")
            if not _wanted(name):
                continue
            if member.size > FILE_BYTES:
                left += 1
                continue
            target = into / name
            if not target.resolve().is_relative_to(into.resolve()):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            if src is not None:
                target.write_bytes(src.read())
    return left


def _count(root: Path) -> int:
    n = 0
    for _here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        n += sum(1 for f in files if f.endswith(".py") or is_config(f))
    return n


def index_tree(
    root: Path,
    *,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_BYTES,
    seconds: float = SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[TeamIndex, str | None]:
    """Index an unpacked tree; a note "indexed N of M files in S s" when a bound stopped it."""
    index = build_index(
        root, ALL_PACKAGES, max_files=max_files, max_bytes=max_bytes, seconds=seconds, clock=clock
    )
    if not index.stopped:
        return index, None
    return (
        index,
        f"indexed {index.files} of {_count(root)} files in {index.seconds:.1f} s (bound: {index.stopped})",
    )


async def _clone_head(code: TeamCode, cfg: SourceConfig, notes: list[str]) -> tuple[str, object]:
    from analysis.sources.git import GitSource

    if not os.path.isdir(code.location):
        raise RepoNotFound(f"{code.location} is missing")
    src = GitSource(code.location, fetch=cfg.git_fetch)
    if note := await src.refresh():
        notes.append(note)
    head = await src.head(await src.default_branch())
    return head, src


async def _clone_archive(src: object, head: str) -> bytes:
    from analysis.sources.git import GitSource

    assert isinstance(src, GitSource)
    return await src._git.run("archive", "--format=tar", head, timeout=ARCHIVE_TIMEOUT)


async def _github_head(code: TeamCode, cfg: SourceConfig, db: sqlite_utils.Database) -> tuple[str, object]:
    from analysis.sources.github import GitHubSource
    from analysis.store.http_cache import HttpCacheTable

    src = GitHubSource(code.location, HttpCacheTable(db), cfg.github_api_url, cfg.github_token)
    return await src.head(await src.default_branch()), src


async def _github_tarball(src: object, head: str) -> bytes:
    """GET /repos/{o}/{r}/tarball/{ref}: GitHub answers 302 to a signed download URL, read without the token."""
    from analysis.sources.github import GitHubSource

    assert isinstance(src, GitHubSource)
    http = src._http
    resp = await http.get(f"{http.api}/repos/{src.repo}/tarball/{head}")
    if resp.status_code in (301, 302, 303, 307, 308):
        location = resp.headers.get("location", "")
        if not location.startswith(("https://", "http://")):
            raise CommitDigestError("GitHub answered the tarball request without a download address")
        async with httpx.AsyncClient(
            timeout=TARBALL_TIMEOUT, follow_redirects=True, max_redirects=3
        ) as client:
            async with client.stream("GET", location) as download:
                if download.status_code != 200:
                    raise CommitDigestError(f"the tarball download answered {download.status_code}")
                chunks, size = [], 0
                async for chunk in download.aiter_bytes():
                    size += len(chunk)
                    if size > TARBALL_BYTES:
                        raise CommitDigestError(f"the tarball is larger than {TARBALL_BYTES // 1_000_000} MB")
                    chunks.append(chunk)
                return b"".join(chunks)
    if len(resp.content) > TARBALL_BYTES:
        raise CommitDigestError(f"the tarball is larger than {TARBALL_BYTES // 1_000_000} MB")
    return resp.content


async def team_code_index(
    code: TeamCode,
    db: sqlite_utils.Database,
    cfg: SourceConfig,
    *,
    seconds: float = SECONDS,
    max_files: int = MAX_FILES,
) -> TeamCodeIndex:
    """The index of `code` at its head: from the store when the head is unchanged, else built and stored."""
    out = TeamCodeIndex(code.name)
    src: object = None
    try:
        if code.local:
            out.head, src = await _clone_head(code, cfg, out.notes)
        else:
            out.head, src = await _github_head(code, cfg, db)
        if (stored := get_team_index(db, code.name, out.head, ["*"])) is not None:
            (out.index, out.pin_files), out.cached = stored, True
            return out
        data = await (_clone_archive(src, out.head) if code.local else _github_tarball(src, out.head))
        with tempfile.TemporaryDirectory(prefix="team-code-") as tmp:
            left = extract(data, Path(tmp), strip_top=not code.local, pins=out.pin_files)
            out.index, note = index_tree(Path(tmp), seconds=seconds, max_files=max_files)
        if left:
            out.notes.append(f"{left} files over {FILE_BYTES // 1_000_000} MB not indexed")
        if note:
            out.notes.append(note)
        save_team_index(db, code.name, out.head, ["*"], out.index, out.pin_files)
    except (RepoNotFound, AccessDenied) as e:
        out.notes.append(_line(code, f"cannot be read: {e}"))
    except (CommitDigestError, OSError, tarfile.TarError, httpx.HTTPError) as e:
        out.notes.append(_line(code, f"could not be indexed: {e}"))
    finally:
        if src is not None:
            await src.aclose()  # type: ignore[attr-defined]
    return out


def _line(code: TeamCode, text: str) -> str:
    first = " ".join(str(text).split())[:300]
    return f"team code {code.name} ({code.location}) {first}"

"""Parsing what `git log` and `git diff-tree` print with `-z` into commits and file changes."""

from __future__ import annotations

from datetime import datetime

from analysis.models import Commit, FileChange
from analysis.sources.base import CommitRef
from analysis.sources.git_cli import decode, decode_path, decode_text

_STATUS = {"A": "added", "M": "modified", "D": "removed", "R": "renamed", "C": "copied"}
META = ["%H", "%P", "%an", "%ae", "%aI", "%cn", "%cI", "%B"]
FORMAT = "--format=" + "%x00".join(META) + "%x00"


def parse_commit(repo: str, fields: list[bytes], encoding: str = "latin-1") -> Commit:
    """One commit from the NUL-separated META fields; undeclared non-UTF-8 text is read in `encoding`."""
    sha, parents, ad, cd = (decode(fields[i]) for i in (0, 1, 4, 6))
    an, ae, cn, msg = (decode_text(fields[i], encoding) for i in (2, 3, 5, 7))
    return Commit(
        repo=repo,
        sha=sha,
        message=msg.rstrip(),
        author_name=an,
        author_email=ae,
        authored_at=datetime.fromisoformat(ad),
        committer_name=cn,
        committed_at=datetime.fromisoformat(cd),
        parents=parents.split(),
    )


def parse_refs(repo: str, out: bytes, encoding: str = "latin-1") -> list[CommitRef]:
    """The listing entries of `git log -z FORMAT` output."""
    parts = out.split(b"\0")
    n = len(META) + 1  # `-z` ends each record with one more NUL
    commits = [parse_commit(repo, parts[i : i + n - 1], encoding) for i in range(0, len(parts) - n + 1, n)]
    return [CommitRef(c.sha, c.committed_at, c.parents, summary=c) for c in commits]


def _numstat_count(s: str) -> int:
    return 0 if s == "-" else int(s)


def parse_raw(parts: list[bytes]) -> tuple[list[FileChange], list[str], int]:
    """The files of `--raw -z` entries, each one's status letter, and the index after the last entry."""
    files: list[FileChange] = []
    codes: list[str] = []
    i = 0
    while i < len(parts) and parts[i].startswith(b":"):
        code = decode(parts[i].split()[-1])
        codes.append(code[0])
        if code[0] in "RC":
            old, new = decode_path(parts[i + 1]), decode_path(parts[i + 2])
            files.append(FileChange(path=new, status=_STATUS[code[0]], previous_path=old))
            i += 3
        else:
            files.append(FileChange(path=decode_path(parts[i + 1]), status=_STATUS.get(code[0], "changed")))
            i += 2
    return files, codes, i


def _hunks(section: bytes) -> bytes | None:
    hunk = section.find(b"\n@@ ")
    return None if hunk < 0 else section[hunk + 1 :].rstrip(b"\n")


def parse_files(rest: bytes) -> list[FileChange]:
    """Parse `--raw --numstat -p -z` output: raw entries, then numstat entries, then patches."""
    parts = rest.lstrip(b"\0\n").split(b"\0")
    files, codes, i = parse_raw(parts)
    for f in files:
        add, dele, path = decode(parts[i]).split("\t", 2)
        i += 1 if path else 3  # a rename's numstat entry carries both paths after an empty one
        f.additions, f.deletions, f.binary = _numstat_count(add), _numstat_count(dele), add == "-"
    sections = b"\0".join(parts[i:]).lstrip(b"\0").split(b"\ndiff --git ")
    # a type change (symlink to file) prints two sections: the old entry removed, the new one added
    wanted = [2 if c == "T" else 1 for c in codes]
    if len(sections) != sum(wanted):
        return files
    k = 0
    for f, n in zip(files, wanted, strict=True):
        hunks = [h for s in sections[k : k + n] if (h := _hunks(s)) is not None]
        k += n
        f.patch = None if f.binary or not hunks else decode(b"\n".join(hunks))
    return files


def fingerprints_of(patch_ids: bytes, refs: list[CommitRef]) -> dict[str, str]:
    """`git patch-id --stable` output as each commit's fingerprint: its patch id with its author date."""
    ids = {}
    for line in decode(patch_ids).splitlines():
        if len(parts := line.split()) == 2:
            ids[parts[1]] = parts[0]
    stamps = {
        r.sha: int((r.summary.authored_at or r.committed_at).timestamp()) if r.summary else None for r in refs
    }
    return {sha: f"patch:{pid}:{stamps.get(sha)}" for sha, pid in ids.items()}

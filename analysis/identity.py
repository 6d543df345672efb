"""One repository, one name: every way a user writes a repository is normalised here, where it enters.

A GitHub repository is kept as lower-case `owner/repo` (GitHub names are case-insensitive), from `owner/repo`,
`owner/repo.git`, `owner/repo/`, `https://github.com/owner/repo(.git)` or `git@github.com:owner/repo.git`. A local
clone is kept as its real absolute path (symlinks, `.`/`..` and trailing slashes resolved).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from analysis.errors import CommitDigestError
from analysis.models import REPO_NAME_RE

_DOT_PARTS = {".", ".."}
_HTTP = re.compile(r"^(?:https?://|ssh://(?:git@)?)[^/\s]+/(?P<name>[^\s?#]+?)/*(?:[?#].*)?$", re.IGNORECASE)
_SCP = re.compile(r"^[\w.-]+@[\w.-]+:(?P<name>[^\s]+)$")
_HOST = re.compile(r"^(?:www\.)?github\.com/(?P<name>[^\s]+)$", re.IGNORECASE)


class RepoSpecError(CommitDigestError, ValueError):
    """A repository is written in no form the product reads; the message is one line naming it."""


def looks_local(text: str) -> bool:
    """True when `text` names a local clone rather than a GitHub `owner/repo`."""
    return text.startswith(("/", ".", "~")) or os.path.isdir(os.path.expanduser(text))


def github_name(text: str) -> str | None:
    """The canonical lower-case `owner/repo` for a GitHub name or URL, or None when it is none."""
    text = text.strip().strip("<>").strip()
    for pattern in (_HTTP, _SCP, _HOST):
        m = pattern.match(text)
        if m:
            text = m.group("name")
            break
    text = text.rstrip("/")
    if text.lower().endswith(".git"):
        text = text[:-4]
    text = text.rstrip("/")
    if not REPO_NAME_RE.match(text) or any(p in _DOT_PARTS for p in text.split("/")):
        return None
    return text.lower()


def repo_spec(text: str) -> str:
    """The one identity of a repository as a user wrote it; raises RepoSpecError when it is malformed."""
    text = text.strip()
    if not text:
        raise RepoSpecError("an empty repository name")
    if "://" not in text and "@" not in text.split("/", 1)[0] and looks_local(text):
        return os.path.realpath(os.path.expanduser(text))
    name = github_name(text)
    if name is None:
        raise RepoSpecError(
            f"{text[:100]!r} is neither owner/repo nor a path to a local clone (nor a GitHub repository URL)"
        )
    return name


def repo_specs(texts: Iterable[str]) -> list[str]:
    """Each repository once, in the order first given: trimmed, empties dropped, each normalised by repo_spec."""
    return list(dict.fromkeys(repo_spec(t) for t in texts if t.strip()))


def split_repos(text: str) -> list[str]:
    """A comma-separated list of repositories (DIGEST_REPOS), normalised and deduplicated."""
    return repo_specs(text.split(","))


def same_repo(a: str, b: str) -> bool:
    """Whether two stored repository names are one repository (GitHub names in any letter case)."""
    return a == b or (not looks_local(a) and not looks_local(b) and a.lower() == b.lower())

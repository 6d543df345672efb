"""File text and file lists of a GitHub repository at a revision: the contents and git trees APIs."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from urllib.parse import quote

from analysis.errors import SourceError
from analysis.sources.github_http import GitHubHttp

RAW_BYTES = 5_000_000  # a file past GitHub's 1 MB contents limit is read raw up to this size
_RAW_MEDIA = "application/vnd.github.raw+json"
log = logging.getLogger(__name__)


class FileTooLarge(SourceError):
    """A file too large to read at this revision; the caller counts it as skipped."""


async def read_contents(http: GitHubHttp, path: str, rev: str) -> str | None:
    """The text of `path` at `rev` (None when absent there or not a file); raises FileTooLarge past RAW_BYTES."""
    url = f"{http.api}/repos/{http.repo}/contents/{quote(path)}?ref={quote(rev, safe='')}"
    body = await http.page_or_none(url)
    if body is None:
        return None
    try:
        data = json.loads(body)
    except ValueError as e:
        raise SourceError(f"GitHub answered unreadable contents for {path} at {rev[:12]}") from e
    if not isinstance(data, dict) or data.get("type", "file") != "file":
        return None  # a directory (a list), a symlink or a submodule
    size = int(data.get("size") or 0)
    if data.get("encoding") == "base64":
        try:
            return base64.b64decode(data.get("content") or "").decode("utf-8", "replace")
        except (binascii.Error, ValueError) as e:
            raise SourceError(f"GitHub answered undecodable contents for {path} at {rev[:12]}") from e
    if size > RAW_BYTES:  # GitHub gives no content over 1 MB (`encoding: none`); the raw type goes to 100 MB
        raise FileTooLarge(f"{path} is {size} bytes at {rev[:12]}")
    return await http.page_or_none(url, _RAW_MEDIA, key=url + "#raw")


async def list_tree(http: GitHubHttp, rev: str) -> list[str]:
    """Every file path at `rev` (the recursive git tree; GitHub may truncate a very large one)."""
    url = f"{http.api}/repos/{http.repo}/git/trees/{quote(rev, safe='')}?recursive=1"
    body = await http.page_or_none(url)
    if body is None:
        return []
    data = json.loads(body)
    if data.get("truncated"):
        log.info(
            "%s: GitHub truncated the file list at %s; packages are found among the listed files",
            http.repo,
            rev[:12],
        )
    return [str(e["path"]) for e in data.get("tree") or [] if e.get("type") == "blob" and e.get("path")]

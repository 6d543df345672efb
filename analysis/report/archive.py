"""The Markdown archive: one report per repository and day, in a folder tree."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.models import Digest
from analysis.report.markdown import render_markdown


def _folder(repo: str) -> str:
    """The repository's last name part, usable as one folder name (never `..` or a path)."""
    return re.sub(r"[^\w.-]", "_", repo.rsplit("/", 1)[-1]).lstrip(".") or "repo"


def write_archive(digest: Digest, out: Path) -> list[Path]:
    """Write each repository's Markdown report to OUT/<year>/<repo-name>/<date>.md."""
    paths = []
    for rd in digest.repos:
        one = Digest(digest.date, digest.timezone, digest.language, [rd], digest.usage, digest.alerts)
        path = out / digest.date[:4] / _folder(rd.repo) / f"{digest.date}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_markdown(one), encoding="utf-8")
        paths.append(path)
    return paths

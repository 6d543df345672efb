"""The Markdown archive: one report per repository and day, in a folder tree."""

from __future__ import annotations

from pathlib import Path

from analysis.models import Digest
from analysis.names import archive_parts
from analysis.report.markdown import render_markdown


def write_archive(digest: Digest, out: Path) -> list[Path]:
    """Write each repository's Markdown report to OUT/<year>/<owner>/<repo>/<date>.md (a clone: its shown name)."""
    paths = []
    for rd in digest.repos:
        one = Digest(digest.date, digest.timezone, digest.language, [rd], digest.usage, digest.alerts)
        path = out / digest.date[:4] / Path(*archive_parts(rd.name)) / f"{digest.date}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_markdown(one), encoding="utf-8")
        paths.append(path)
    return paths

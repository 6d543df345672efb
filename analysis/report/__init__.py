"""Render a digest as a Markdown report, terminal text, or a JSON-ready dict, and archive reports."""

from analysis.report.archive import write_archive
from analysis.report.json import entry_json, render_json
from analysis.report.markdown import render_card_markdown, render_markdown
from analysis.report.text import TEXT_WIDTH, render_card_text, render_text

__all__ = [
    "TEXT_WIDTH",
    "entry_json",
    "render_card_markdown",
    "render_card_text",
    "render_json",
    "render_markdown",
    "render_text",
    "write_archive",
]

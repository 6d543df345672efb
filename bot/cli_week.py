"""`commit-digest week`: the week in one report per repository, from the cached cards and day overviews."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import zoneinfo
from pathlib import Path

import click

from bot.cli_options import cli_settings, open_database_or_exit, repo_option


def parse_week(value: str | None, tz: str) -> str:
    """An ISO week (YYYY-Www) from a week id or a date in it; the current week when None."""
    from analysis.weekly.week_types import week_days, week_id

    if value is None:
        return week_id(dt.datetime.now(zoneinfo.ZoneInfo(tz)).date())
    try:
        if "W" in value.upper():
            week_days(value)
            return value.upper()
        return week_id(dt.date.fromisoformat(value))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a week (YYYY-Www) or a date (YYYY-MM-DD)", param_hint="--week"
        ) from None


@click.command("week")
@click.option(
    "--repo",
    "repos",
    multiple=True,
    help="owner/repo or a local clone path (repeatable; default DIGEST_REPOS).",
)
@click.option("--week", "week_", help="The ISO week (YYYY-Www) or a date in it; default: this week.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Also archive Markdown under this folder."
)
def week(repos: tuple[str, ...], week_: str | None, fmt: str, out: Path | None) -> None:
    """Print the week of each repository: headline, themes, what needed attention and what followed it."""
    settings = cli_settings()
    specs = [repo_option(click.get_current_context(), click.Option(["--repo"]), r) for r in repos]
    cfg = settings.pipeline_config(specs or None)
    if not cfg.repos:
        raise click.UsageError("no repository: pass --repo owner/name (or a clone path) or set DIGEST_REPOS")
    wk = parse_week(week_, cfg.timezone)
    from analysis.weekly.render import (
        render_week_json,
        render_week_markdown,
        render_week_text,
        write_week_archive,
    )
    from analysis.weekly.run import run_week

    weeks = asyncio.run(run_week(open_database_or_exit(settings), cfg, wk))
    if fmt == "json":
        click.echo(json.dumps(render_week_json(weeks), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(render_week_markdown(weeks, cfg.language))
    else:
        click.echo(render_week_text(weeks, cfg.language))
    if out is not None:
        for path in write_week_archive(weeks, cfg.language, out):
            click.echo(f"wrote {path}", err=True)

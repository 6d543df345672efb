"""`commit-digest` commands: parse, call, print."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sys
from pathlib import Path

import click
import sqlite_utils

from analysis import report
from analysis.lookup import LookupKind, lookup_cached
from analysis.pipeline import run_digest
from analysis.redact import install_log_redaction
from analysis.report import write_archive
from bot.app import run_bot
from bot.progress import ProgressBar
from bot.runtime import SetupError, open_database, post_now
from bot.settings import Settings, SettingsError, load_settings
from bot.status import status_lines
from storage.db import is_read_only


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as e:
        raise click.ClickException(f"invalid setting {e}") from None


def _open(settings: Settings, *, read_only_ok: bool = False) -> sqlite_utils.Database:
    try:
        db = open_database(settings, read_only_ok=read_only_ok)
    except SetupError as e:
        raise click.ClickException(str(e)) from None
    if is_read_only(db):
        click.echo(
            f"note: {settings.digest_db_path} is read-only: shown as stored, nothing updated", err=True
        )
    return db


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-v info, -vv debug).")
def main(verbose: int) -> None:
    """A daily digest of what changed in the repositories you depend on."""
    level = logging.WARNING - 10 * min(verbose, 2)
    install_log_redaction()
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if verbose < 2:
        logging.getLogger("httpx").setLevel(logging.WARNING)


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date in the form YYYY-MM-DD", param_hint="--date"
        ) from None


@main.command()
@click.option(
    "--repo",
    "repos",
    multiple=True,
    help="owner/repo or a local clone path (repeatable; default DIGEST_REPOS).",
)
@click.option(
    "--date", "date_", help="Digest this day (YYYY-MM-DD, in DIGEST_TIMEZONE) instead of what is new."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="Also archive Markdown under this folder."
)
@click.option("--reanalyze", is_flag=True, help="Analyze again even when a cached analysis matches.")
@click.option("--post", is_flag=True, help="Post the digest to Slack now (DIGEST_CHANNEL or --channel).")
@click.option("--channel", help="With --post: the Slack channel ID to post to.")
def run(
    repos: tuple[str, ...],
    date_: str | None,
    fmt: str,
    out: Path | None,
    reanalyze: bool,
    post: bool,
    channel: str | None,
) -> None:
    """Run the pipeline and print the digest (nothing is posted unless --post)."""
    settings = _settings()
    day = _parse_day(date_)
    if post:
        if repos:
            settings = settings.model_copy(update={"digest_repos": list(repos)})
        try:
            asyncio.run(post_now(settings, channel, day))
        except SetupError as e:
            raise click.ClickException(str(e)) from None
        return
    cfg = settings.pipeline_config(list(repos) or None, reanalyze=reanalyze)
    if not cfg.repos:
        raise click.UsageError(
            "no repository to digest: pass --repo owner/name (or a clone path) or set DIGEST_REPOS"
        )
    db = _open(settings)
    bar = ProgressBar(sys.stderr)
    try:
        digest = asyncio.run(run_digest(db, cfg, day=day, target="terminal", progress=bar.update))
    finally:
        bar.close()
    if fmt == "json":
        click.echo(json.dumps(report.render_json(digest), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(report.render_markdown(digest))
    else:
        click.echo(report.render_text(digest, color=sys.stdout.isatty()))
    if out is not None:
        for path in write_archive(digest, out):
            click.echo(f"wrote {path}", err=True)
    if digest.repos and all(rd.error for rd in digest.repos):
        sys.exit(1)


@main.command()
@click.argument("sha")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True
)
def show(sha: str, fmt: str) -> None:
    """Print the card of one commit from the cache (a SHA, a prefix of 7+ characters, or a commit URL)."""
    settings = _settings()
    found = lookup_cached(_open(settings, read_only_ok=True), sha)
    if found.kind is LookupKind.AMBIGUOUS:
        lines = [found.message] + [f"  {c.sha[:12]}  {c.repo}  {c.title}" for c in found.candidates]
        raise click.ClickException("\n".join(lines))
    if found.kind is not LookupKind.FOUND:
        raise click.ClickException(found.message)
    assert found.entry is not None
    if fmt == "json":
        click.echo(
            json.dumps(report.entry_json(found.entry, settings.digest_timezone), ensure_ascii=False, indent=2)
        )
    else:
        click.echo(report.render_card_markdown(found.entry, settings.digest_language), nl=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(fmt: str) -> None:
    """Last run per repository, analyses by status, cursors, rate limits and LLM usage."""
    settings = _settings()
    db = _open(settings, read_only_ok=True)
    lines, data = status_lines(db, settings.pipeline_config().llm)
    click.echo(json.dumps(data, indent=2) if fmt == "json" else "\n".join(lines))


@main.command()
@click.option(
    "--port", default=3000, show_default=True, help="HTTP port for Slack's requests (HTTP mode) and /healthz."
)
def serve(port: int) -> None:
    """Run the Slack bot: /commit, /digest, mentions, buttons and the scheduled digest."""
    try:
        settings = load_settings()
        asyncio.run(run_bot(settings, port))
    except (SettingsError, SetupError) as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

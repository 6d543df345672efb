"""`commit-digest` commands: parse, call, print."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from analysis.errors import CommitDigestError
from analysis.identity import RepoSpecError, repo_spec, repo_specs
from bot.cli_week import week as week_command
from bot.logs import configure_logging

if TYPE_CHECKING:  # the commands import their runtime when they run, so --version and --help stay quick
    import sqlite_utils

    from analysis.lookup import Lookup
    from bot.settings import Settings

log = logging.getLogger(__name__)
EXIT_CODES = """\b
Exit codes:
  0  every repository was digested (or the command succeeded)
  1  something failed: a repository could not be read (the report is still printed), or a lookup failed
  2  a usage error or a malformed setting"""


class SettingsProblem(click.ClickException, CommitDigestError):
    """A malformed setting: exit code 2, like a usage error."""

    exit_code = 2


def _settings() -> Settings:
    from bot.envcheck import configured_names, unknown_variables
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as e:
        raise SettingsProblem(f"invalid setting {e}") from None
    for warning in unknown_variables(configured_names()):
        log.warning(warning)
    if settings.digest_log_format != "text":
        configure_logging(
            click.get_current_context().find_root().meta.get("verbose", 0), settings.digest_log_format
        )
    return settings


def _open(settings: Settings, *, read_only_ok: bool = False) -> sqlite_utils.Database:
    from bot.runtime import SetupError, open_database
    from storage.db import is_read_only

    try:
        db = open_database(settings, read_only_ok=read_only_ok)
    except SetupError as e:
        raise click.ClickException(str(e)) from None
    if is_read_only(db):
        click.echo(
            f"note: {settings.digest_db_path} is read-only: shown as stored, nothing updated", err=True
        )
    return db


def _count_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> int:
    """-v counts wherever it is given, before or after the subcommand."""
    root = ctx.find_root()
    root.meta["verbose"] = root.meta.get("verbose", 0) + (value or 0)
    fmt = os.environ.get("DIGEST_LOG_FORMAT", "text").strip().lower()
    configure_logging(root.meta["verbose"], "json" if fmt == "json" else "text")
    return value


verbose_option = click.option(
    "-v",
    "--verbose",
    count=True,
    expose_value=False,
    callback=_count_verbose,
    help="More log output on stderr: -v info (retries, waits), -vv debug.",
)


def _width() -> int:
    """The terminal's width for the text digest; 100 columns when stdout is not a terminal."""
    from analysis.report import TEXT_WIDTH

    return shutil.get_terminal_size((TEXT_WIDTH, 24)).columns if sys.stdout.isatty() else TEXT_WIDTH


@click.group(epilog=EXIT_CODES)
@click.version_option(package_name="commit-digest", prog_name="commit-digest")
@verbose_option
def main() -> None:
    """A daily digest of what changed in the repositories you depend on."""


def _repo_option(_ctx: click.Context, param: click.Parameter, value: object) -> object:
    """--repo as one identity each: owner/repo (any letter case, URL or .git form) or a clone's real path."""
    try:
        if isinstance(value, tuple):
            return tuple(repo_specs(value))
        return repo_spec(value) if isinstance(value, str) else value
    except RepoSpecError as e:
        raise SettingsProblem(f"--{param.name if param.name != 'repos' else 'repo'}: {e}") from None


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date in the form YYYY-MM-DD", param_hint="--date"
        ) from None


@main.command(epilog=EXIT_CODES)
@verbose_option
@click.option(
    "--repo",
    "repos",
    multiple=True,
    callback=_repo_option,
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
    """Run the pipeline and print the digest (nothing is posted unless --post).

    On a terminal, progress is shown on stderr: listing, fetching, analyzing, waits for a rate limit, and an ETA.
    A repository that cannot be read is named on stderr and makes the exit code 1; the others are still printed.
    """
    import asyncio

    from analysis import report
    from analysis.facts import error_reason
    from analysis.pipeline import run_digest
    from analysis.report import write_archive
    from bot.progress import ProgressDisplay
    from bot.team_code import add_channel_impact
    from storage.full import DiskFull

    settings = _settings()
    day = _parse_day(date_)
    if post:
        from bot.runtime import SetupError, UnknownChannel, post_now
        from bot.scheduler import ALREADY_POSTED, BUSY, FOLLOWED_UP

        if repos:
            settings = settings.model_copy(update={"digest_repos": list(repos)})
        try:
            outcomes = asyncio.run(post_now(settings, channel, day))
        except UnknownChannel as e:
            raise SettingsProblem(str(e)) from None
        except SetupError as e:
            raise click.ClickException(str(e)) from None
        for o in outcomes:
            if o.busy:
                click.echo(f"{o.channel}: {BUSY}", err=True)
            elif o.already:
                click.echo(f"{o.channel}: {ALREADY_POSTED}", err=True)
            elif o.followed_up:
                click.echo(f"{o.channel}: {FOLLOWED_UP}", err=True)
        return
    cfg = settings.pipeline_config(list(repos) or None, reanalyze=reanalyze)
    if not cfg.repos:
        raise click.UsageError(
            "no repository to digest: pass --repo owner/name (or a clone path) or set DIGEST_REPOS"
        )
    db = _open(settings)
    try:
        with ProgressDisplay() as display:
            digest = asyncio.run(run_digest(db, cfg, day=day, target="terminal", progress=display.update))
        asyncio.run(add_channel_impact(settings, db, digest))
    except DiskFull as e:
        raise click.ClickException(str(e)) from None
    if fmt == "json":
        click.echo(json.dumps(report.render_json(digest), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(report.render_markdown(digest))
    else:
        click.echo(report.render_text(digest, color=sys.stdout.isatty(), width=_width()))
    if out is not None:
        for path in write_archive(digest, out):
            click.echo(f"wrote {path}", err=True)
    failed = [rd for rd in digest.repos if rd.error]
    for rd in failed:
        click.echo(f"Error: {rd.repo}: {error_reason(rd.error)}", err=True)
    if failed:
        sys.exit(1)


def _lookup(settings: Settings, sha: str, repo: str | None) -> Lookup:
    """From the cache; with `repo`, a commit not cached (or not analyzed) is fetched and analyzed there."""
    import asyncio

    from analysis.lookup import LookupKind, lookup_cached, lookup_commit

    db = _open(settings, read_only_ok=repo is None)
    found = lookup_cached(db, sha, repo)
    if repo is None or found.kind in (LookupKind.MALFORMED, LookupKind.AMBIGUOUS):
        if found.kind is LookupKind.UNKNOWN:
            found.message += " (pass --repo owner/name to fetch it)"
        return found
    return asyncio.run(lookup_commit(db, settings.pipeline_config([repo]), sha, cached=found))


@main.command(epilog=EXIT_CODES)
@verbose_option
@click.argument("sha")
@click.option(
    "--repo",
    callback=_repo_option,
    help="owner/repo or a clone path: fetch and analyze the commit there when it is not cached.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True
)
def show(sha: str, repo: str | None, fmt: str) -> None:
    """Print the card of one commit (a SHA, a prefix of 7+ characters, or a commit URL).

    From the cache; with --repo, a commit not read yet is fetched and analyzed like Slack's /commit.
    """
    from analysis import report
    from analysis.lookup import LookupKind

    settings = _settings()
    found = _lookup(settings, sha, repo)
    if found.kind is LookupKind.AMBIGUOUS:
        lines = [found.message] + [f"  {c.sha[:12]}  {c.repo}  {c.title}" for c in found.candidates]
        raise click.ClickException("\n".join(lines))
    if found.kind is LookupKind.MALFORMED:
        raise click.BadParameter(found.message, param_hint="SHA")
    if found.kind is not LookupKind.FOUND:
        raise click.ClickException(found.message)
    assert found.entry is not None
    if found.also_in:
        click.echo(f"note: {found.entry.commit.sha} is also in {', '.join(found.also_in)}", err=True)
    if fmt == "json":
        click.echo(
            json.dumps(report.entry_json(found.entry, settings.digest_timezone), ensure_ascii=False, indent=2)
        )
    elif fmt == "markdown":
        click.echo(report.render_card_markdown(found.entry, settings.digest_language), nl=False)
    else:
        text = report.render_card_text(
            found.entry,
            settings.digest_language,
            settings.digest_timezone,
            color=sys.stdout.isatty(),
            width=_width(),
        )
        click.echo(text, nl=False)


@main.command(epilog=EXIT_CODES)
@verbose_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(fmt: str) -> None:
    """Last run per repository, analyses by status, cursors, rate limits and LLM usage."""
    from bot.status import status_lines

    settings = _settings()
    db = _open(settings, read_only_ok=True)
    lines, data = status_lines(db, settings.pipeline_config().llm)
    click.echo(json.dumps(data, indent=2) if fmt == "json" else "\n".join(lines))


@main.command(epilog=EXIT_CODES)
@verbose_option
@click.option(
    "--repo", help="owner/repo or a clone path of the upstream (default: the first of DIGEST_REPOS)."
)
@click.option(
    "--since", help="A tag, a SHA, or a version (v1.2.3); default: the version the team's code pins."
)
@click.option("--code", "code_name", help="Which of DIGEST_TEAM_CODE's code bases (default: the first).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def impact(repo: str | None, since: str | None, code_name: str | None, fmt: str) -> None:
    """Every upstream interface change since a version that meets the team's code, by symbol."""
    import asyncio

    from bot.team_code import radar_answer, radar_json, radar_lines

    settings = _settings()
    codes = settings.team_code
    if code_name is not None and code_name not in codes:
        known = ", ".join(codes) or "none (set DIGEST_TEAM_CODE)"
        raise click.BadParameter(f"no code base named {code_name!r}; known: {known}", param_hint="--code")
    db = _open(settings)
    code = codes[code_name] if code_name else next(iter(codes.values()), None)
    answer = asyncio.run(radar_answer(settings, db, code, repo, since))
    if answer.error:
        raise click.ClickException(answer.error)
    if fmt == "json":
        click.echo(json.dumps(radar_json(answer), indent=2))
    else:
        click.echo("\n".join(radar_lines(answer, settings.digest_language)))


@main.command(epilog=EXIT_CODES)
@verbose_option
@click.option(
    "--port", default=3000, show_default=True, help="HTTP port for Slack's requests (HTTP mode) and /healthz."
)
def serve(port: int) -> None:
    """Run the Slack bot: /commit, /digest, mentions, buttons and the scheduled digest."""
    import asyncio

    from bot.app import run_bot
    from bot.runtime import SetupError, UnknownChannel

    settings = _settings()
    try:
        asyncio.run(run_bot(settings, port))
    except UnknownChannel as e:
        raise SettingsProblem(str(e)) from None
    except SetupError as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        pass


main.add_command(week_command)

if __name__ == "__main__":
    main()

"""`commit-digest`: the command group, `run` and `serve`; `show`, `status`, `impact` and `week` live beside it."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from bot.cli_inspect import impact, show, status
from bot.cli_options import (
    EXIT_CODES,
    SettingsProblem,
    cli_settings,
    open_database_or_exit,
    repo_option,
    terminal_width,
    verbose_option,
)
from bot.cli_week import week as week_command


@click.group(epilog=EXIT_CODES)
@click.version_option(package_name="commit-digest", prog_name="commit-digest")
@verbose_option
def main() -> None:
    """A daily digest of what changed in the repositories you depend on."""


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
    callback=repo_option,
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

    settings = cli_settings()
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
    db = open_database_or_exit(settings)
    try:
        with ProgressDisplay() as display:
            digest = asyncio.run(run_digest(db, cfg, day=day, target="terminal", progress=display.update))
        asyncio.run(add_channel_impact(settings, db, digest, cfg.source))
    except DiskFull as e:
        raise click.ClickException(str(e)) from None
    if fmt == "json":
        click.echo(json.dumps(report.render_json(digest), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(report.render_markdown(digest))
    else:
        click.echo(report.render_text(digest, color=sys.stdout.isatty(), width=terminal_width()))
    if out is not None:
        for path in write_archive(digest, out):
            click.echo(f"wrote {path}", err=True)
    failed = [rd for rd in digest.repos if rd.error]
    for rd in failed:
        click.echo(f"Error: {rd.repo}: {error_reason(rd.error)}", err=True)
    if failed:
        sys.exit(1)


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

    settings = cli_settings()
    try:
        asyncio.run(run_bot(settings, port))
    except UnknownChannel as e:
        raise SettingsProblem(str(e)) from None
    except SetupError as e:
        raise click.ClickException(str(e)) from None
    except KeyboardInterrupt:
        pass


main.add_command(week_command)
main.add_command(show)
main.add_command(status)
main.add_command(impact)

if __name__ == "__main__":
    main()

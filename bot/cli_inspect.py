"""`commit-digest show`, `status` and `impact`: one commit's card, what is stored, and the team's code against a version."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from bot.cli_options import (
    EXIT_CODES,
    cli_settings,
    open_database_or_exit,
    repo_option,
    terminal_width,
    verbose_option,
)

if TYPE_CHECKING:
    from analysis.lookup import Lookup
    from bot.settings import Settings


def _lookup(settings: Settings, sha: str, repo: str | None) -> Lookup:
    """From the cache; with `repo`, a commit not cached (or not analyzed) is fetched and analyzed there."""
    import asyncio

    from analysis.lookup import LookupKind, lookup_cached, lookup_commit

    db = open_database_or_exit(settings, read_only_ok=repo is None)
    found = lookup_cached(db, sha, repo)
    if repo is None or found.kind in (LookupKind.MALFORMED, LookupKind.AMBIGUOUS):
        if found.kind is LookupKind.UNKNOWN:
            found.message += " (pass --repo owner/name to fetch it)"
        return found
    return asyncio.run(lookup_commit(db, settings.pipeline_config([repo]), sha, cached=found))


@click.command(epilog=EXIT_CODES)
@verbose_option
@click.argument("sha")
@click.option(
    "--repo",
    callback=repo_option,
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

    settings = cli_settings()
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
            width=terminal_width(),
        )
        click.echo(text, nl=False)


@click.command(epilog=EXIT_CODES)
@verbose_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(fmt: str) -> None:
    """Last run per repository, analyses by status, cursors, rate limits and LLM usage."""
    from bot.status import status_lines

    settings = cli_settings()
    db = open_database_or_exit(settings, read_only_ok=True)
    lines, data = status_lines(db, settings.pipeline_config().llm)
    click.echo(json.dumps(data, indent=2) if fmt == "json" else "\n".join(lines))


@click.command(epilog=EXIT_CODES)
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

    settings = cli_settings()
    codes = settings.team_code
    if code_name is not None and code_name not in codes:
        known = ", ".join(codes) or "none (set DIGEST_TEAM_CODE)"
        raise click.BadParameter(f"no code base named {code_name!r}; known: {known}", param_hint="--code")
    db = open_database_or_exit(settings)
    code = codes[code_name] if code_name else next(iter(codes.values()), None)
    answer = asyncio.run(radar_answer(settings, db, code, repo, since))
    if answer.error:
        raise click.ClickException(answer.error)
    if fmt == "json":
        click.echo(json.dumps(radar_json(answer), indent=2))
    else:
        click.echo("\n".join(radar_lines(answer, settings.digest_language)))

"""What every `commit-digest` command shares: its settings, its database, the -v and --repo options, the exit codes."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from typing import TYPE_CHECKING

import click

from analysis.errors import CommitDigestError
from analysis.identity import RepoSpecError, repo_spec, repo_specs
from bot.logs import configure_logging

if TYPE_CHECKING:  # the commands import their runtime when they run, so --version and --help stay quick
    import sqlite_utils

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


def cli_settings() -> Settings:
    """The settings from the environment; a malformed one exits with code 2, unknown variables are warned about."""
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


def open_database_or_exit(settings: Settings, *, read_only_ok: bool = False) -> sqlite_utils.Database:
    """The settings' database, opened and migrated; a setup problem exits with its message."""
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


def count_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> int:
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
    callback=count_verbose,
    help="More log output on stderr: -v info (retries, waits), -vv debug.",
)


def terminal_width() -> int:
    """The terminal's width for the text digest; 100 columns when stdout is not a terminal."""
    from analysis.report import TEXT_WIDTH

    return shutil.get_terminal_size((TEXT_WIDTH, 24)).columns if sys.stdout.isatty() else TEXT_WIDTH


def repo_option(_ctx: click.Context, param: click.Parameter, value: object) -> object:
    """--repo as one identity each: owner/repo (any letter case, URL or .git form) or a clone's real path."""
    try:
        if isinstance(value, tuple):
            return tuple(repo_specs(value))
        return repo_spec(value) if isinstance(value, str) else value
    except RepoSpecError as e:
        raise SettingsProblem(f"--{param.name if param.name != 'repos' else 'repo'}: {e}") from None

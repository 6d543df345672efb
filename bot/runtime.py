"""The running bot: its context (settings, database, Slack client, digester), opened once for `serve` and the CLI."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlite_utils

from analysis.config import PipelineConfig
from analysis.errors import CommitDigestError
from analysis.redact import error_text, redact
from analysis.scope import watched_repos
from bot import subscriptions
from bot.settings import Settings
from storage.db import StorageError, open_db

if TYPE_CHECKING:  # Slack's SDK and the scheduler load when the bot talks to Slack, not for every command
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.scheduler import ChannelOutcome, Digester

log = logging.getLogger(__name__)
CONTEXT_KEY = "digest_ctx"


class SetupError(CommitDigestError):
    """The bot cannot start: a missing or rejected token, or an unreachable Slack API."""


class UnknownChannel(SetupError):
    """A channel name (DIGEST_CHANNEL, DIGEST_ALERT_CHANNEL or --channel) that names no channel: a setting error."""


@dataclass
class Context:
    """The long-lived state of the running bot."""

    settings: Settings
    db: sqlite_utils.Database
    client: AsyncWebClient
    digester: Digester
    tasks: set[asyncio.Task] = field(default_factory=set)
    identity: dict[str, Any] = field(default_factory=dict)  # auth.test's answer: the bot user and team

    @property
    def config(self) -> PipelineConfig:
        """The pipeline configuration, built once from the settings: its repositories are DIGEST_REPOS."""
        return self.digester.config

    def lookup_config(self) -> PipelineConfig:
        """The pipeline configuration for commit lookups: its repositories are the configured ones (DIGEST_REPOS)."""
        return self.config

    def watched(self) -> set[str]:
        """Every repository this workspace watches: DIGEST_REPOS and each `owner/repo` a channel follows."""
        return watched_repos(self.db, self.settings.digest_repos)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run `coro` in the background, keeping a reference and logging what it raises."""
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())


def open_database(settings: Settings, *, read_only_ok: bool = False) -> sqlite_utils.Database:
    """Open DIGEST_DB_PATH (read-only when it cannot be written and `read_only_ok`); raise SetupError saying why not."""
    try:
        return open_db(settings.digest_db_path, read_only_ok=read_only_ok)
    except StorageError as e:
        raise SetupError(str(e)) from None


def slack_client(settings: Settings) -> AsyncWebClient:
    """The Web API client for SLACK_BOT_TOKEN; raise SetupError when it is not set."""
    from bot.slack.client import make_client

    if not settings.slack_bot_token or not settings.slack_bot_token.get_secret_value():
        raise SetupError(
            "SLACK_BOT_TOKEN is not set: create the app from slack-manifest.yaml and copy its Bot User OAuth Token"
        )
    return make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)


def reason(e: Exception) -> str:
    """A one-line reason for an unexpected error: Slack's error code, else the exception's first line."""
    from slack_sdk.errors import SlackApiError

    if isinstance(e, SlackApiError):
        return str(e.response.get("error"))
    return error_text(e).splitlines()[0]


async def check_token(client: AsyncWebClient) -> dict:
    """auth.test the bot token; raise SetupError saying what is wrong."""
    from slack_sdk.errors import SlackApiError

    try:
        return (await client.auth_test()).data
    except SlackApiError as e:
        raise SetupError(f"SLACK_BOT_TOKEN was rejected by Slack ({e.response.get('error')})") from None
    except Exception as e:
        raise SetupError(f"cannot reach the Slack API at {redact(client.base_url)}: {reason(e)}") from None


async def open_context(settings: Settings, *, http_mode: bool = False) -> Context:
    """Check the Slack token, open the database and build the bot's context; raise SetupError on trouble."""
    from bot.channel_targets import settle_channels
    from bot.scheduler import Digester
    from bot.slack.channels import ChannelDirectory, ChannelNotFound
    from bot.slack.client import PostError

    client = slack_client(settings)
    if http_mode and not settings.slack_signing_secret:
        raise SetupError("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN to use Socket Mode)")
    identity = await check_token(client)
    db = open_database(settings)
    try:
        settings = await settle_channels(settings, db, ChannelDirectory(client))
    except ChannelNotFound as e:
        db.conn.close()
        raise UnknownChannel(str(e)) from None
    except PostError as e:
        db.conn.close()
        raise SetupError(f"cannot list Slack channels to find DIGEST_CHANNEL: {e}") from None
    return Context(settings, db, client, Digester(settings, db, client), identity=identity)


async def post_now(
    settings: Settings, channel: str | None = None, day: dt.date | None = None
) -> list[ChannelOutcome]:
    """Build and post the digest now to `channel`, else DIGEST_CHANNEL, else every subscribed channel.

    A channel without subscriptions gets DIGEST_REPOS unfiltered. Raises SetupError when nothing could be posted.
    """
    from bot.slack.channels import ChannelDirectory, ChannelNotFound

    ctx = await open_context(settings)
    try:
        if channel:
            try:
                channel = await ChannelDirectory(ctx.client).resolve(channel)
            except ChannelNotFound as e:
                raise UnknownChannel(f"--channel: {e}") from None
        target = channel or ctx.settings.digest_channel
        channels = [target] if target else subscriptions.subscribed_channels(ctx.db)
        if not channels:
            raise SetupError(
                "no channel to post to: set DIGEST_CHANNEL or pass a channel, or use /digest subscribe"
            )
        outcomes = await ctx.digester.run(channels, day, wait=True) or []
        failed = [f"{o.channel}: {o.error}" for o in outcomes if o.error]
        if failed:
            raise SetupError("the digest could not be posted to " + "; ".join(failed))
        return outcomes
    finally:
        ctx.db.conn.close()

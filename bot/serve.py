"""`commit-digest serve`: the long-running Slack bot; and posting one digest now."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal

import click
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import poster, subscriptions
from bot.app import build_app, start_http, start_socket_mode
from bot.context import Context
from bot.scheduler import ChannelOutcome, Digester, catch_up, make_scheduler
from bot.settings import Settings, SettingsError, load_settings
from storage.db import StorageError, open_db

log = logging.getLogger(__name__)
SOCKET_CONNECT_TIMEOUT = 60.0


class SetupError(Exception):
    """The bot cannot start: a missing or rejected token, or an unreachable Slack API."""


def _client(settings: Settings) -> AsyncWebClient:
    if not settings.slack_bot_token or not settings.slack_bot_token.get_secret_value():
        raise SetupError(
            "SLACK_BOT_TOKEN is not set: create the app from slack-manifest.yaml and copy its Bot User OAuth Token"
        )
    return poster.make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)


def _reason(e: Exception) -> str:
    if isinstance(e, SlackApiError):
        return str(e.response.get("error"))
    return f"{type(e).__name__}: {e}".splitlines()[0]


async def check_token(client: AsyncWebClient) -> dict:
    """auth.test the bot token; raise SetupError saying what is wrong."""
    try:
        return (await client.auth_test()).data
    except SlackApiError as e:
        raise SetupError(f"SLACK_BOT_TOKEN was rejected by Slack ({e.response.get('error')})") from None
    except Exception as e:
        raise SetupError(f"cannot reach the Slack API at {client.base_url}: {_reason(e)}") from None


def _open(settings: Settings):
    try:
        return open_db(settings.digest_db_path)
    except StorageError as e:
        raise SetupError(str(e)) from None


async def run_bot(settings: Settings, port: int, stop: asyncio.Event | None = None) -> None:
    """Run the bot until `stop` is set (or forever): app, scheduler, and a catch-up of a missed digest."""
    socket_mode = bool(settings.slack_app_token and settings.slack_app_token.get_secret_value())
    client = _client(settings)
    if not socket_mode and not settings.slack_signing_secret:
        raise SetupError("HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN to use Socket Mode)")
    who = await check_token(client)
    db = _open(settings)
    subscriptions.seed(db, settings)
    digester = Digester(settings, db, client)
    ctx = Context(settings, db, client, digester)
    app = build_app(ctx, socket_mode=socket_mode)
    stop = stop or asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    runner = await start_http(None if socket_mode else app, port)
    handler = None
    scheduler = make_scheduler(digester)
    try:
        if socket_mode:
            assert settings.slack_app_token is not None
            app_token = settings.slack_app_token.get_secret_value()
            try:
                await client.apps_connections_open(app_token=app_token)  # fails fast on a bad token
                handler = await asyncio.wait_for(start_socket_mode(app, app_token), SOCKET_CONNECT_TIMEOUT)
            except Exception as e:
                raise SetupError(
                    f"cannot open a Socket Mode connection (check SLACK_APP_TOKEN): {_reason(e)}"
                ) from None
        scheduler.start()
        ctx.spawn(catch_up(digester))
        mode = "Socket Mode" if socket_mode else f"HTTP mode on port {port}"
        log.info("commit-digest is running as %s in %s (%s)", who.get("user"), who.get("team"), mode)
        await stop.wait()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        for task in list(ctx.tasks):
            task.cancel()
        await asyncio.gather(*ctx.tasks, return_exceptions=True)
        if handler is not None:
            await handler.close_async()
        await runner.cleanup()
        db.conn.close()


async def post_now(
    settings: Settings, channel: str | None = None, day: dt.date | None = None
) -> list[ChannelOutcome]:
    """Build and post the digest now to `channel`, else DIGEST_CHANNEL, else every subscribed channel.

    A channel without subscriptions gets DIGEST_REPOS unfiltered. Raises SetupError when nothing could be posted.
    """
    client = _client(settings)
    await check_token(client)
    db = _open(settings)
    try:
        target = channel or settings.digest_channel
        channels = [target] if target else subscriptions.subscribed_channels(db)
        if not channels:
            raise SetupError(
                "no channel to post to: set DIGEST_CHANNEL or pass a channel, or use /digest subscribe"
            )
        outcomes = await Digester(settings, db, client).run(channels, day, wait=True) or []
        failed = [f"{o.channel}: {o.error}" for o in outcomes if o.error]
        if failed:
            raise SetupError("the digest could not be posted to " + "; ".join(failed))
        return outcomes
    finally:
        db.conn.close()


@click.command("serve")
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

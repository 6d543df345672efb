"""Build the Slack app, register its listeners, and run the bot over Socket Mode or HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.signature import SignatureVerifier

from analysis.redact import install_log_redaction
from bot import listeners, subscriptions
from bot.health import HEALTH_KEY, Health, health_response
from bot.http_guard import (
    IDLE_TIMEOUT,
    MAX_BODY,
    MAX_CONNECTIONS,
    BadRequest,
    CappedSite,
    ConnectionCap,
    EventIds,
    checked_body,
)
from bot.logs import ALWAYS
from bot.runtime import CONTEXT_KEY, Context, SetupError, open_context, reason
from bot.scheduler import catch_up, make_scheduler
from bot.settings import Settings
from bot.startup import bolt_env, start_line
from bot.weekly import add_weekly_job, catch_up_week

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
SOCKET_CONNECT_TIMEOUT = 60.0


def register_listeners(app: AsyncApp, ctx: Context) -> None:
    """Put the bot's context on every request and wire the commands, buttons and events."""

    async def attach_context(context: AsyncBoltContext, next) -> None:  # noqa: A002 (bolt's argument name)
        context[CONTEXT_KEY] = ctx
        await next()

    app.use(attach_context)
    listeners.register(app)


def build_app(ctx: Context, *, socket_mode: bool = False) -> AsyncApp:
    """The Bolt app over the context's Web API client; requests are signature-checked in HTTP mode."""
    secret = ctx.settings.slack_signing_secret
    with bolt_env():
        app = AsyncApp(
            client=ctx.client,
            signing_secret=secret.get_secret_value() if secret else "",
            request_verification_enabled=not socket_mode,
            logger=logging.getLogger("bot.bolt"),
        )
    register_listeners(app, ctx)
    return app


async def _health(request: web.Request) -> web.Response:
    return await health_response(request.app.get(HEALTH_KEY))


def web_app(app: AsyncApp | None, signing_secret: str = "", health: Health | None = None) -> web.Application:
    """The aiohttp application: Slack's requests on /slack/events (HTTP mode) and /healthz.

    Each request is checked (content type, size, signature, readable body) before Bolt sees it, and an event
    Slack sends again (a retry, or a duplicate event id) is acknowledged without being handled twice.
    """
    seen = EventIds()

    async def events(request: web.Request) -> web.Response:
        assert app is not None and verifier is not None
        try:
            data = await checked_body(request, verifier)
        except BadRequest as e:
            log.warning("refused a request to %s: %s", EVENTS_PATH, e)
            return web.Response(status=e.status, text=str(e))
        if not seen.first_time(data):
            retry = request.headers.get("X-Slack-Retry-Num", "")
            log.info(
                "event %s already handled (retry %s): acknowledged again", data.get("event_id"), retry[:4]
            )
            return web.Response(status=200, headers={"X-Slack-No-Retry": "1"})
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_application = web.Application(client_max_size=MAX_BODY)
    if health is not None:
        web_application[HEALTH_KEY] = health
    web_application.router.add_get(HEALTH_PATH, _health)
    verifier = SignatureVerifier(signing_secret) if app is not None and signing_secret else None
    if verifier is not None:
        web_application.router.add_post(EVENTS_PATH, events)
    return web_application


async def start_http(
    app: AsyncApp | None,
    port: int,
    host: str = "0.0.0.0",
    health: Health | None = None,
    *,
    max_connections: int = MAX_CONNECTIONS,
    idle_timeout: float = IDLE_TIMEOUT,
) -> web.AppRunner:
    """Serve the app (or only /healthz when `app` is None) on `port`; return the runner to clean up.

    A connection idle for `idle_timeout` seconds (or that sends no whole request in that time) is closed;
    at most `max_connections` stay open.
    """
    secret = getattr(app, "_signing_secret", "") or ""  # the secret build_app gave Bolt, checked first here
    runner = web.AppRunner(web_app(app, secret, health), access_log=None, keepalive_timeout=idle_timeout)
    await runner.setup()
    await CappedSite(runner, host, port, ConnectionCap(max_connections)).start()
    return runner


async def start_socket_mode(app: AsyncApp, app_token: str) -> AsyncSocketModeHandler:
    """Connect to Slack over Socket Mode; return the handler to close."""
    handler = AsyncSocketModeHandler(app, app_token)
    await handler.connect_async()
    return handler


async def run_bot(settings: Settings, port: int, stop: asyncio.Event | None = None) -> None:
    """Run the bot until `stop` is set (or forever): app, scheduler, and a catch-up of a missed digest."""
    install_log_redaction()
    socket_mode = bool(settings.slack_app_token and settings.slack_app_token.get_secret_value())
    ctx = await open_context(settings, http_mode=not socket_mode)
    subscriptions.seed(ctx.db, ctx.settings)
    app = build_app(ctx, socket_mode=socket_mode)
    stop = stop or asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    scheduler = make_scheduler(ctx.digester)
    add_weekly_job(scheduler, ctx.digester)
    health = Health(socket_mode=socket_mode, scheduler=scheduler)
    runner = await start_http(None if socket_mode else app, port, health=health)
    handler = None
    try:
        if socket_mode:
            assert settings.slack_app_token is not None
            app_token = settings.slack_app_token.get_secret_value()
            try:
                await ctx.client.apps_connections_open(app_token=app_token)  # fails fast on a bad token
                handler = await asyncio.wait_for(start_socket_mode(app, app_token), SOCKET_CONNECT_TIMEOUT)
                health.socket = handler
            except Exception as e:
                raise SetupError(
                    f"cannot open a Socket Mode connection (check SLACK_APP_TOKEN): {reason(e)}"
                ) from None
        scheduler.start()
        ctx.spawn(catch_up(ctx.digester))
        ctx.spawn(catch_up_week(ctx.digester))
        mode = "Socket Mode" if socket_mode else f"HTTP mode on port {port}"
        log.info("%s", start_line(ctx, mode, scheduler), extra={ALWAYS: True})
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
        ctx.db.conn.close()

"""Socket Mode: link_shared and app_home_opened arrive over the websocket and are answered like over HTTP."""

from __future__ import annotations

import asyncio
import json
import socket as sockets

from aiohttp import WSMsgType, web

from bot import subscriptions
from bot.app import run_bot
from bot.settings import load_settings
from storage.db import open_db
from tests.bot.conftest import eventually
from tests.fakes.digests import REPO, SHA, seed_commit
from tests.fakes.slack import FakeSlack


def free_port() -> int:
    with sockets.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def envelope(n: int, event: dict) -> dict:
    payload = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": f"Ev{n}",
        "event": event,
    }
    return {
        "envelope_id": f"e{n}",
        "type": "events_api",
        "accepts_response_payload": False,
        "payload": payload,
    }


async def test_socket_mode_unfurls_links_and_publishes_the_home_tab(tmp_path) -> None:
    acks: asyncio.Queue[dict] = asyncio.Queue()
    slack = FakeSlack()
    link = f"https://github.com/{REPO}/commit/{SHA}"

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        await ws.send_json(envelope(1, slack.share_links("C1", [link])))
        await ws.send_json(
            envelope(2, {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})
        )
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await acks.put(json.loads(msg.data))
        return ws

    ws_app = web.Application()
    ws_app.router.add_get("/link", socket)
    runner = web.AppRunner(ws_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        with slack:
            url = {"ok": True, "url": f"ws://127.0.0.1:{runner.addresses[0][1]}/link"}
            slack.script("apps.connections.open", *[url] * 5)
            settings = load_settings(
                slack_bot_token=slack.token,
                slack_app_token="xapp-1-test",
                slack_api_url=slack.url,
                digest_db_path=str(tmp_path / "socket.db"),
            )
            db = open_db(settings.digest_db_path)
            seed_commit(db)
            subscriptions.subscribe(db, subscriptions.Subscription("C1", REPO))
            stop = asyncio.Event()
            task = asyncio.create_task(run_bot(settings, free_port(), stop))
            await eventually(lambda: slack.accepted_unfurls() and "U1" in slack.home_views)
            stop.set()
            await asyncio.wait_for(task, 30)
    finally:
        await runner.cleanup()
    assert {(await acks.get())["envelope_id"], (await acks.get())["envelope_id"]} == {"e1", "e2"}
    [unfurls] = slack.accepted_unfurls()
    assert "Move fa4" in json.dumps(unfurls[link]["blocks"])
    assert REPO in json.dumps(slack.home_views["U1"]["blocks"])

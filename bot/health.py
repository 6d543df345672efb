"""What /healthz reports: whether the Socket Mode connection and the scheduler are up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

HEALTH_KEY: web.AppKey[Health] = web.AppKey("health")


@dataclass
class Health:
    """The parts of the running bot /healthz checks; set by the bot as it starts them."""

    socket_mode: bool = False
    scheduler: Any = None  # an APScheduler scheduler: up while `running`
    socket: Any = None  # an AsyncSocketModeHandler: up while its client is connected

    async def check(self) -> dict[str, bool]:
        """Each part's state: the scheduler, and in Socket Mode the connection."""
        parts = {"scheduler": bool(self.scheduler is not None and self.scheduler.running)}
        if self.socket_mode:
            parts["socket_mode"] = bool(self.socket is not None and await self.socket.client.is_connected())
        return parts


async def health_response(health: Health | None) -> web.Response:
    """200 with every part up, else 503 with a JSON body naming the parts that are down."""
    if health is None:  # an HTTP server without a bot behind it
        return web.json_response({"ok": True})
    parts = await health.check()
    down = sorted(name for name, up in parts.items() if not up)
    return web.json_response({"ok": not down, "down": down, **parts}, status=503 if down else 200)

"""Provider-health alerts: posted once in a channel while a problem lasts, marked resolved when it clears."""

from __future__ import annotations

import logging

import sqlite_utils
from slack_sdk.web.async_client import AsyncWebClient

from analysis.redact import redact
from analysis.state import Alert, AlertStatus
from analysis.store import deliveries as delivery_store
from bot.slack.blocks import SECTION_CHARS
from bot.slack.client import PostError, post_message, send
from bot.slack.mrkdwn import escape, truncate

log = logging.getLogger(__name__)


async def post_alert(
    client: AsyncWebClient, db: sqlite_utils.Database, channel: str, kind: str, text: str
) -> str | None:
    """Post one alert of `kind` in `channel` unless one is already up; return its ts, or None."""
    text = redact(text)
    alert = delivery_store.get_alert(db, channel, kind)
    active = alert is not None and alert.status is AlertStatus.ACTIVE
    if alert is not None and active and alert.message_ts:
        return alert.message_ts
    if active and alert is not None:
        alert = Alert(channel, kind, text, created_at=alert.created_at)
        delivery_store.save_alert(db, alert)
    else:
        alert = Alert(channel, kind, text)
        delivery_store.raise_alert(db, alert)
    body = truncate(f"⚠️ *commit-digest alert ({escape(kind)})*\n{escape(text)}", SECTION_CHARS)
    try:
        alert.message_ts = await post_message(client, channel, text=body, unfurl_links=False)
    except PostError as e:
        log.warning("the %s alert could not be posted in %s: %s", kind, channel, e.code)
        return None
    delivery_store.save_alert(db, alert)
    return alert.message_ts


async def clear_alerts(
    client: AsyncWebClient, db: sqlite_utils.Database, channel: str, kinds: list[str]
) -> list[str]:
    """Mark the active alerts of these kinds resolved and edit their messages; return the kinds."""
    cleared = []
    for alert in delivery_store.active_alerts(db, channel):
        if alert.kind not in kinds:
            continue
        if alert.message_ts:
            text = truncate(f"✅ Resolved ({escape(alert.kind)}): {escape(alert.text)}", SECTION_CHARS)
            try:
                await send(client, "chat_update", channel, ts=alert.message_ts, text=text)
            except PostError as e:
                log.warning(
                    "the %s alert in %s could not be marked resolved: %s", alert.kind, channel, e.code
                )
        alert.status = AlertStatus.RESOLVED
        delivery_store.save_alert(db, alert)
        cleared.append(alert.kind)
    return cleared

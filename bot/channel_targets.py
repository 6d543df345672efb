"""Channels enter by name or ID and are kept by ID: DIGEST_CHANNEL, DIGEST_ALERT_CHANNEL and rows kept under a name."""

from __future__ import annotations

import logging

import sqlite_utils

from analysis.store.channel_targets import rekey_channel, stored_channels
from bot.settings import Settings
from bot.slack.channels import ChannelDirectory, channel_name, is_channel_id
from bot.slack.client import PostError

log = logging.getLogger(__name__)
_FIELDS = ("digest_channel", "digest_alert_channel")


def _spellings(name: str) -> list[str]:
    """The ways a channel name may have been stored: as given, bare and with its #."""
    bare = channel_name(name)
    return list(dict.fromkeys([name, name.strip(), bare, f"#{bare}"]))


async def settle_channels(
    settings: Settings, db: sqlite_utils.Database, directory: ChannelDirectory
) -> Settings:
    """`settings` with its channels as IDs, and every row kept under a resolvable channel name moved to its ID.

    Raises ChannelNotFound when DIGEST_CHANNEL or DIGEST_ALERT_CHANNEL names no channel; a stored name that
    resolves to nothing is left as it is (and said in one log line).
    """
    updates: dict[str, str] = {}
    for name in _FIELDS:
        value = getattr(settings, name)
        if value and not is_channel_id(value):
            updates[name] = await directory.resolve(value)
            for spelling in _spellings(value):
                rekey_channel(db, spelling, updates[name])
    for stored in sorted(c for c in stored_channels(db) if not is_channel_id(c)):
        try:
            found = await directory.lookup(stored)
        except PostError as e:
            log.warning("stored channel names are kept until Slack lists channels again: %s", e)
            break
        if found is None:
            log.warning(
                "the stored channel %r names no channel the bot can see; its rows are kept as they are",
                stored,
            )
        else:
            moved = rekey_channel(db, stored, found)
            log.info("rows kept under channel name %r moved to %s (%d)", stored, found, moved)
    return settings.model_copy(update=updates) if updates else settings

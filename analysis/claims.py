"""Claims across processes, held in SQLite with a renewed lease: one digest per channel and day, one analysis per commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import sqlite_utils

from storage import claims as leases

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0  # a crashed holder on another host loses its claim after this; on this host at once
POLL_SECONDS = 0.2
_UNRELEASED: set[tuple[str, str]] = set()  # (claim, holder) this process could not release (a full disk)


def digest_claim(channel: str, date: str) -> str:
    """The claim name of posting one channel's digest for one day."""
    return f"digest:{channel}:{date}"


def analysis_claim(repo: str, sha: str) -> str:
    """The claim name of analyzing one commit."""
    return f"analysis:{repo}:{sha}"


async def _renew(db: sqlite_utils.Database, name: str, holder: str, lease: float) -> None:
    while True:
        await asyncio.sleep(lease / 3)
        if not leases.renew(db, name, holder, lease):
            log.warning("the claim %s was lost while held", name)
            return


@contextlib.asynccontextmanager
async def held(
    db: sqlite_utils.Database, name: str, *, wait: float = 0.0, lease: float = LEASE_SECONDS
) -> AsyncIterator[bool]:
    """Hold claim `name` while the block runs, renewing its lease; yields False when another holder keeps it
    past `wait` seconds."""
    holder = leases.new_holder()
    deadline = time.monotonic() + wait
    for left in [c for c in _UNRELEASED if c[0] == name]:  # an earlier holder here whose release failed
        leases.release(db, *left)
        _UNRELEASED.discard(left)
    while not leases.acquire(db, name, holder, lease):
        if time.monotonic() >= deadline:
            yield False
            return
        await asyncio.sleep(POLL_SECONDS)
    renewer = asyncio.create_task(_renew(db, name, holder, lease))
    try:
        yield True
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
        try:
            leases.release(db, name, holder)
        except Exception:
            _UNRELEASED.add((name, holder))  # released by the next holder of `name` in this process
            raise

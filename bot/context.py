"""What the Slack listeners and the scheduler share: settings, database, client, digest runner."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlite_utils
from slack_sdk.web.async_client import AsyncWebClient

from analysis.config import PipelineConfig
from bot.settings import Settings
from bot.wiring import pipeline_config
from storage.subscriptions import list_subscriptions

if TYPE_CHECKING:
    from bot.scheduler import Digester

log = logging.getLogger(__name__)
CONTEXT_KEY = "digest_ctx"


@dataclass
class Context:
    """The long-lived state of the running bot."""

    settings: Settings
    db: sqlite_utils.Database
    client: AsyncWebClient
    digester: Digester
    tasks: set[asyncio.Task] = field(default_factory=set)

    def watched_repos(self) -> list[str]:
        """Every repository some channel follows, plus DIGEST_REPOS."""
        subscribed = [r["repo"] for r in list_subscriptions(self.db)]
        return sorted(set(subscribed) | set(self.settings.digest_repos))

    def lookup_config(self) -> PipelineConfig:
        """The pipeline configuration for looking up commits in any watched repository."""
        return pipeline_config(self.settings, self.watched_repos() or None)

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

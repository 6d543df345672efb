"""`/digest week [repo]`: this week's post for the asker, from the stored days, mention-safe and within limits."""

from __future__ import annotations

import asyncio
import datetime as dt

from analysis.pipeline import run_digest
from bot.listeners.commands.digest import digest_command
from bot.runtime import CONTEXT_KEY, Context
from bot.scheduler import Digester
from bot.settings import load_settings
from storage.db import open_db
from tests.fakes.bolt import FakeWebClient, Recorder
from tests.fakes.slack import validate_blocks
from tests.gitrepo import GitRepo


async def test_digest_week_answers_with_the_week_of_the_followed_repository(tmp_path) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    repo = GitRepo(tmp_path / "up")
    repo.commit("Initial import", {"README.md": "hi\n"}, date=(now - dt.timedelta(days=30)).isoformat())
    repo.commit("Add <!channel> @here kernel (#7)", {"pkg/k.py": "X = 1\n"}, date=now.isoformat())
    settings = load_settings(digest_db_path=str(tmp_path / "d.db"), digest_repos=str(repo.path))
    db = open_db(settings.digest_db_path)
    await run_digest(db, settings.pipeline_config(), day=now.date(), target="C1", advance_cursor=False)
    client = FakeWebClient()
    ctx = Context(settings, db, client, Digester(settings, db, client))
    ack, respond = Recorder(), Recorder()
    command = {"command": "/digest", "text": "week", "channel_id": "C1", "user_id": "U1"}
    await digest_command(ack, command, respond, {CONTEXT_KEY: ctx})
    await asyncio.gather(*ctx.tasks)
    [answer] = respond.calls
    assert answer["response_type"] == "ephemeral" and answer["text"].startswith("Weekly Report (")
    assert validate_blocks(answer["blocks"]) is None
    dumped = str(answer["blocks"])
    assert "1 commits" in dumped or "1 commit" in dumped
    assert "<!channel>" not in dumped
    command["text"] = "week someone/else"
    await digest_command(ack, command, respond, {CONTEXT_KEY: ctx})
    await asyncio.gather(*ctx.tasks)
    assert "Weekly Report" not in respond.calls[-1]["text"]  # not a repository this channel follows
    db.conn.close()

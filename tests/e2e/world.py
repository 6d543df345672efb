"""The e2e world: loopback GitHub, chat-completions and Slack servers at once, and the bot wired to them by settings."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlite_utils

from bot import subscriptions
from bot.app import build_app, start_http
from bot.runtime import Context
from bot.scheduler import ChannelOutcome, Digester
from bot.settings import Settings, load_settings
from bot.slack.client import make_client
from storage.db import open_db
from tests.fakes.chat import ChatServer, Request
from tests.fakes.github import FakeFile, FakeGitHub, make_files
from tests.fakes.slack import FakeSlack, Message
from tests.fakes.slack_inbound import ResponseUrls, SlackSender, command_form

GITHUB_TOKEN = "ghp_E2EFAKEGITHUBTOKEN0000000000000000"
OPENAI_KEY = "sk-E2EFAKEOPENAIKEY000000000000000000"
SLACK_TOKEN = "xoxb-E2EFAKESLACKTOKEN-0000000000"
SIGNING_SECRET = "E2EFAKESIGNINGSECRET000000000000"
SECRETS = (GITHUB_TOKEN, OPENAI_KEY, SLACK_TOKEN, SIGNING_SECRET)
CHANNEL, ALERTS = "C1", "CALERT"
FULL = os.environ.get("E2E_SCALE") == "full"
FINISHED = ("done", "heuristic")
UNFINISHED = ("pending", "failed")

_figures: dict[str, Any] = {}


def scale(ci: int, full: int) -> int:
    """`ci` in the default test run, `full` when E2E_SCALE=full (bench/proof.py)."""
    return full if FULL else ci


def record_figure(name: str, value: Any) -> None:
    """Keep a measured figure; written to $E2E_FIGURES as JSON at the end of the session."""
    _figures[name] = value


def write_figures() -> None:
    """Write the figures the e2e tests measured to $E2E_FIGURES, for bench/proof.py."""
    path = os.environ.get("E2E_FIGURES")
    if path and _figures:
        Path(path).write_text(json.dumps(_figures, indent=2))


def hot_commit_files() -> list[FakeFile]:
    """Files that make the scorer call a commit high: a large change in the serving path."""
    return make_files(40, prefix="python/sglang/srt/managers/scheduler_", lines=40)


@dataclass
class World:
    """The three loopback services, a settings object pointing at them, and the database."""

    github: FakeGitHub
    chat: ChatServer
    slack: FakeSlack
    tmp: Path
    settings: Settings
    repos: list[str]
    window: dict[str, list[str]] = field(default_factory=dict)  # repo -> SHAs that must be digested
    chat_faults: list[Any] = field(default_factory=list)

    @property
    def db(self) -> sqlite_utils.Database:
        """A fresh connection to the product's database."""
        return open_db(self.settings.digest_db_path)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment a user would set to run the product against the fakes."""
        s = self.settings
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            "HOME": str(self.tmp),
            "GITHUB_API_URL": s.github_api_url,
            "GITHUB_TOKEN": GITHUB_TOKEN,
            "OPENAI_API_KEY": OPENAI_KEY,
            "OPENAI_BASE_URL": self.chat.base_url,
            "SLACK_BOT_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.slack.url,
            "DIGEST_DB_PATH": s.digest_db_path,
            "DIGEST_REPOS": ",".join(self.repos),
            "DIGEST_CHANNEL": CHANNEL,
            "DIGEST_ALERT_CHANNEL": ALERTS,
            "DIGEST_LLM_TIMEOUT": str(s.digest_llm_timeout),
            "DIGEST_LLM_CONCURRENCY": str(s.digest_llm_concurrency),
        }
        return env | extra

    def add_commits(self, repo: str, n: int, *, hot: int = 0, start_hours: float = 6.0) -> list[str]:
        """`n` commits in `repo` during the last hours (the first `hot` of them high importance)."""
        base = datetime.now(UTC) - timedelta(hours=start_hours)
        shas = []
        for i in range(n):
            c = self.github.add_commit(
                repo,
                f"Add request batching step {i} to {repo.split('/')[1]} (#{100 + i})"
                if i < hot
                else f"docs: clarify option {i} in {repo.split('/')[1]}",
                committed_at=base + timedelta(minutes=5 * i),
                files=hot_commit_files() if i < hot else make_files(1, prefix=f"docs/page{i}_"),
            )
            shas.append(c.sha)
        self.window.setdefault(repo, []).extend(shas)
        return shas

    def clear_faults(self) -> None:
        """Every fake answers normally from now on."""
        with self.github.lock:
            self.github.faults.clear()
        self.chat_faults.clear()
        self.slack.missing.clear()
        self.slack.outside.clear()
        self.slack.thread_replies_until_500 = None

    def chat_fault(self, req: Request) -> str | None:
        """The chat server's fault source: a list of per-request faults or callables."""
        if not self.chat_faults:
            return None
        head = self.chat_faults[0]
        if callable(head):
            return head(req)
        return self.chat_faults.pop(0)

    def digester(self, **overrides: Any) -> Digester:
        """A digest runner as `serve` builds it, on a fresh connection (a restarted process)."""
        settings = (
            load_settings(**{**self.settings.model_dump(), **overrides}) if overrides else self.settings
        )
        db = self.db
        subscriptions.seed(db, settings)
        return Digester(settings, db, make_client(SLACK_TOKEN, settings.slack_api_url))

    async def run(self, **overrides: Any) -> ChannelOutcome:
        """One scheduled digest run for the digest channel."""
        outcomes = await self.digester(**overrides).run()
        assert outcomes is not None and len(outcomes) == 1
        return outcomes[0]

    # observations ------------------------------------------------------------------------------

    def analyses(self) -> dict[tuple[str, str], str]:
        """(repo, sha) -> analysis status, from the database."""
        return {(r["repo"], r["sha"]): r["status"] for r in self.db["analyses"].rows}

    def digest_parents(self) -> list[Message]:
        """Top-level digest messages in the digest channel."""
        return self.slack.top_level(CHANNEL)

    def alerts(self, kind: str) -> list[Message]:
        """Alert messages of one kind in the alert channel, raised or since resolved."""
        return [m for m in self.slack.top_level(ALERTS) if f"({kind})" in m.text]

    def errored_repos(self) -> set[str]:
        """Repositories whose latest run ended in an error."""
        return {r["repo"] for r in self.db["repositories"].rows if r["last_run_status"] == "error"}

    def check_accounted(self, *, allow_unlisted: set[str] = frozenset()) -> dict[str, int]:
        """Every window commit is carded or pending, none twice; repos in `allow_unlisted` may be unread."""
        rows = list(self.db.query("select repo, sha, status from analyses"))
        keys = [(r["repo"], r["sha"]) for r in rows]
        assert len(keys) == len(set(keys)), "an analysis is stored twice"
        status = {(r["repo"], r["sha"]): r["status"] for r in rows}
        counts: dict[str, int] = {}
        for repo, shas in self.window.items():
            for sha in shas:
                s = status.get((repo, sha))
                if s is None:
                    assert repo in allow_unlisted, f"{repo}@{sha[:7]} was lost"
                    continue
                assert s in FINISHED + UNFINISHED, s
                counts[s] = counts.get(s, 0) + 1
        return counts

    def check_complete(self) -> None:
        """Every window commit has a finished analysis."""
        status = self.analyses()
        for repo, shas in self.window.items():
            for sha in shas:
                assert status.get((repo, sha)) in FINISHED, f"{repo}@{sha[:7]}: {status.get((repo, sha))}"

    def check_posted_once(self) -> None:
        """At most one digest per channel and day; each message of it, and each thread reply, once."""
        rows = list(self.db.query("select * from digests where channel = ?", [CHANNEL]))
        assert len({r["date"] for r in rows}) == len(rows)
        parents = self.digest_parents()
        parts = sum(len(json.loads(r["parts"] or "[]")) for r in rows)
        followups = [m for m in parents if str(_item(m)).startswith("more:")]  # commits readable only later
        assert len(parents) - len(followups) == parts, (len(parents), parts)
        assert len({_item(m) for m in followups}) == len(followups), "a follow-up was posted twice"
        for p in parents:
            replies = self.slack.thread(p.ts)
            titles = [json.dumps(m.blocks)[:400] for m in replies]
            assert len(titles) == len(set(titles)), "a thread reply was posted twice"
        self.slack.assert_no_mentions()

    def check_alerts(self, kind: str, expected: int) -> None:
        """`expected` alerts of `kind` were raised (each posted exactly once)."""
        assert len(self.alerts(kind)) == expected, [m.text for m in self.slack.top_level(ALERTS)]


def _item(m: Message) -> object:
    """The delivery item a digest message's metadata names (`part:<i>`, `more:<sha>:part:<i>`)."""
    return ((m.metadata or {}).get("event_payload") or {}).get("item")


def make_world(tmp: Path, stack: contextlib.ExitStack, repos: int = 3, **overrides: Any) -> World:
    """Start the three fakes and build the settings pointing at them."""
    github = stack.enter_context(FakeGitHub(token=GITHUB_TOKEN))
    slack = stack.enter_context(FakeSlack(token=SLACK_TOKEN))
    chat = ChatServer(hang=2.5)
    stack.enter_context(chat)
    names = [f"org/svc{i}" for i in range(repos)]
    for name in names:
        github.add_repo(name)
    settings = load_settings(
        github_api_url=github.url,
        github_token=GITHUB_TOKEN,
        openai_api_key=OPENAI_KEY,
        openai_base_url=chat.base_url,
        slack_bot_token=SLACK_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.url,
        digest_db_path=str(tmp / "digest.db"),
        digest_repos=",".join(names),
        digest_channel=CHANNEL,
        digest_alert_channel=ALERTS,
        digest_llm_timeout=1.0,
        digest_llm_concurrency=4,
        **overrides,
    )
    world = World(github, chat, slack, tmp, settings, names)
    chat.faults = world.chat_fault
    return world


def integrity(path: str) -> str:
    """SQLite's own verdict on the database file."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


@dataclass
class HttpBot:
    """The bot in HTTP mode, as `serve` runs it, and a signed-request sender standing in for Slack."""

    ctx: Context
    send: SlackSender
    responses: ResponseUrls

    async def command(self, command: str, text: str, channel: str = CHANNEL) -> tuple[Any, str]:
        """A signed slash command; returns the HTTP response and its response_url."""
        url = self.responses.new()
        form = command_form(command, text, url, channel=channel)
        return await self.send.form(form, secret=SIGNING_SECRET), url

    async def answer(self, resp: Any, url: str) -> str:
        """What the user sees: the acknowledgement text, and the later answer when there is one."""
        ack = resp.text
        if ack and not ack.startswith("Looking up") and not ack.startswith("Building"):
            return ack
        bodies = await self.responses.wait(url, timeout=60)
        return json.dumps(bodies, ensure_ascii=False)


@contextlib.asynccontextmanager
async def http_bot(w: World) -> AsyncIterator[HttpBot]:
    """Serve the app over HTTP on a free port with the world's settings."""
    db = w.db
    subscriptions.seed(db, w.settings)
    client = make_client(SLACK_TOKEN, w.settings.slack_api_url)
    ctx = Context(w.settings, db, client, Digester(w.settings, db, client))
    runner = await start_http(build_app(ctx), 0, "127.0.0.1")
    try:
        with ResponseUrls() as responses:
            async with httpx.AsyncClient(timeout=60) as http:
                port = runner.addresses[0][1]
                yield HttpBot(ctx, SlackSender(f"http://127.0.0.1:{port}", http), responses)
    finally:
        for task in list(ctx.tasks):
            task.cancel()
        await runner.cleanup()

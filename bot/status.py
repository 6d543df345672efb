"""What the bot reports about itself: one status for `commit-digest status` and `/digest status`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlite_utils

from analysis.config import LLMConfig
from analysis.llm import cost_usd
from analysis.state import Cursor, RepositoryState, RunRecord
from analysis.store import analyses as analysis_store
from analysis.store import deliveries as delivery_store
from analysis.store import reported as reported_store
from analysis.store import repositories as repo_store
from analysis.store import runs as run_store
from analysis.strings import plural, status_word, t
from bot import subscriptions
from bot.slack.answers import one_line

if TYPE_CHECKING:
    from bot.runtime import Context

EMPTY = "no repository has been digested yet: try `commit-digest run --repo owner/name`"


@dataclass
class RepoStatus:
    """One watched repository: its state, last run, analyses by status and cursors."""

    state: RepositoryState
    last_run: RunRecord | None
    analyses: dict[str, int] = field(default_factory=dict)
    cursors: list[Cursor] = field(default_factory=list)

    @property
    def repo(self) -> str:
        """The repository's name."""
        return self.state.repo


def repo_statuses(db: sqlite_utils.Database) -> list[RepoStatus]:
    """The status of every known repository, by name."""
    return [
        RepoStatus(
            s,
            run_store.last_run(db, s.repo),
            analysis_store.analysis_counts(db, s.repo),
            reported_store.list_cursors(db, s.repo),
        )
        for s in repo_store.list_repositories(db)
    ]


def _reset_text(epoch: int | None) -> str:
    if not epoch:
        return "?"
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%H:%M UTC")


def _tokens_text(prompt: int, completion: int) -> str:
    return f"{prompt} prompt + {completion} completion tokens"


def status_data(db: sqlite_utils.Database, llm: LLMConfig | None = None) -> dict[str, Any]:
    """A JSON-friendly status of every known repository; `llm` prices the usage when it has prices."""
    repos = [
        {
            "repo": r.repo,
            "kind": r.state.kind,
            "branch": r.state.default_branch,
            "display": r.state.display,
            "followed": r.state.followed,
            "last_run": dataclasses.asdict(r.last_run) if r.last_run else None,
            "analyses": r.analyses,
            "cursors": [dataclasses.asdict(c) for c in r.cursors],
            "rate_limit_remaining": r.state.rate_limit_remaining,
            "rate_limit_reset": r.state.rate_limit_reset,
        }
        for r in repo_statuses(db)
    ]
    u = run_store.usage_totals(db)
    usage = {
        "llm_calls": u.llm_calls,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "unusable_answers": u.unusable_answers,
    }
    usage["cost_usd"] = cost_usd(u.prompt_tokens, u.completion_tokens, llm) if llm else None
    return {"repos": repos, "usage": usage}


def status_lines(db: sqlite_utils.Database, llm: LLMConfig | None = None) -> tuple[list[str], dict[str, Any]]:
    """`commit-digest status`: readable lines and the same data as a dict."""
    data = status_data(db, llm)
    if not data["repos"]:
        return [EMPTY], data
    lines = []
    for r in repo_statuses(db):
        shown = r.state.display if r.state.display and r.state.display != r.repo else None
        lines.append(f"{shown or r.repo} ({r.state.kind or '?'}, branch {r.state.default_branch or '?'})")
        if shown:
            lines.append(f"  at        {r.repo}")
        if r.state.followed:
            lines.append(f"  follows   {r.state.followed}")
        if run := r.last_run:
            lines.append(
                f"  last run  {run.finished_at}  {run.status}: {run.commits} {plural(run.commits, 'commit', 'commits')}, "
                f"{run.fetched} fetched, {run.requests} requests, {run.llm_calls} LLM calls"
                + (f", {run.unusable_answers} unusable answers" if run.unusable_answers else "")
            )
            if run.error:
                lines.append(f"  error     {run.error}")
        lines.append(
            "  analyses  " + (", ".join(f"{k} {v}" for k, v in sorted(r.analyses.items())) or "none")
        )
        for c in r.cursors:
            lines.append(f"  cursor    {c.target}: {c.branch}@{c.sha[:12]} ({c.updated_at})")
        if r.state.rate_limit_remaining is not None:
            lines.append(
                f"  rate limit {r.state.rate_limit_remaining} requests left, "
                f"resets {_reset_text(r.state.rate_limit_reset)}"
            )
    u = data["usage"]
    cost = f", about ${u['cost_usd']:.2f}" if u["cost_usd"] is not None else ""
    tokens = _tokens_text(u["prompt_tokens"], u["completion_tokens"])
    unusable = f", {u['unusable_answers']} unusable answers" if u["unusable_answers"] else ""
    lines.append(f"LLM usage (all runs): {u['llm_calls']} calls, {tokens}{cost}{unusable}")
    return lines, data


def _repo_line(r: RepoStatus, lang: str) -> str:
    text = f"*{one_line(r.state.display or r.repo)}*"
    if run := r.last_run:
        text += t(
            lang, "st_repo_run", at=run.finished_at, status=status_word(lang, run.status), n=run.commits
        )
        if run.error:
            text += f"{t(lang, 'label', label='')} {one_line(run.error)}"
    failed, pending = r.analyses.get("failed", 0), r.analyses.get("pending", 0)
    text += t(lang, "st_repo_counts", failed=failed, pending=pending)
    if r.state.rate_limit_remaining is not None:
        text += t(lang, "st_rate", n=r.state.rate_limit_remaining)
    return text


def channel_status(ctx: Context, channel: str) -> str:
    """`/digest status`: the schedule, this channel's last digest, alerts, its repositories and usage."""
    from bot.scheduler import trigger  # the bot's scheduler and Slack client, not needed by the CLI's status

    s, now = ctx.settings, dt.datetime.now(dt.UTC)
    lang = s.digest_language
    nxt = trigger(s).get_next_fire_time(None, now)
    when = f"{nxt:%Y-%m-%d %H:%M %Z}" if nxt else ""
    lines = [
        t(lang, "st_schedule", schedule=s.digest_schedule, tz=s.digest_timezone, next=when) if nxt else ""
    ]
    if last := delivery_store.latest_delivery(ctx.db, channel):
        error = f" ({one_line(last.error)})" if last.error else ""
        lines.append(
            t(lang, "st_last_digest", date=last.date, status=status_word(lang, last.status), error=error)
        )
    else:
        lines.append(t(lang, "st_no_digest"))
    if ctx.digester.busy:
        lines.append(t(lang, "st_running"))
    outcome = ctx.digester.last.get(channel)
    if outcome and outcome.error:
        lines.append(t(lang, "st_last_failed", error=one_line(outcome.error)))
    for c in sorted({channel, s.digest_alert_channel or channel}):
        lines += [
            t(lang, "st_alert", kind=one_line(a.kind), text=one_line(a.text))
            for a in delivery_store.active_alerts(ctx.db, c)
        ]
    names = {subscriptions.stored_name(sub) for sub in subscriptions.channel_subscriptions(ctx.db, channel)}
    lines += [_repo_line(r, lang) for r in repo_statuses(ctx.db) if r.repo in names]
    u = run_store.usage_since(ctx.db, (now - dt.timedelta(days=1)).isoformat(timespec="seconds"))
    tokens = t(lang, "st_tokens", prompt=u.prompt_tokens, completion=u.completion_tokens)
    lines.append(t(lang, "st_day", runs=u.runs, errors=u.errors, calls=u.llm_calls, tokens=tokens))
    if s.llm_enabled:
        lines.append(t(lang, "st_provider_llm", model=s.digest_llm_model))
    else:
        lines.append(t(lang, "st_provider_none"))
    return "\n".join(line for line in lines if line)

"""Questions asked of the bot in a thread and the answers it gave: one row per asking message."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from analysis.models import Usage
from analysis.redact import redact
from storage.db import now


@dataclass
class Exchange:
    """One question of a thread and its answer (empty while it is being answered)."""

    question: str
    answer: str
    user: str = ""
    sha: str = ""


def claim_question(
    db: sqlite_utils.Database,
    channel: str,
    thread_ts: str,
    question_ts: str,
    user: str,
    sha: str,
    question: str,
) -> bool:
    """Record a question before it is answered; False when this asking message was recorded already."""
    row = {
        "channel": channel,
        "thread_ts": thread_ts,
        "question_ts": question_ts,
        "user": user,
        "sha": sha,
        "question": redact(question),
        "asked_at": now(),
    }
    cols = ", ".join(row)
    marks = ", ".join("?" * len(row))
    with db.conn:
        cur = db.execute(
            f"insert or ignore into thread_questions ({cols}) values ({marks})", list(row.values())
        )
    return cur.rowcount > 0


def save_answer(db: sqlite_utils.Database, channel: str, question_ts: str, answer: str, usage: Usage) -> None:
    """Keep the answer given to one question, with the tokens it cost."""
    with db.conn:
        db.execute(
            "update thread_questions set answer = ?, prompt_tokens = ?, completion_tokens = ? "
            "where channel = ? and question_ts = ?",
            [redact(answer), usage.prompt_tokens, usage.completion_tokens, channel, question_ts],
        )


def thread_history(
    db: sqlite_utils.Database, channel: str, thread_ts: str, *, before: str | None = None, limit: int = 20
) -> list[Exchange]:
    """The answered questions of a thread, oldest first (the latest `limit`), leaving out `before`'s own."""
    rows = db.execute(
        "select question, answer, user, sha from thread_questions where channel = ? and thread_ts = ? "
        "and answer is not null and question_ts != ? order by asked_at desc, rowid desc limit ?",
        [channel, thread_ts, before or "", limit],
    ).fetchall()
    return [Exchange(q or "", a or "", u or "", s or "") for q, a, u, s in reversed(rows)]


def asked_since(db: sqlite_utils.Database, user: str, window: dt.timedelta) -> int:
    """How many questions `user` asked within the last `window`."""
    cutoff = (dt.datetime.now(dt.UTC) - window).isoformat(timespec="seconds")
    row = db.execute(
        "select count(*) from thread_questions where user = ? and asked_at >= ?", [user, cutoff]
    ).fetchone()
    return int(row[0])

"""Questions asked of the bot in a digest or card thread (or by `/commit <sha> <question>`): answered once per
asking message, within a member's rate, from the watched repositories' evidence, mention-safe."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from analysis.llm import make_analyzer
from analysis.llm.failures import UnknownProvider
from analysis.models import DigestEntry
from analysis.question_material import Material, commit_material, target_material, thread_target
from analysis.questions import QUESTION_CHARS, Answer, answer_question
from analysis.store import deliveries as delivery_store
from analysis.store import thread_questions as question_store
from analysis.strings import t
from bot.runtime import Context
from bot.slack.client import post_message
from bot.slack.mrkdwn import escape, truncate

log = logging.getLogger(__name__)
RATE_WINDOW = dt.timedelta(minutes=10)
MAX_TEXT = 3900  # characters of one posted answer (Slack's text limit is 40,000; a screenful is plenty)
_MENTION = re.compile(r"<[@#!][^>]*>")


@dataclass
class Asked:
    """One question: where it was asked, by whom, and the key its thread's history is kept under."""

    channel: str
    thread: str  # the thread's ts, or a command's own history key
    question_ts: str  # the asking message (the same on every retry)
    user: str
    text: str


def question_text(text: str) -> str:
    """The question in a mention: the text without mentions, collapsed to one bounded line."""
    return " ".join(_MENTION.sub(" ", text or "").split())[:QUESTION_CHARS]


def render(answer: Answer, language: str) -> str:
    """The answer as Slack mrkdwn: every text escaped (no mention, link or broken formatting), the cited
    commits and files named after it, the whole within MAX_TEXT characters."""
    items = [f"`{sha[:10]}`" for sha in answer.commits]
    items += ["`" + escape(p.replace("`", "'")) + "`" for p in answer.files]
    text = escape(answer.text)
    if items:
        text += "\n" + t(language, "question_sources", items=", ".join(items))
    return truncate(text, MAX_TEXT)


async def _model_answer(ctx: Context, material: Material, asked: Asked) -> Answer:
    """Ask the configured model (the card and facts without one) with the thread's earlier exchanges."""
    cfg = ctx.lookup_config()
    history = question_store.thread_history(ctx.db, asked.channel, asked.thread, before=asked.question_ts)
    try:
        analyzer = make_analyzer(cfg, ctx.db)
    except UnknownProvider:
        log.exception("no analyzer for questions")
        analyzer = None
    try:
        return await answer_question(
            analyzer.requester if analyzer is not None else None,
            material,
            history,
            asked.text,
            cfg.language,
            budget=cfg.llm.prompt_tokens if cfg.llm else 0,
            answer_tokens=ctx.settings.digest_answer_tokens,
        )
    finally:
        if analyzer is not None:
            await analyzer.aclose()


def _over_rate(ctx: Context, user: str) -> bool:
    return question_store.asked_since(ctx.db, user, RATE_WINDOW) >= ctx.settings.digest_questions_per_10min


async def respond_to(ctx: Context, material: Material, asked: Asked) -> str | None:
    """The rendered answer to a question (None when this asking message was answered already, or the
    member is over the rate: then the text saying so)."""
    lang = ctx.settings.digest_language
    if _over_rate(ctx, asked.user):
        return t(lang, "question_rate_limited", n=ctx.settings.digest_questions_per_10min)
    if not question_store.claim_question(
        ctx.db, asked.channel, asked.thread, asked.question_ts, asked.user, material.sha, asked.text
    ):
        return None
    answer = await _model_answer(ctx, material, asked)
    text = render(answer, lang)
    question_store.save_answer(ctx.db, asked.channel, asked.question_ts, answer.text, answer.usage)
    return text


async def thread_question(
    ctx: Context, client: AsyncWebClient, event: dict, event_id: str | None, ref: str | None
) -> bool:
    """Answer a mention in a digest or card thread once; False when it is no such question (a mention
    outside those threads, or naming only a commit), so it is handled as a lookup."""
    channel, ts, thread = event.get("channel"), event.get("ts"), event.get("thread_ts")
    text = question_text(event.get("text", ""))
    rest = text.replace(ref, " ", 1).strip(" ?!.,:;<>|") if ref else text
    if not channel or not ts or not thread or thread == ts or not rest:
        return False
    if ctx.settings.digest_questions_per_10min == 0:
        return False
    target = thread_target(ctx.db, channel, thread, text)
    if target is None:
        return False
    if event_id and not delivery_store.claim_event(ctx.db, event_id, "question"):
        log.info("event %s was already handled; Slack's retry is ignored", event_id)
        return True
    material = await target_material(ctx.db, ctx.lookup_config(), ctx.watched(), target)
    if material is None:  # nothing of a watched repository: no answer at all
        return True
    asked = Asked(channel, thread, ts, event.get("user") or "", text)
    reply = await respond_to(ctx, material, asked)
    if reply is not None:
        await post_message(
            client, channel, thread_ts=thread, text=reply, unfurl_links=False, unfurl_media=False
        )
    return True


async def command_question(ctx: Context, entry: DigestEntry, command: dict, question: str) -> str | None:
    """The text answering `/commit <sha> <question>` about `entry`; None when that command was answered
    already."""
    lang = ctx.settings.digest_language
    material = await commit_material(ctx.db, ctx.lookup_config(), ctx.watched(), entry)
    if material is None:
        return t(lang, "question_not_watched")
    user = str(command.get("user_id") or "")
    key = f"cmd:{user}:{entry.commit.sha}"
    asked_ts = str(command.get("trigger_id") or f"{key}:{dt.datetime.now(dt.UTC).timestamp()}")
    asked = Asked(str(command.get("channel_id") or ""), key, asked_ts, user, question_text(question))
    return await respond_to(ctx, material, asked)

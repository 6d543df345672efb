"""`/commit <sha|prefix|url> [question]`: the analysis card of one commit (or an answer about it), acknowledged
at once."""

from __future__ import annotations

import logging

import sqlite_utils
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from analysis.lookup import Lookup, LookupKind, Query, lookup_cached, lookup_commit, out_of_scope, parse_query
from analysis.strings import t
from bot.listeners.common import app_ctx
from bot.questions import command_question
from bot.slack.answers import lookup_text, one_line
from bot.slack.blocks import card_ephemeral_blocks

log = logging.getLogger(__name__)


def _cached(db: sqlite_utils.Database, text: str) -> Lookup | None:
    try:
        return lookup_cached(db, text)
    except Exception:
        log.exception("cache lookup of %r failed", text[:80])
        return None


async def _answer_lookup(respond: AsyncRespond, result: Lookup, language: str) -> None:
    if result.kind is LookupKind.FOUND and result.entry is not None:
        msg = card_ephemeral_blocks(result.entry, language=language)
        blocks = list(msg.blocks)
        if result.also_in:
            note = t(language, "also_in", repos=", ".join(one_line(r) for r in result.also_in))
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
        await respond(text=msg.text, blocks=blocks, response_type="ephemeral", replace_original=True)
    else:
        await respond(text=lookup_text(result, language), response_type="ephemeral", replace_original=True)


async def commit_command(
    ack: AsyncAck, command: dict, respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Acknowledge first; answer from the cache at once, else look the commit up and answer later."""
    ctx = app_ctx(context)
    lang = ctx.settings.digest_language
    text = (command.get("text") or "").strip()
    ref, _, question = text.partition(" ")
    if question.strip() and isinstance(parse_query(ref), Query):
        await _question(ack, command, respond, context, ref, question)
        return
    cached = _cached(ctx.db, text)
    if cached is not None and cached.kind is LookupKind.MALFORMED:
        await ack(text=f"{lookup_text(cached, lang)}{t(lang, 'sentence_sep')}{t(lang, 'commit_usage')}")
        return
    if cached is not None and cached.kind is LookupKind.AMBIGUOUS:
        await ack(text=lookup_text(cached, lang))
        return
    found = cached is not None and cached.kind is LookupKind.FOUND and cached.entry is not None
    if found and cached.entry.analysis.finished:
        await ack()
        try:
            await _answer_lookup(respond, cached, ctx.settings.digest_language)
        except Exception:
            log.exception("could not answer /commit %r", text[:80])
        return
    refused = cached and out_of_scope(cached, ctx.lookup_config(), ctx.watched())
    if refused:
        await ack(text=lookup_text(refused, lang))
        return
    await ack(text=t(lang, "looking_up", text=one_line(text)))
    try:
        result = await lookup_commit(ctx.db, ctx.lookup_config(), text, watched=ctx.watched(), cached=cached)
        await _answer_lookup(respond, result, ctx.settings.digest_language)
    except Exception as e:
        log.exception("/commit %r failed", text[:80])
        try:
            await respond(
                text=t(lang, "lookup_failed", text=one_line(text), error=type(e).__name__),
                response_type="ephemeral",
                replace_original=True,
            )
        except Exception:
            log.exception("could not answer /commit %r", text[:80])


async def _question(
    ack: AsyncAck, command: dict, respond: AsyncRespond, context: AsyncBoltContext, ref: str, question: str
) -> None:
    """`/commit <sha> <question>`: acknowledged at once, answered ephemerally about that commit."""
    ctx = app_ctx(context)
    lang = ctx.settings.digest_language
    await ack(text=t(lang, "question_thinking"))
    try:
        cached = _cached(ctx.db, ref)
        result = cached
        if (
            cached is None
            or cached.kind is LookupKind.UNKNOWN
            or (cached.entry and not cached.entry.analysis.finished)
        ):
            result = await lookup_commit(
                ctx.db, ctx.lookup_config(), ref, watched=ctx.watched(), cached=cached
            )
        if result.kind is not LookupKind.FOUND or result.entry is None:
            await respond(text=lookup_text(result, lang), response_type="ephemeral", replace_original=True)
            return
        answer = await command_question(ctx, result.entry, command, question)
        if answer is not None:
            await respond(text=answer, response_type="ephemeral", replace_original=True)
    except Exception as e:
        log.exception("/commit question about %r failed", ref[:80])
        try:
            await respond(
                text=t(lang, "question_failed", error=type(e).__name__),
                response_type="ephemeral",
                replace_original=True,
            )
        except Exception:
            log.exception("could not answer /commit %r", ref[:80])

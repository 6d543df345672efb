"""The Block Kit pieces the digest, its cards and the Home tab are built from, each within Slack's size limits."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.mrkdwn import truncate

SECTION_CHARS = 3000
HEADER_CHARS = 150
CONTEXT_CHARS = 2000


def section_block(text: str, accessory: ButtonElement | None = None) -> Block:
    """A mrkdwn section, its text cut to Slack's limit, with an optional button beside it."""
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_CHARS)), accessory=accessory)


def context_block(text: str) -> Block:
    """A mrkdwn context line, its text cut to Slack's limit."""
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, CONTEXT_CHARS))])


def header_block(text: str) -> Block:
    """A plain-text header, its text cut to Slack's limit."""
    return HeaderBlock(text=PlainTextObject(text=truncate(text, HEADER_CHARS)))


def button_element(label: str, action_id: str, value: str) -> ButtonElement:
    """A button, its label and value cut to Slack's limits."""
    return ButtonElement(text=PlainTextObject(text=label[:75]), action_id=action_id, value=value[:2000])

"""The Home tab view: within 100 blocks with a "+N more" line, mention-safe, in both languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analysis.models import Usage
from analysis.state import Alert, Subscription
from bot.home_data import ChannelHome, HomeData
from bot.slack.home import MAX_VIEW_BLOCKS, home_view
from tests.fakes.slack import MENTION, FakeSlack


def data(channels: int, more: int = 0) -> HomeData:
    subs = [Subscription("C1", "o/r", exclude_titles=["<!channel> @here"], exclude_authors=["<@U42>"])]
    return HomeData(
        schedule="0 9 * * 1-5",
        timezone="Asia/Shanghai",
        next_run=dt.datetime(2026, 1, 26, 1, 0, tzinfo=dt.UTC),
        channels=[ChannelHome(f"C{i:04d}", subs, can_post=i % 2 == 0) for i in range(channels)],
        more_channels=more,
        alerts=[Alert("C1", "provider", "key <!everyone> rejected")],
        rate_limits=[],
        llm_model=None,
        usage=Usage(),
        cost=None,
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_many_channels_are_cut_to_100_blocks_with_a_count_of_the_rest(language: str) -> None:
    view = home_view(data(60, more=3), language)
    blocks = view["blocks"]
    assert len(blocks) <= MAX_VIEW_BLOCKS
    shown = sum(1 for b in blocks if b.get("text", {}).get("text", "").startswith("*<#C"))
    assert 40 < shown < 60
    more = "more channels" if language == "en" else "另有"
    assert f"{60 - shown + 3}" in json.dumps(blocks[-5:], ensure_ascii=False) and more in json.dumps(
        blocks, ensure_ascii=False
    )
    with FakeSlack() as slack:
        assert slack.handle("views.publish", f"Bearer {slack.token}", {"user_id": "U1", "view": view})[1][
            "ok"
        ]


def test_untrusted_text_cannot_mention_anyone() -> None:
    dumped = json.dumps(home_view(data(2)), ensure_ascii=False)
    assert MENTION.search(dumped) is None and "&lt;" in dumped
    assert "2026-01-26 09:00 CST" in dumped  # the next run in the digest's time zone

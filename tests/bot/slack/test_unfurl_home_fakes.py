"""The tests' Slack refuses malformed chat.unfurl, views.publish and users.conversations calls as Slack does."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.client import make_client
from tests.fakes.slack import FakeSlack

URL = "https://github.com/o/r/commit/abcdef1"
CARD = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a card"}}]}


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


async def error_of(call) -> dict:
    with pytest.raises(SlackApiError) as e:
        await call
    return e.value.response.data


async def test_chat_unfurl_checks_its_target_its_urls_and_its_blocks(slack) -> None:
    client = make_client(slack.token, slack.url)
    event = slack.share_links("C1", [URL, "https://example.com/x"])
    assert [link["url"] for link in event["links"]] == [URL]  # only the app's unfurl domains
    target = {"channel": "C1", "ts": event["message_ts"]}
    assert (await error_of(client.chat_unfurl(unfurls={URL: CARD})))["error"] == "missing_channel"
    assert (await error_of(client.chat_unfurl(channel="C1", unfurls={URL: CARD})))["error"] == "missing_ts"
    wrong_ts = client.chat_unfurl(channel="C1", ts="1.000001", unfurls={URL: CARD})
    assert (await error_of(wrong_ts))["error"] == "cannot_find_message"
    alone = client.chat_unfurl(unfurl_id=event["unfurl_id"], unfurls={URL: CARD})
    assert (await error_of(alone))["error"] == "invalid_arguments"
    other = client.chat_unfurl(**target, unfurls={"https://github.com/o/r/commit/1234567": CARD})
    assert (await error_of(other))["error"] == "cannot_unfurl_url"
    bad = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}
    assert (await error_of(client.chat_unfurl(**target, unfurls={URL: bad})))["error"] == "invalid_blocks"
    assert (await error_of(client.chat_unfurl(**target, unfurls={URL: "card"})))["error"] == (
        "cannot_parse_attachment"
    )
    assert (await client.chat_unfurl(**target, unfurls={URL: CARD}))["ok"] is True
    assert (await client.chat_unfurl(**target, unfurls={URL: CARD}))["ok"] is True  # replaces, not adds
    assert len(slack.unfurls) == 1 and len(slack.accepted_unfurls()) == 2


async def test_a_composer_link_unfurls_only_by_unfurl_id_and_source(slack) -> None:
    client = make_client(slack.token, slack.url)
    event = slack.share_links("C1", [URL], source="composer")
    by_ts = client.chat_unfurl(channel=event["channel"], ts=event["message_ts"], unfurls={URL: CARD})
    assert (await error_of(by_ts))["error"] == "cannot_find_message"
    wrong = client.chat_unfurl(
        unfurl_id=event["unfurl_id"], source="conversations_history", unfurls={URL: CARD}
    )
    assert (await error_of(wrong))["error"] == "cannot_unfurl_url"
    ok = await client.chat_unfurl(unfurl_id=event["unfurl_id"], source="composer", unfurls={URL: CARD})
    assert ok["ok"] is True


def view(n: int) -> dict:
    return {"type": "home", "blocks": [{"type": "divider"}] * n}


async def test_views_publish_keeps_the_100_block_limit_and_the_view_rules(slack) -> None:
    client = make_client(slack.token, slack.url)
    assert (await client.views_publish(user_id="U1", view=view(100)))["view"]["type"] == "home"
    too_many = await error_of(client.views_publish(user_id="U1", view=view(101)))
    assert too_many["error"] == "invalid_arguments"
    assert "no more than 100 items" in too_many["response_metadata"]["messages"][0]
    assert (await error_of(client.views_publish(user_id="nobody", view=view(1))))[
        "error"
    ] == "invalid_arguments"
    modal = {**view(1), "type": "modal"}
    assert (await error_of(client.views_publish(user_id="U1", view=modal)))["error"] == "invalid_arguments"
    header = {"type": "home", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]}
    bad = await error_of(client.views_publish(user_id="U1", view=header))
    assert bad["error"] == "invalid_arguments" and "/view/blocks/0" in bad["response_metadata"]["messages"][0]
    slack.home_enabled = False
    assert (await error_of(client.views_publish(user_id="U1", view=view(1))))["error"] == "not_enabled"


async def test_users_conversations_lists_a_users_channels_by_page(slack) -> None:
    client = make_client(slack.token, slack.url)
    slack.members = {f"C{i}": {"U1"} for i in range(5)} | {"C9": {"U2"}, "G1": {"U1"}, "G2": {"U1"}}
    slack.outside.add("G2")  # a private channel the app is not in
    slack.archived.add("C4")
    kinds = "public_channel,private_channel"
    first = await client.users_conversations(user="U1", types=kinds, exclude_archived=True, limit=3)
    cursor = first["response_metadata"]["next_cursor"]
    rest = await client.users_conversations(user="U1", types=kinds, exclude_archived=True, cursor=cursor)
    assert [c["id"] for c in first["channels"] + rest["channels"]] == ["C0", "C1", "C2", "C3", "G1"]
    assert rest["response_metadata"]["next_cursor"] == ""
    public = await client.users_conversations(user="U1")
    assert [c["id"] for c in public["channels"]] == ["C0", "C1", "C2", "C3", "C4"]
    assert (await error_of(client.users_conversations(user="U1", limit=1000)))["error"] == "invalid_limit"
    assert (await error_of(client.users_conversations(user="U1", types="dm")))["error"] == "invalid_types"

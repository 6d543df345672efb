"""Alerts: posted once while a problem lasts, marked resolved when it clears."""

from analysis.store.deliveries import active_alerts, get_alert
from bot.slack.alerts import clear_alerts, post_alert
from tests.bot.slack.conftest import CHANNEL


async def test_an_alert_is_posted_once_and_cleared(slack, client, db):
    ts = await post_alert(client, db, CHANNEL, "llm_auth", "The LLM endpoint rejected the API key.")
    assert ts and await post_alert(client, db, CHANNEL, "llm_auth", "again") == ts
    other = await post_alert(client, db, CHANNEL, "github_auth", "GitHub rejected the token.")
    assert other != ts and len(slack.messages) == 2
    assert {a.kind for a in active_alerts(db, CHANNEL)} == {"llm_auth", "github_auth"}

    assert await clear_alerts(client, db, CHANNEL, ["llm_auth", "post_failed"]) == ["llm_auth"]
    [update] = slack.calls_to("chat.update")
    assert update.params["ts"] == ts
    assert slack.messages[0].text.startswith("✅ Resolved (llm_auth)")
    assert get_alert(db, CHANNEL, "llm_auth").status == "resolved"
    assert [a.kind for a in active_alerts(db, CHANNEL)] == ["github_auth"]
    assert await clear_alerts(client, db, CHANNEL, ["llm_auth"]) == []

    again = await post_alert(client, db, CHANNEL, "llm_auth", "The key was revoked.")
    assert again not in (None, ts) and len(slack.top_level()) == 3


async def test_an_alert_that_cannot_be_posted_is_retried_next_time(slack, client, db):
    slack.missing.add(CHANNEL)
    assert await post_alert(client, db, CHANNEL, "post_failed", "could not post") is None
    assert get_alert(db, CHANNEL, "post_failed").status == "active"
    slack.missing.clear()
    assert await post_alert(client, db, CHANNEL, "post_failed", "could not post")
    assert len(slack.messages) == 1

import json

from analysis.models import AnalysisStatus, Digest, Importance, RepoDigest
from bot.blocks import FOLD_AFTER, card_ephemeral_blocks, card_reply_blocks, digest_messages
from tests.fakes.digests import REPO, REPO_URL, digest, entry
from tests.fakes.slack import BLOCK_TEXT_CHARS, MENTION, text_chars, validate_blocks


def _texts(blocks):
    """Every text string in a list of blocks."""
    out = []
    for b in blocks:
        for key in ("text",):
            if isinstance(b.get(key), dict):
                out.append(b[key]["text"])
        for el in b.get("elements", []):
            out.append(el["text"] if isinstance(el.get("text"), str) else el["text"]["text"])
        if "accessory" in b:
            out.append(b["accessory"]["text"]["text"])
    return out


def _valid(msg):
    """Why Slack would reject this message, or None."""
    if err := validate_blocks(msg.blocks):
        return err
    return "msg_blocks_too_long" if text_chars(msg.blocks) > BLOCK_TEXT_CHARS else None


def _buttons(messages, action_id):
    return [
        b["accessory"]["value"]
        for m in messages
        for b in m.blocks
        if b.get("accessory", {}).get("action_id") == action_id
    ]


def test_a_small_digest_is_one_valid_message_with_header_stats_and_cards():
    d = digest(high=2, medium=3, low=2)
    msgs = digest_messages(d)
    assert len(msgs) == 1
    blocks = msgs[0].blocks
    assert _valid(msgs[0]) is None
    assert blocks[0]["type"] == "header" and "2026-01-24" in blocks[0]["text"]["text"]
    text = "\n".join(_texts(blocks))
    assert REPO in text
    assert "7 commits · 🔴 2 high · 🟡 3 medium · 🟢 2 low" in text
    assert "9,100 tokens" in text and "$0.0123" in text
    assert _buttons(msgs, "full_analysis") == [f"{REPO}@{e.commit.sha}" for e in d.repos[0].entries[:2]]
    first = d.repos[0].entries[0]
    assert f"<{first.commit.url}|{first.commit.title}>" in text
    assert f"<{REPO_URL}/pull/{first.commit.pr}|#{first.commit.pr}>" in text
    assert "Ada Lovelace" in text and "feature" in text
    assert "*Top risk:* Untested on older GPUs." in text
    assert "Adds dispatcher path 0." in text
    assert "Medium (3)" in text and "Low (2)" in text
    assert d.repos[0].entries[3].commit.url in text  # a medium commit is linked
    assert msgs[0].text.startswith("Commit digest · 2026-01-24: 7 commits (2 high)")


def test_a_60_commit_day_splits_into_valid_messages_and_loses_no_card():
    d = digest(high=60, medium=0, low=0)
    msgs = digest_messages(d)
    assert len(msgs) >= 2
    for m in msgs:
        assert _valid(m) is None, _valid(m)
        assert len(m.blocks) <= 50
        assert m.text
    assert _buttons(msgs, "full_analysis") == [f"{REPO}@{e.commit.sha}" for e in d.repos[0].entries]
    assert "continued, 2/" in msgs[1].blocks[0]["elements"][0]["text"]


def test_long_medium_and_low_lists_fold():
    d = digest(high=0, medium=FOLD_AFTER + 4, low=FOLD_AFTER + 1)
    text = "\n".join(_texts(digest_messages(d)[0].blocks))
    assert "+4 more" in text and "+1 more" in text
    hidden = d.repos[0].by_importance(Importance.MEDIUM)[-1]
    assert hidden.commit.url not in text


def test_oversized_text_is_truncated_with_an_ellipsis_and_stays_valid():
    huge = "x" * 5000
    e = entry(1, title="T" * 4000 + " & <b>", summary=[huge, huge, huge], risks=[huge])
    e.analysis.card.conclusion = huge
    e.analysis.card.impact_scope = [f"path/{i}/" + "p" * 200 for i in range(80)]
    e.analysis.card.risks = [f"risk {i} " + "r" * 900 for i in range(60)]
    d = Digest(date="2026-01-24", timezone="UTC", repos=[RepoDigest(repo=REPO, entries=[e], url=REPO_URL)])
    for msg in [*digest_messages(d), card_reply_blocks(e, REPO_URL), card_ephemeral_blocks(e)]:
        assert _valid(msg) is None, _valid(msg)
        assert any("…" in t for t in _texts(msg.blocks))
    assert "too long for one message" in "\n".join(_texts(card_reply_blocks(e, REPO_URL).blocks))


def test_a_quiet_day_is_one_short_message():
    d = Digest(date="2026-01-24", timezone="UTC", repos=[RepoDigest(repo=REPO)])
    msgs = digest_messages(d)
    assert len(msgs) == 1 and len(msgs[0].blocks) == 1
    assert "no new commits" in msgs[0].text and REPO in msgs[0].text


def test_a_repository_that_could_not_be_read_says_why():
    d = Digest(date="2026-01-24", timezone="UTC", repos=[RepoDigest(repo=REPO, error="GitHub said 404 <x>")])
    text = "\n".join(_texts(digest_messages(d)[0].blocks))
    assert "could not be read: GitHub said 404 &lt;x&gt;" in text


def test_stats_show_failed_and_pending_analyses():
    entries = [
        entry(1),
        entry(2, status=AnalysisStatus.FAILED),
        entry(3, Importance.LOW, status=AnalysisStatus.PENDING),
    ]
    d = Digest(
        date="2026-01-24", timezone="UTC", repos=[RepoDigest(repo=REPO, entries=entries, url=REPO_URL)]
    )
    text = "\n".join(_texts(digest_messages(d)[0].blocks))
    assert "1 analysis failure" in text and "1 pending" in text
    assert "analysis failed; it is retried on the next run" in text


def test_the_thread_reply_carries_every_card_section():
    e = entry(1)
    msg = card_reply_blocks(e, REPO_URL)
    assert _valid(msg) is None
    text = "\n".join(_texts(msg.blocks))
    for part in (
        "*Summary*",
        "Adds dispatcher path 1.",
        "*Impact scope*",
        "`python/sglang/srt/layers/moe/ep_moe.py`",
        "*Insight*",
        "*Architecture:* A new dispatcher interface.",
        "*Performance:* Fewer copies.",
        "*Risks*",
        "Untested on older GPUs.",
        "*Recommendations*",
        "Benchmark with DeepEP",
        "*Conclusion*",
        "touches the serving hot path",
    ):
        assert part in text, part
    assert "Security" not in text  # "none" dimensions are left out
    assert e.commit.short_sha in msg.text


def test_the_ephemeral_card_has_a_share_button():
    e = entry(1)
    msg = card_ephemeral_blocks(e)
    assert _valid(msg) is None
    actions = msg.blocks[-1]
    assert actions["type"] == "actions"
    button = actions["elements"][0]
    assert button["action_id"] == "share_card" and button["value"] == f"{REPO}@{e.commit.sha}"
    text = "\n".join(_texts(msg.blocks))
    assert (
        f"<{REPO_URL}/pull/{e.commit.pr}|#{e.commit.pr}>" in text
    )  # repository URL derived from the commit URL


def test_a_commit_without_a_card_shows_its_status_and_reasons():
    e = entry(1, status=AnalysisStatus.HEURISTIC)
    text = "\n".join(_texts(card_reply_blocks(e).blocks))
    assert "scored by rules" in text and "large change in the serving path" in text


def test_hostile_text_never_renders_a_mention():
    evil = "Fix <!channel> <@U123> @here <!subteam^S1|@devs> & <#C1> @everyone"
    e = entry(1, title=evil, author="<@U999> @channel", summary=[evil], risks=[evil])
    e.analysis.card.impact_scope = [evil]
    e.analysis.card.insight.security = evil
    e.analysis.card.conclusion = evil
    e.analysis.card.change_type = evil
    m = entry(2, Importance.MEDIUM, title=evil)
    d = Digest(
        date="2026-01-24",
        timezone="UTC",
        repos=[RepoDigest(repo=REPO, entries=[e, m], url=REPO_URL, error=None)],
        alerts=[evil],
    )
    for msg in [*digest_messages(d), card_reply_blocks(e, REPO_URL), card_ephemeral_blocks(e)]:
        dumped = json.dumps({"text": msg.text, "blocks": msg.blocks}, ensure_ascii=False)
        assert MENTION.search(dumped) is None, dumped
        assert "Fix &lt;!\u2060channel&gt;" in dumped

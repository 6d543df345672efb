"""The overview in the digest's top message: before the stats, attention first, SHAs linked, within
Block Kit's limits and mention-safe."""

from __future__ import annotations

import json

from analysis.models import Importance, RepoDigest
from analysis.overview.heuristic import heuristic_overview
from analysis.overview.overview_types import MAX_ATTENTION, MAX_THEMES, AttentionItem, Overview, Theme
from bot.slack.blocks import digest_messages
from tests.fakes.digests import REPO, REPO_URL, digest, entry
from tests.fakes.slack import BLOCK_TEXT_CHARS, MENTION, text_chars, validate_blocks

EVIL = "Fix <!channel> <@U123> @here <!subteam^S1|@devs> & <#C1> @everyone <https://evil.example|click>"


def _texts(blocks) -> list[str]:
    return [b["text"]["text"] for b in blocks if b.get("type") == "section"]


def _with_overview(d, overview: Overview):
    d.repos[0].overview = overview
    return d


def test_the_overview_opens_the_top_message_before_the_stats_with_attention_first():
    d = digest(high=2, medium=2, low=1)
    shas = [e.commit.sha for e in d.repos[0].entries]
    o = Overview(
        headline="MoE dispatch lands; NPU fixes.",
        themes=[
            Theme(title="MoE", text="A new dispatcher.", commits=shas[:3]),
            Theme(title="NPU", commits=shas[3:]),
        ],
        attention=[AttentionItem(text="The dispatcher flag is renamed.", commits=shas[:1])],
        source="llm",
    )
    [msg] = digest_messages(_with_overview(d, o))
    texts = _texts(msg.blocks)
    at = next(i for i, t in enumerate(texts) if "Overview" in t)
    stats = next(i for i, t in enumerate(texts) if "commits ·" in t)
    assert at < stats and "MoE dispatch lands; NPU fixes." in texts[at]
    attention = next(i for i, t in enumerate(texts) if "Needs attention" in t)
    themes = next(i for i, t in enumerate(texts) if "Themes" in t)
    assert at < attention < themes < stats
    first = d.repos[0].entries[0].commit
    assert f"<{first.url}|{first.short_sha}>" in texts[themes] and f"<{first.url}|" in texts[attention]
    assert validate_blocks(msg.blocks) is None


def test_a_heuristic_overview_says_so_and_has_no_attention_section_when_quiet():
    d = digest(high=0, medium=2, low=0)
    d.language = "zh"
    [msg] = digest_messages(_with_overview(d, heuristic_overview(d.repos[0].entries, "zh")))
    text = "\n".join(_texts(msg.blocks))
    assert "今日概览" in text and "按路径和标题的规则生成" in text and "需要关注" not in text


def test_hostile_overview_text_never_renders_a_mention_or_a_link():
    d = digest(high=1, medium=1, low=0)
    shas = [e.commit.sha for e in d.repos[0].entries]
    o = Overview(
        headline=EVIL,
        themes=[Theme(title=EVIL, text=EVIL, commits=shas)],
        attention=[AttentionItem(text=EVIL, commits=shas)],
        source="llm",
    )
    for msg in digest_messages(_with_overview(d, o)):
        dumped = json.dumps({"text": msg.text, "blocks": msg.blocks}, ensure_ascii=False)
        assert MENTION.search(dumped) is None, dumped
        assert "<https://evil" not in dumped and "&lt;https://evil.example|click&gt;" in dumped
        assert validate_blocks(msg.blocks) is None


def test_the_largest_overviews_of_many_repositories_stay_within_block_kit_limits():
    d = digest(high=20, medium=20, low=20)
    repos = []
    for n in range(6):
        name = f"{REPO}-{n}"
        entries = [entry(i, Importance.MEDIUM, repo=name) for i in range(60)]
        shas = [e.commit.sha for e in entries]
        o = Overview(
            headline="H" * 300,
            themes=[
                Theme(title="T" * 120, text="x " * 300, commits=shas[i::MAX_THEMES])
                for i in range(MAX_THEMES)
            ],
            attention=[AttentionItem(text="a " * 300, commits=shas) for _ in range(MAX_ATTENTION)],
            source="llm",
        )
        repos.append(RepoDigest(repo=name, entries=entries, url=REPO_URL, overview=o))
    d.repos = repos
    messages = digest_messages(d)
    for msg in messages:
        assert validate_blocks(msg.blocks) is None
        assert text_chars(msg.blocks) <= BLOCK_TEXT_CHARS
    first = "\n".join(_texts(messages[0].blocks))
    assert first.count("Overview") >= 2 and "+7 more" in first  # five SHAs an item, then a count
    assert all(len(t) <= 3000 for m in messages for t in _texts(m.blocks))


def test_a_channel_sees_only_the_commits_its_filters_keep():
    d = digest(high=1, medium=2, low=0)
    shas = [e.commit.sha for e in d.repos[0].entries]
    o = Overview(
        headline="Day.",
        themes=[Theme(title="Kept", commits=shas[:2]), Theme(title="Hidden", commits=[shas[2]])],
        attention=[AttentionItem(text="Hidden item", commits=[shas[2]])],
        source="llm",
    )
    d.repos[0].overview = o
    d.repos[0].entries = d.repos[0].entries[:2]  # the channel's filters hide the third commit
    text = "\n".join(_texts(digest_messages(d)[0].blocks))
    assert "Kept" in text and "Hidden" not in text and shas[2][:7] not in text

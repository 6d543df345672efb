import json
import re

from analysis.models import AnalysisStatus, Digest, Importance, Insight, RepoDigest
from bot.slack.blocks import FOLD_AFTER, card_ephemeral_blocks, card_reply_blocks, digest_messages
from bot.slack.client import make_client
from bot.slack.delivery import post_digest
from storage.db import open_db
from tests.fakes.digests import REPO, REPO_URL, digest, entry
from tests.fakes.slack import BLOCK_TEXT_CHARS, MENTION, FakeSlack, text_chars, validate_blocks


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


# English words a Chinese rendering may still carry: the repository names and the LLM's unit.
_NOT_LABELS = {"sgl", "project", "sglang", "LLM", "tokens"}


def _zh_entry(n, importance=Importance.HIGH, status=AnalysisStatus.DONE):
    """A commit whose own text is all Chinese, so any English left is a label."""
    e = entry(
        n,
        importance,
        title=f"修复调度器 {n}",
        author="张三",
        summary=["新增调度路径"],
        risks=["旧显卡未测试"],
        status=status,
    )
    e.analysis.reasons = ["服务路径的大改动"]
    if card := e.analysis.card:
        card.change_type = "功能"
        card.importance_reason = "影响服务热路径"
        card.insight.architecture = "新的调度接口"
        card.insight.performance = "更少的拷贝"
        card.insight.security = "none"
        card.recommendations = ["升级前做基准测试"]
        card.conclusion = "值得一读"
        card.not_read = ["模型文件"]
    return e


def _english_words(msg):
    """English words in a message's text and blocks, link targets, code and short SHAs left out."""
    text = "\n".join([msg.text, *_texts(msg.blocks)])
    text = re.sub(r"<[^|>]*\||`[^`]*`|\b[0-9a-f]{7}\b", "", text)
    return set(re.findall(r"[A-Za-z]{2,}", text)) - _NOT_LABELS


def _zh_digest(high, medium, low, **kw):
    levels = [Importance.HIGH] * high + [Importance.MEDIUM] * medium + [Importance.LOW] * low
    entries = [_zh_entry(i, lvl) for i, lvl in enumerate(levels)]
    d = digest(0, 0, 0)
    d.language = "zh"
    d.repos[0].entries = entries
    d.usage.llm_calls, d.usage.prompt_tokens = len(entries), 1000 * len(entries)
    return d


def test_a_zh_digest_carries_chinese_labels_and_no_english_ones():
    d = _zh_digest(high=2, medium=FOLD_AFTER + 3, low=2)
    d.repos[0].entries += [
        _zh_entry(90, status=AnalysisStatus.FAILED),
        _zh_entry(91, Importance.LOW, status=AnalysisStatus.PENDING),
    ]
    d.repos += [RepoDigest(repo="sgl-project/sgl"), RepoDigest(repo="sgl-project/x", error="坏了")]
    msgs = digest_messages(d)
    assert len(msgs) == 1 and _valid(msgs[0]) is None
    text = "\n".join(_texts(msgs[0].blocks))
    assert msgs[0].blocks[0]["text"]["text"] == "每日更新报告 · 2026-01-24"
    assert msgs[0].text.startswith("每日更新报告 · 2026-01-24：sgl-project/sglang, ")
    for part in (
        "3 个仓库：",
        "LLM：调用 17 次 · 17,000 tokens",
        "19 个提交 · 🔴高 3 · 🟡中 13 · 🟢低 3 · ⚠️ 分析失败 1 · ⏳ 待分析 1",
        "*主要风险：* 旧显卡未测试",
        "完整分析",
        "_分析失败：将在下次运行时重试_",
        "🟡 *中重要度 (13)*",
        "🟢 *低重要度 (3)*",
        "_另有 3 个_",
        "没有新提交",
        "⚠️ 无法读取仓库：坏了",
    ):
        assert part in text, part
    assert _english_words(msgs[0]) == set()


def test_a_long_zh_digest_continues_in_chinese():
    d = _zh_digest(high=60, medium=0, low=0)
    msgs = digest_messages(d)
    assert len(msgs) >= 2
    for m in msgs:
        assert _valid(m) is None, _valid(m)
        assert _english_words(m) == set(), _english_words(m)
    assert msgs[1].blocks[0]["elements"][0]["text"] == f"每日更新报告 · 2026-01-24（续，2/{len(msgs)}）"


def test_a_quiet_zh_day_is_in_chinese():
    d = Digest(date="2026-01-24", timezone="UTC", language="zh", repos=[RepoDigest(repo=REPO)])
    (msg,) = digest_messages(d)
    assert msg.text == f"每日更新报告 · 2026-01-24：{REPO} 没有新提交。" and _valid(msg) is None


def test_a_zh_reply_card_carries_chinese_labels_and_no_english_ones():
    e = _zh_entry(1)
    for msg in (card_reply_blocks(e, REPO_URL, language="zh"), card_ephemeral_blocks(e, language="zh")):
        assert _valid(msg) is None
        text = "\n".join(_texts(msg.blocks))
        for part in (
            "高重要度：影响服务热路径",
            "*变更摘要*\n• 新增调度路径",
            "*影响范围*",
            "*技术洞察*\n• *架构影响：* 新的调度接口\n• *性能影响：* 更少的拷贝",
            "*潜在风险*",
            "*关注建议*",
            "*结论*",
            "未能读取：模型文件",
        ):
            assert part in text, part
        assert "安全考虑" not in text
        assert msg.text == f"{e.commit.short_sha} 的分析：修复调度器 1"
        assert _english_words(msg) == set(), _english_words(msg)
    share = card_ephemeral_blocks(e, language="zh").blocks[-1]["elements"][0]
    assert share["text"]["text"] == "分享到频道" and share["action_id"] == "share_card"


def test_zh_cards_without_analysis_or_too_long_stay_chinese_and_valid():
    bare = _zh_entry(2, status=AnalysisStatus.HEURISTIC)
    msg = card_reply_blocks(bare, language="zh")
    assert "_按规则评分：未做 LLM 分析_\n• 服务路径的大改动" in "\n".join(_texts(msg.blocks))
    assert _english_words(msg) == set()
    big = _zh_entry(3)
    big.analysis.card.risks = [f"风险 {i} " + "险" * 900 for i in range(60)]
    for msg in (card_reply_blocks(big, language="zh"), card_ephemeral_blocks(big, language="zh")):
        assert _valid(msg) is None, _valid(msg)
        assert _english_words(msg) == set()
        assert "… 其余分析内容过长，一条消息放不下" in "\n".join(_texts(msg.blocks))


def test_english_is_the_default_and_the_fallback_language():
    e = entry(1)
    for language in ("en", "fr"):
        reply = card_reply_blocks(e, REPO_URL, language=language)
        assert reply == card_reply_blocks(e, REPO_URL)
        assert card_ephemeral_blocks(e, language=language) == card_ephemeral_blocks(e)
        d = digest(high=1, medium=1, low=1)
        d.language = language
        msg = digest_messages(d)[0]
        assert msg.text.startswith("Commit digest · 2026-01-24: 3 commits (1 high)")
        assert "3 commits · 🔴 1 high · 🟡 1 medium · 🟢 1 low" in "\n".join(_texts(msg.blocks))
    text = "\n".join(_texts(reply.blocks))
    assert "high importance: touches the serving hot path" in text and "*Summary*" in text
    assert not re.search(r"[\u4e00-\u9fff]", json.dumps(reply.blocks, ensure_ascii=False))


async def test_the_poster_threads_zh_replies_under_a_zh_digest(tmp_path):
    d = _zh_digest(high=2, medium=1, low=0)
    with FakeSlack() as slack:
        result = await post_digest(
            make_client(slack.token, slack.url), open_db(tmp_path / "d.db"), d, "C1", pause=0
        )
        assert result.ok and [c.error for c in slack.calls if c.error] == []
        (parent,) = slack.top_level("C1")
        replies = slack.thread(parent.ts)
    assert parent.text.startswith("每日更新报告")
    high = d.repos[0].by_importance(Importance.HIGH)
    assert [m.text for m in replies] == [f"{e.commit.short_sha} 的分析：{e.commit.title}" for e in high]
    for m in replies:
        assert "*变更摘要*" in "\n".join(_texts(m.blocks)) and _english_words(m) == set()


def test_insight_dimensions_answered_none_are_left_out_in_either_language():
    e = entry(3)
    e.analysis.card.insight = Insight(
        architecture="新的调度接口。", performance="无", security="None", maintainability="n/a"
    )
    for language in ("en", "zh"):
        text = json.dumps(card_reply_blocks(e, REPO_URL, language=language).blocks, ensure_ascii=False)
        assert "新的调度接口" in text
        assert "无" not in text.replace("无法", "") and '"None' not in text and "n/a" not in text

"""The fixed strings of Slack messages (buttons, headers, notes), in English and Chinese."""

from __future__ import annotations

from analysis.i18n import t as report_t

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "commits_one": "{n} commit",
        "repos": "{n} repositories: {names}",
        "repos_one": "{n} repository: {names}",
        "no_repos": "no repositories",
        "chat_title": "Commit digest · {date}",
        "chat_quiet": "{title}: no new commits in {names}.",
        "chat_fallback": "{title}: {total} commits ({high} high) in {names}",
        "chat_continued": "{title} (continued, {i}/{n})",
        "level_count": "{emoji} {n} {level}",
        "level_group": "{level} ({n})",
        "level_importance": "{level} importance",
        "failures": "⚠️ {n} analysis failures",
        "failures_one": "⚠️ {n} analysis failure",
        "pending_count": "⏳ {n} pending",
        "more": "+{n} more",
        "repo_unreadable": "could not be read: {error}",
        "no_new_commits": "no new commits",
        "label": "{label}:",
        "top_risk": "Top risk",
        "full_analysis": "Full analysis",
        "share": "Share in channel",
        "insight_short": "Insight",
        "risks_short": "Risks",
        "conclusion": "Conclusion",
        "unknown": "unknown",
        "too_long": "… the rest of this analysis was too long for one message",
        "analysis_of": "Analysis of {sha}: {title}",
        "ov_missing": "No overview of {repo} for {date} is stored; one is made each time a digest runs.",
        "ov_any_day": "any day",
        "ov_no_repos": "This channel follows no repository yet; name one: `{usage}`",
        "ov_more_repos": "… and {n} more repositories: name one with `{usage}`",
    },
    "zh": {
        "commits_one": "{n} 个提交",
        "repos": "{n} 个仓库：{names}",
        "repos_one": "{n} 个仓库：{names}",
        "no_repos": "没有仓库",
        "chat_title": "每日更新报告 · {date}",
        "chat_quiet": "{title}：{names} 没有新提交。",
        "chat_fallback": "{title}：{names} 共 {total} 个提交（高 {high}）",
        "chat_continued": "{title}（续，{i}/{n}）",
        "level_count": "{emoji}{level} {n}",
        "level_group": "{level}重要度 ({n})",
        "level_importance": "{level}重要度",
        "failures": "⚠️ 分析失败 {n}",
        "failures_one": "⚠️ 分析失败 {n}",
        "pending_count": "⏳ 待分析 {n}",
        "more": "另有 {n} 个",
        "repo_unreadable": "无法读取仓库：{error}",
        "no_new_commits": "没有新提交",
        "label": "{label}：",
        "top_risk": "主要风险",
        "full_analysis": "完整分析",
        "share": "分享到频道",
        "insight_short": "技术洞察",
        "risks_short": "潜在风险",
        "conclusion": "结论",
        "unknown": "未知",
        "too_long": "… 其余分析内容过长，一条消息放不下",
        "analysis_of": "{sha} 的分析：{title}",
        "ov_missing": "没有 {repo} 在 {date} 的概览；每次生成日报时都会生成概览。",
        "ov_any_day": "任何一天",
        "ov_no_repos": "此频道尚未关注任何仓库；请指定一个：`{usage}`",
        "ov_more_repos": "… 另有 {n} 个仓库：请用 `{usage}` 指定",
    },
}


def t(language: str, key: str, **values: object) -> str:
    """The Slack string `key` in `language` (English when unknown); any other key is a shared report string."""
    if key not in STRINGS["en"]:
        return report_t(language, key, **values)
    return STRINGS.get(language, STRINGS["en"])[key].format(**values)

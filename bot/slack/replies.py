"""The answers of /digest and /commit, in English and Chinese."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "help_title": "*/digest* commands:",
        "help_subscribe": "follow a repository in this channel",
        "help_unsubscribe": "stop following it",
        "help_list": "what this channel follows",
        "help_run": "post the digest to this channel now",
        "help_status": "last runs, failures, pending analyses, alerts, rate limits, usage",
        "help_overview": "a day at a glance (themes, what needs attention), from past digests",
        "follows_nothing": "This channel follows no repository yet. {usage}",
        "follows": "This channel follows:",
        "subscribed": "Subscribed: {what}. The next digest in this channel includes it.",
        "unsubscribed": "Unsubscribed from {repo}.",
        "not_following": "This channel does not follow {repo}. Try `/digest list`.",
        "busy": "A digest is already running; try `/digest run` again when it has finished.",
        "not_posted": "The digest could not be posted: {error}",
        "posted": "Digest posted.",
        "nothing_new": "Nothing new to post (today's digest may already be in this channel).",
        "digest_failed": "The digest failed ({error}); the details are in the bot's log.",
        "building": "Building the digest for this channel…",
        "unknown_subcommand": "Unknown subcommand `{sub}`.",
        "sorry": "Sorry, that failed ({error}); the details are in the bot's log.",
        "usage": "Usage: {usage}",
        "usage_unsubscribe": "Usage: `/digest unsubscribe owner/repo`",
        "not_a_repo": "`{arg}` is not owner/repo. Usage: {usage}",
        "not_a_date": "`{arg}` is not a date; use YYYY-MM-DD. Usage: `{usage}`",
        "not_watched": "{repo} is not watched here: `/digest subscribe {repo}` to follow it",
        "not_key_value": "`{arg}` is not key=value. Usage: {usage}",
        "bad_min": "min must be low, medium or high",
        "unknown_option": "Unknown option `{key}`. Usage: {usage}",
        "bad_quotes": "Cannot read the arguments: {error}",
        "commit_usage": "Usage: `/commit <sha|prefix of 7+ characters|commit URL>`",
        "looking_up": "Looking up `{text}` in the watched repositories…",
        "lookup_failed": "Sorry, the lookup of `{text}` failed ({error}); the details are in the bot's log.",
        "lookup_malformed": "{reason}",
        "lookup_unknown": "{reason}",
        "lookup_ambiguous": "That prefix matches several commits:",
        "lookup_more": "… and {n} more",
        "also_in": "This commit is also in {repos}.",
        "already_posted": "Nothing new since today's digest was posted in this channel.",
        "no_such_commit": "No such commit.",
        # /digest status
        "st_schedule": "*Schedule* `{schedule}` ({tz}), next {next}",
        "st_last_digest": "*Last digest* {date}: {status}{error}",
        "st_no_digest": "*Last digest* none yet in this channel",
        "st_running": "A digest is running now.",
        "st_last_failed": "*Last run failed* {error}",
        "st_alert": "*Alert ({kind})* {text}",
        "st_repo_run": " last run {at} {status}, {n} commits",
        "st_repo_run_one": " last run {at} {status}, {n} commit",
        "st_repo_counts": "; failed {failed}, pending {pending}",
        "st_rate": "; GitHub rate limit {n} left",
        "st_day": "*Last 24 h* {runs} repository runs ({errors} failed), {calls} LLM calls, {tokens}",
        "st_tokens": "{prompt} prompt + {completion} completion tokens",
        "st_provider_llm": "*Provider* LLM {model}",
        "st_provider_none": "*Provider* no LLM configured (rule-based cards)",
        "label": "{label}:",
    },
    "zh": {
        "help_title": "`/digest` 命令：",
        "help_subscribe": "在本频道关注一个仓库",
        "help_unsubscribe": "取消关注",
        "help_list": "本频道关注的仓库",
        "help_run": "立即向本频道发送日报",
        "help_status": "最近运行、失败与待完成的分析、告警、速率限制、用量",
        "help_overview": "某一天的概览（主题、需要关注的变更），来自以往的日报",
        "follows_nothing": "本频道尚未关注任何仓库。{usage}",
        "follows": "本频道关注：",
        "subscribed": "已关注：`{what}`。本频道的下一份日报将包含它。",
        "unsubscribed": "已取消关注 {repo}。",
        "not_following": "本频道没有关注 {repo}。试试 `/digest list`。",
        "busy": "已有日报在生成中；完成后再试 `/digest run`。",
        "not_posted": "日报未能发送：{error}",
        "posted": "日报已发送。",
        "nothing_new": "没有新内容可发送（今天的日报可能已在本频道）。",
        "digest_failed": "日报生成失败（`{error}`）；详情见机器人日志。",
        "building": "正在为本频道生成日报…",
        "unknown_subcommand": "未知的子命令 `{sub}`。",
        "sorry": "抱歉，操作失败（`{error}`）；详情见机器人日志。",
        "usage": "用法：`{usage}`",
        "usage_unsubscribe": "用法：`/digest unsubscribe owner/repo`",
        "not_a_repo": "`{arg}` 不是 owner/repo 格式。用法：`{usage}`",
        "not_a_date": "`{arg}` 不是日期，请用 YYYY-MM-DD。用法：`{usage}`",
        "not_watched": "本工作区没有关注 {repo}：用 `/digest subscribe {repo}` 关注它",
        "not_key_value": "`{arg}` 不是 `key=value` 格式。用法：`{usage}`",
        "bad_min": "`min` 只能是 `low`、`medium` 或 `high`",
        "unknown_option": "未知选项 `{key}`。用法：`{usage}`",
        "bad_quotes": "无法解析参数：请检查引号是否成对",
        "commit_usage": "用法：`/commit <sha|至少 7 个字符的前缀|提交链接>`",
        "looking_up": "正在关注的仓库中查找 `{text}`…",
        "lookup_failed": "抱歉，查找 `{text}` 失败（`{error}`）；详情见机器人日志。",
        "lookup_malformed": "无法识别：请给出提交 SHA（至少 7 个十六进制字符）或提交链接",
        "lookup_unknown": "没有找到提交 `{prefix}`",
        "lookup_ambiguous": "该前缀对应多个提交：",
        "lookup_more": "… 另有 {n} 个",
        "also_in": "该提交也存在于 {repos}。",
        "already_posted": "今天的摘要已发布到本频道；此后没有新提交。",
        "no_such_commit": "没有这个提交。",
        "st_schedule": "*发送计划* `{schedule}`（{tz}），下次 {next}",
        "st_last_digest": "*上次日报* {date}：{status}{error}",
        "st_no_digest": "*上次日报* 本频道尚无",
        "st_running": "日报正在生成。",
        "st_last_failed": "*上次运行失败* {error}",
        "st_alert": "*告警（{kind}）* {text}",
        "st_repo_run": " 上次运行 {at} {status}，{n} 个提交",
        "st_repo_counts": "；失败 {failed}，待完成 {pending}",
        "st_rate": "；GitHub 速率限制剩余 {n}",
        "st_day": "*最近 24 小时* 仓库运行 {runs} 次（失败 {errors}），LLM 调用 {calls} 次，{tokens}",
        "st_tokens": "输入 {prompt} tokens，输出 {completion} tokens",
        "st_provider_llm": "*模型* LLM {model}",
        "st_provider_none": "*模型* 未配置 LLM（按规则生成卡片）",
        "label": "{label}：",
    },
}


STATUS_WORDS = {
    "zh": {
        "posting": "发送中",
        "posted": "已发送",
        "skipped": "已跳过",
        "failed": "失败",
        "ok": "成功",
        "error": "出错",
    }
}


def status_word(language: str, status: str) -> str:
    """A delivery or run status (posted, failed, ok, error…) in `language`."""
    return STATUS_WORDS.get(language, {}).get(str(status), str(status))


def reply(language: str, key: str, /, **values: object) -> str:
    """The answer `key` in `language` (English when unknown), formatted with `values`; `key_one` when n is 1."""
    table = STRINGS.get(language, STRINGS["en"])
    if values.get("n") == 1 and f"{key}_one" in table:
        key = f"{key}_one"
    return table[key].format(**values)

"""Block Kit rendering of a repository's overview: headline, attention first, then themes with linked SHAs."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from analysis.facts import commit_url, short
from analysis.models import Commit, RepoDigest
from analysis.overview.overview_types import Overview
from analysis.report.lineage_lines import lineage_counts
from analysis.strings import t
from bot.slack.mrkdwn import escape, link, truncate

SECTION_CHARS = 3000
OVERVIEW_CHARS = 2800  # one repository's overview (within one section), so that several fit the top message
ITEM_CHARS = 300  # one theme's or attention item's text
ATTENTION_CHARS = 1200  # of which the attention items take at most this much, leaving room for themes
SHAS_SHOWN = 5  # linked SHAs per theme or attention item before "+N"


def _sha_links(shas: list[str], commits: dict[str, Commit], lang: str) -> str:
    links = []
    for sha in shas[:SHAS_SHOWN]:
        c = commits.get(sha)
        links.append(link(commit_url(c) if c else None, sha[:7]) if c else f"`{sha[:7]}`")
    if len(shas) > SHAS_SHOWN:
        links.append(t(lang, "ov_more", n=len(shas) - SHAS_SHOWN))
    return " ".join(links)


def overview_lines(
    overview: Overview, commits: dict[str, Commit], lang: str, heading: str = ""
) -> list[tuple[str, list[str]]]:
    """(heading, lines) groups of the overview in mrkdwn: the headline, attention items, themes."""
    head = f"🧭 *{t(lang, 'overview')}*" + (f" · {heading}" if heading else "")
    first = [escape(short(overview.headline, 300))]
    if overview.source == "heuristic":
        first.append(f"_{t(lang, 'overview_heuristic')}_")
    groups = [(head, first)]
    if overview.attention:
        groups.append(
            (
                f"⚠️ *{t(lang, 'ov_attention')}*",
                [
                    f"• {escape(short(a.text, 600))} {_sha_links(a.commits, commits, lang)}"
                    for a in overview.attention
                ],
            )
        )
    themes = [
        f"• *{escape(short(th.title, 120))}*{t(lang, 'colon')}{escape(short(th.text, ITEM_CHARS))} "
        f"{_sha_links(th.commits, commits, lang)}"
        for th in overview.themes
    ]
    if themes:
        groups.append((f"*{t(lang, 'ov_themes')}*", themes))
    return groups


def overview_text(overview: Overview, commits: dict[str, Commit], lang: str, heading: str = "") -> str:
    """The overview as one mrkdwn text, for a command's answer."""
    parts = ["\n".join([h, *lines]) for h, lines in overview_lines(overview, commits, lang, heading)]
    return truncate("\n".join(parts), SECTION_CHARS)


def shown_only(overview: Overview, shown: set[str]) -> Overview:
    """The overview citing only the commits a channel's digest shows (its filters may hide some); themes
    and items left without a commit are dropped."""
    themes = [
        th.model_copy(update={"commits": [s for s in th.commits if s in shown]}) for th in overview.themes
    ]
    attention = [
        a.model_copy(update={"commits": [s for s in a.commits if s in shown]}) for a in overview.attention
    ]
    return overview.model_copy(
        update={
            "themes": [th for th in themes if th.commits],
            "attention": [a for a in attention if a.commits],
        }
    )


def overview_blocks(repo: RepoDigest, lang: str, named: bool = False) -> list[Block]:
    """The overview of one repository's digest as a few sections, within Slack's limits; none without one."""
    if repo.overview is None or not repo.entries:
        return []
    commits = {e.commit.sha: e.commit for e in repo.entries}
    heading = link(repo.url, repo.name) if named else ""
    overview = shown_only(repo.overview, set(commits))
    blocks: list[Block] = []
    room = OVERVIEW_CHARS
    for head, lines in overview_lines(overview, commits, lang, heading):
        room -= len(head) + 1
        if room <= 0:
            break
        cap = min(room, ATTENTION_CHARS) if head.startswith("⚠️") else room
        kept = []
        for i, line in enumerate(lines):
            if len(line) + 1 > cap:
                kept.append(f"_{t(lang, 'ov_more', n=len(lines) - i)}_")
                break
            kept.append(line)
            cap -= len(line) + 1
            room -= len(line) + 1
        text = "\n".join([head, *kept])
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_CHARS))))
    if (counts := lineage_counts(repo, lang)) and blocks:  # within the first section: no block more
        first = blocks[0].text.text  # type: ignore[attr-defined]
        blocks[0] = SectionBlock(
            text=MarkdownTextObject(text=truncate(f"{first}\n↩️ {counts}", SECTION_CHARS))
        )
    return blocks

"""The week as Markdown, terminal text and JSON; untrusted text escaped as in the daily report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis.facts import clip, plain
from analysis.names import archive_parts
from analysis.report.escape import TITLE_CHARS, bounded, code_span, md_heading, md_text
from analysis.strings import t
from analysis.weekly.week_types import Week, WeekAttention

SHAS_SHOWN = 5


def outcome_text(a: WeekAttention, lang: str, sha: Callable[[str], str] = lambda s: s[:7]) -> str:
    """ "fixed by abc1234", "reverted by …" or "still open"."""
    if a.outcome == "fixed" and a.by:
        return t(lang, "wk_fixed", sha=sha(a.by))
    if a.outcome == "reverted" and a.by:
        return t(lang, "wk_reverted", sha=sha(a.by))
    return t(lang, "wk_open")


def title_text(week: Week, lang: str) -> str:
    """ "Weekly Report (2026-W04: 2026-01-19 – 2026-01-25)"."""
    return t(lang, "wk_title", week=week.week, start=week.start.isoformat(), end=week.end.isoformat())


def _week_md(week: Week, lang: str) -> list[str]:
    o = week.overview
    lines = [
        f"## {md_heading(clip(plain(week.name), TITLE_CHARS))}",
        "",
        f"**{md_text(bounded(o.headline, lang))}**",
        "",
    ]
    if o.source == "heuristic":
        lines += [f"*ℹ️ {t(lang, 'wk_heuristic')}*", ""]
    lines += [
        f"> {t(lang, 'wk_counts', **{k: o.counts.get(k, 0) for k in ('total', 'high', 'medium', 'low')})}",
        "",
    ]
    if o.attention:
        lines.append(f"**⚠️ {t(lang, 'wk_attention')}**  ")
        for a in o.attention:
            shas = ", ".join(code_span(s[:7]) for s in a.commits[:SHAS_SHOWN])
            lines.append(
                f"- {a.day}: {md_text(bounded(a.text, lang))} — {shas} — *{outcome_text(a, lang, lambda s: code_span(s[:7]))}*"
            )
        lines.append("")
    if o.themes:
        lines.append(f"**{t(lang, 'ov_themes')}**  ")
        lines += [
            f"- **{md_text(bounded(th.title, lang))}**{t(lang, 'colon')}{md_text(bounded(th.text, lang))}"
            for th in o.themes
        ]
        lines.append("")
    if o.days:
        lines.append(f"**{t(lang, 'wk_days')}**  ")
        lines += [f"- {d.day}{t(lang, 'colon')}{md_text(bounded(d.headline, lang))}" for d in o.days]
        lines.append("")
    elif not o.counts.get("total"):
        lines += [t(lang, "wk_no_days"), ""]
    return lines


def render_week_markdown(weeks: list[Week], lang: str) -> str:
    """The week of every repository as one Markdown document."""
    if not weeks:
        return ""
    lines = [f"# {title_text(weeks[0], lang)}", ""]
    for w in weeks:
        lines += _week_md(w, lang)
    return "\n".join(lines).rstrip("\n") + "\n"


def render_week_text(weeks: list[Week], lang: str) -> str:
    """The week of every repository as plain terminal lines."""
    out = [title_text(weeks[0], lang) if weeks else ""]
    for w in weeks:
        o = w.overview
        out += ["", plain(w.name), "  " + plain(o.headline)]
        out.append(
            "  " + t(lang, "wk_counts", **{k: o.counts.get(k, 0) for k in ("total", "high", "medium", "low")})
        )
        out += [
            f"  ! {a.day} {plain(a.text)} [{' '.join(s[:7] for s in a.commits[:SHAS_SHOWN])}] — {outcome_text(a, lang)}"
            for a in o.attention
        ]
        out += [f"  * {plain(th.title)}{t(lang, 'colon')}{plain(th.text)}" for th in o.themes]
        out += [f"  - {d.day}{t(lang, 'colon')}{plain(d.headline)}" for d in o.days]
    return "\n".join(out) + "\n"


def render_week_json(weeks: list[Week]) -> dict:
    """The week of every repository as a dict json.dumps accepts."""
    return {
        "week": weeks[0].week if weeks else None,
        "repos": [
            {
                "repo": w.repo,
                "name": w.name,
                "week": w.week,
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                **w.overview.model_dump(mode="json"),
            }
            for w in weeks
        ],
    }


def write_week_archive(weeks: list[Week], lang: str, out: Path) -> list[Path]:
    """Write each repository's week to OUT/<year>/<owner>/<repo>/week-<YYYY>-W<ww>.md, beside its days."""
    paths = []
    for w in weeks:
        path = out / w.week[:4] / Path(*archive_parts(w.name)) / f"week-{w.week}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_week_markdown([w], lang), encoding="utf-8")
        paths.append(path)
    return paths

"""The digest as a dict that json.dumps accepts."""

from __future__ import annotations

from analysis.facts import error_reason, file_counts, local_time, pr_url, summary_lines
from analysis.models import AnalysisStatus, Digest, DigestEntry, RepoDigest
from analysis.report.lineage_lines import lineage_json
from analysis.teamcode.affects import impact_json


def _entry_json(repo: RepoDigest, entry: DigestEntry, tz: str) -> dict:
    a, c = entry.analysis, entry.commit
    files, adds, dels = file_counts(c)
    return {
        "sha": c.sha,
        "short_sha": c.short_sha,
        "title": c.title,
        "author": c.author_name,
        "committed_at": local_time(c.committed_at, tz).isoformat(),
        "importance": a.importance.value,
        "scored_importance": a.scored.value,
        "analysis_status": a.status.value,
        "change_type": a.card.change_type if a.card else None,
        "summary": "\n".join(summary_lines(entry)),
        "pr": c.pr,
        "pr_url": pr_url(c, repo.url),
        "url": c.url,
        "files": files,
        "additions": adds,
        "deletions": dels,
        "is_merge": c.is_merge,
        "card": a.card.model_dump(mode="json") if a.card else None,
        "reasons": list(a.reasons),
        "attempts": a.attempts,
        "error": error_reason(a.error) if a.status == AnalysisStatus.FAILED and a.error else None,
        "interface_changes": [
            {"object": ch.object, "kind": ch.kind, "text": ch.text}
            for ch in (entry.interfaces.changes if entry.interfaces else [])
        ],
        **lineage_json(entry),
    }


def _overview_json(repo: RepoDigest) -> dict | None:
    """`{"headline", "themes": [{"title", "text", "commits"}], "attention": [{"text", "commits"}], "source"}`."""
    return repo.overview.model_dump(mode="json") if repo.overview else None


def entry_json(entry: DigestEntry, tz: str = "UTC") -> dict:
    """One commit with its analysis, as `render_json` lists it."""
    return _entry_json(RepoDigest(repo=entry.commit.repo), entry, tz)


def render_json(digest: Digest) -> dict:
    """The digest as a dict that json.dumps accepts."""
    tz = digest.timezone
    return {
        "date": digest.date,
        "timezone": tz,
        "language": digest.language,
        "repos": [
            {
                "repo": r.repo,
                "name": r.name,
                "notes": r.notes,
                "url": r.url,
                "branch": r.branch,
                "head": r.head,
                "since": r.since,
                "error": r.error,
                "stats": r.stats(),
                "commits": [_entry_json(r, e, tz) for e in r.entries],
                "overview": _overview_json(r),
                "impact": [impact_json(i) for i in r.impact],
            }
            for r in digest.repos
        ],
        "usage": {
            "llm_calls": digest.usage.llm_calls,
            "prompt_tokens": digest.usage.prompt_tokens,
            "completion_tokens": digest.usage.completion_tokens,
            "cost_usd": digest.usage.cost_usd,
        },
        "alerts": list(digest.alerts),
    }

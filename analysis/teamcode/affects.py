"""Which commits of a digest affect the team's code: each entry's interface changes met against the team's index."""

from __future__ import annotations

import dataclasses

import sqlite_utils

from analysis.config import SourceConfig
from analysis.models import Digest, RepoDigest
from analysis.teamcode.config import TeamCode
from analysis.teamcode.impact import Impact, impacts
from analysis.teamcode.index import TeamIndex
from analysis.teamcode.source import team_code_index

PLACES_SHOWN = 3  # team places shown per impact before "and N more places"


def repo_impact(repo: RepoDigest, index: TeamIndex) -> list[Impact]:
    """The impacts of a repository's entries (each with its commit SHA): direct hits first, in commit order."""
    found: list[Impact] = []
    for entry in repo.entries:
        report = entry.interfaces
        if report is None:
            continue
        found += [dataclasses.replace(i, sha=entry.commit.sha) for i in impacts(report.changes, index)]
    return [i for i in found if i.direct] + [i for i in found if not i.direct]


def add_impact(digest: Digest, index: TeamIndex | None) -> None:
    """Set every repository's `impact` from its entries' interface changes; empty without an index."""
    for repo in digest.repos:
        repo.impact = repo_impact(repo, index) if index is not None else []


def impact_json(impact: Impact) -> dict[str, object]:
    """`{"sha", "object", "change", "direct", "places": [{"file", "line"}]}`."""
    return {
        "sha": impact.sha,
        "object": impact.object,
        "change": impact.change,
        "direct": impact.direct,
        "places": [{"file": f, "line": n} for f, n in impact.places],
    }


async def add_team_impact(
    digest: Digest, code: TeamCode | None, db: sqlite_utils.Database, cfg: SourceConfig
) -> list[str]:
    """Index `code` at its head (from the store when unchanged) and set every repository's impact; the notes
    (one line each) say what could not be read or what a bound left out. Without a code base: nothing."""
    if code is None:
        add_impact(digest, None)
        return []
    team = await team_code_index(code, db, cfg)
    add_impact(digest, team.index)
    return team.notes

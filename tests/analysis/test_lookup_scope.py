"""Lookups read only watched repositories: a cached commit of a repository no longer watched is shown as
stored, never fetched or analyzed again; a URL of an unwatched repository is refused before any request."""

from __future__ import annotations

import os

from analysis.lookup import LookupKind, lookup_commit, parse_query
from analysis.models import AnalysisStatus
from analysis.scope import named_by, stored_as
from analysis.store import analyses as analysis_store
from bot.settings import load_settings
from storage.db import open_db
from tests.fakes.chat import ChatServer
from tests.fakes.digests import REPO, SHA, seed_commit
from tests.fakes.github import FakeGitHub


async def test_a_cached_commit_of_an_unwatched_repository_is_never_analyzed_again(tmp_path) -> None:
    db = open_db(tmp_path / "d.db")
    seed_commit(db)
    pending = analysis_store.get_analysis(db, REPO, SHA)
    pending.status, pending.card = AnalysisStatus.PENDING, None
    analysis_store.save_analysis(db, REPO, pending)
    with FakeGitHub() as gh, ChatServer() as chat:
        cfg = load_settings(
            github_api_url=gh.url, openai_api_key="sk-test-key-000000", openai_base_url=chat.base_url
        ).pipeline_config(["o/watched"])
        for text in (SHA[:9], f"https://github.com/{REPO}/commit/{SHA}"):
            found = await lookup_commit(db, cfg, text, watched={"o/watched"})
            assert found.kind is LookupKind.FOUND and found.entry.commit.sha == SHA
        refused = await lookup_commit(
            db, cfg, f"https://github.com/o/other/commit/{'a' * 40}", watched={"o/w"}
        )
        assert refused.kind is LookupKind.NOT_WATCHED
        assert gh.log == [] and chat.requests == []
    assert analysis_store.get_analysis(db, REPO, SHA).status is AnalysisStatus.PENDING


def test_commit_urls_name_github_repositories_only() -> None:
    for bad in ("..", ".", "../x", "x/..", "./x", "~/x"):
        assert isinstance(parse_query(f"https://github.com/{bad}/commit/{SHA}"), str), bad
    assert parse_query(f"https://github.com/o.k/r-1_2/commit/{SHA}").repo == "o.k/r-1_2"


def test_a_clone_is_found_by_its_folder_name_or_path_and_nothing_else() -> None:
    assert named_by("sglang", "sgl-project/sglang") and named_by("/srv/clones/sglang", "x/sglang")
    assert not named_by("org/sglang", "x/sglang") and not named_by("o/r", "o/r2")
    clone = "./clones/sglang"
    assert stored_as(clone, "sglang") and stored_as(clone, os.path.abspath(clone))
    assert stored_as("o/r", "o/r") and not stored_as("o/r", "r") and not stored_as(clone, "other")

"""What people see of history: notes in every rendering, shown names, the followed ref in `status`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from analysis import report
from analysis.config import PipelineConfig, SourceConfig
from analysis.models import Analysis, AnalysisStatus, Commit, Digest, DigestEntry, Importance, RepoDigest
from analysis.pipeline import run_digest
from bot.slack.blocks import digest_messages
from bot.status import status_lines
from storage.db import open_db
from tests.gitrepo import GitRepo

NOTE = "History of main was rewritten <!channel> *loud*: 3 reported commits were replaced."


def _digest() -> Digest:
    c = Commit("/srv/clones/engine", "a" * 40, "Fix parser", "Ada", datetime(2026, 1, 24, tzinfo=UTC))
    entry = DigestEntry(c, Analysis(c.sha, AnalysisStatus.HEURISTIC, Importance.LOW))
    rd = RepoDigest("/srv/clones/engine", [entry], branch="main", display="acme/engine", notes=[NOTE])
    return Digest("2026-01-24", "UTC", repos=[rd])


def test_notes_and_shown_names_in_every_rendering():
    d = _digest()
    text = report.render_text(d)
    md = report.render_markdown(d)
    slack = json.dumps([m.blocks for m in digest_messages(d)]) + "".join(m.text for m in digest_messages(d))
    for out in (text, md, slack):
        assert "acme/engine" in out and "/srv/clones" not in out.split("a" * 40)[0]
        assert "3 reported commits were replaced" in out
    assert "<!channel>" not in md and "<!channel>" not in slack  # a branch name never pings anyone
    assert report.render_json(d)["repos"][0]["notes"] == [NOTE]


async def test_status_says_which_ref_was_followed(tmp_path):
    up = GitRepo(tmp_path / "up")
    up.commit("Start", {"a": "a\n"})
    clone = up.clone(tmp_path / "work")
    db = open_db(tmp_path / "d.db")
    cfg = PipelineConfig(repos=[str(clone.path)], source=SourceConfig(git_fetch=False))
    await run_digest(db, cfg)
    lines, data = status_lines(db)
    assert any(line.strip() == "follows   origin/main" for line in lines)
    assert data["repos"][0]["repo"] == str(clone.path)


def test_the_history_settings_reach_the_pipeline(monkeypatch):
    from bot.settings import load_settings

    default = load_settings().pipeline_config()
    assert default.max_new_commits == 300 and default.source.git_fetch and default.source.branch is None
    monkeypatch.setenv("DIGEST_MAX_NEW_COMMITS", "40")
    monkeypatch.setenv("DIGEST_GIT_FETCH", "false")
    monkeypatch.setenv("DIGEST_BRANCH", "")
    cfg = load_settings().pipeline_config()
    assert cfg.max_new_commits == 40 and not cfg.source.git_fetch and cfg.source.branch is None

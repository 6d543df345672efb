"""Interface changes in the pipeline: computed once per commit from a clone or GitHub, stored, shown on cards."""

from __future__ import annotations

import datetime as dt

from analysis.config import PipelineConfig, SourceConfig
from analysis.pipeline import run_digest
from analysis.report import render_card_markdown, render_card_text
from analysis.report.json import render_json
from analysis.store.interface_reports import get_reports
from bot.settings import load_settings
from bot.slack.blocks import card_reply_blocks
from storage.db import open_db
from tests.analysis.upstream_api import make_upstream
from tests.fakes.github import CONTENTS_LIMIT, FakeGitHub

DAY = dt.date(2026, 1, 24)


def _by_title(digest):
    return {e.commit.title: e for e in digest.repos[0].entries}


async def test_a_clone_gets_interface_changes_once_and_a_warm_run_reads_the_store(tmp_path):
    repo, shas = make_upstream(tmp_path / "up")
    db = open_db(tmp_path / "d.db")
    cfg = PipelineConfig(repos=[str(repo.path)], source=SourceConfig(git_fetch=False))
    first = await run_digest(db, cfg, day=DAY)
    entries = _by_title(first)
    api = entries["Rework the core API"].interfaces
    assert api is not None
    kinds = {(c.object, c.kind) for c in api.changes}
    assert ("pkg.func", "param_removed") in kinds or ("pkg.core.func", "param_removed") in kinds
    assert "src/pkg/broken.py" in api.unparsed
    cli = entries["Rename the parallel flag"].interfaces
    assert {c.kind for c in cli.changes} >= {"flag_renamed", "env_removed"}
    assert entries["Docs"].interfaces is not None and not entries["Docs"].interfaces.changes
    stored = get_reports(db, str(repo.path), list(shas.values()))
    assert set(stored) >= {shas["api"], shas["reexport"], shas["cli"]}
    commits = render_json(first)["repos"][0]["commits"]
    api_json = next(c for c in commits if c["sha"] == shas["api"])
    assert api_json["interface_changes"] and set(api_json["interface_changes"][0]) == {
        "object",
        "kind",
        "text",
    }
    assert next(c for c in commits if c["sha"] == shas["docs"])["interface_changes"] == []
    md = render_card_markdown(entries["Rework the core API"])
    assert "Interface changes" in md and "`pkg.core.func`" in md or "`pkg.func`" in md
    assert "Interface changes" not in render_card_markdown(entries["Docs"])
    assert "Interface changes" in render_card_text(entries["Rename the parallel flag"], "en", "UTC")

    db.execute("delete from commits")  # a warm run: nothing to re-read from the clone for interfaces
    db.conn.commit()
    rows = db.execute("select count(*) from interface_reports").fetchone()[0]
    second = await run_digest(db, cfg, day=DAY)
    assert db.execute("select count(*) from interface_reports").fetchone()[0] == rows
    assert _by_title(second)["Rework the core API"].interfaces == api


async def test_github_source_reads_contents_and_trees_and_a_warm_run_makes_no_contents_calls(tmp_path):
    repo, shas = make_upstream(tmp_path / "up")
    repo.commit("Grow a big module", {"src/pkg/big.py": "x = 1\n" + "#" * (CONTENTS_LIMIT + 10) + "\n"})
    with FakeGitHub() as gh:
        gh.mirror("acme/pkg", repo.path)
        db = open_db(tmp_path / "d.db")
        cfg = PipelineConfig(repos=["acme/pkg"], source=SourceConfig(github_api_url=gh.url))
        first = await run_digest(db, cfg, day=DAY)
        cold = gh.contents_served
        assert cold > 0 and gh.requests_to(r"/git/trees/")
        assert gh.requests_to(r"/contents/") and all(
            r.status in (200, 404) for r in gh.requests_to(r"/contents/")
        )
        second = await run_digest(db, cfg, day=DAY)
        assert gh.contents_served == cold
    one, two = _by_title(first), _by_title(second)
    assert one["Rename the parallel flag"].interfaces.changes
    assert one["Rework the core API"].interfaces == two["Rework the core API"].interfaces
    assert one["Grow a big module"].interfaces is not None  # read raw past GitHub's 1 MB contents limit


async def test_interfaces_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGEST_INTERFACES", "false")
    assert load_settings().pipeline_config().interfaces is False
    repo, _ = make_upstream(tmp_path / "up")
    db = open_db(tmp_path / "d.db")
    cfg = PipelineConfig(repos=[str(repo.path)], source=SourceConfig(git_fetch=False), interfaces=False)
    digest = await run_digest(db, cfg, day=DAY)
    assert all(e.interfaces is None for e in digest.repos[0].entries)
    assert db.execute("select count(*) from interface_reports").fetchone()[0] == 0
    assert all(c["interface_changes"] == [] for c in render_json(digest)["repos"][0]["commits"])


async def test_upstream_names_on_cards_are_escaped(tmp_path):
    repo, _ = make_upstream(tmp_path / "up")
    hostile = (
        'import argparse\np = argparse.ArgumentParser()\np.add_argument("--x<!channel>*[y](http://e.com)`")\n'
    )
    repo.commit("Add a hostile flag", {"src/pkg/evil.py": hostile}, date="2026-01-24T13:00:00+00:00")
    repo.commit("Drop it", {"src/pkg/evil.py": "X = 1\n"}, date="2026-01-24T14:00:00+00:00")
    db = open_db(tmp_path / "d.db")
    cfg = PipelineConfig(repos=[str(repo.path)], source=SourceConfig(git_fetch=False))
    digest = await run_digest(db, cfg, day=DAY)
    entry = _by_title(digest)["Drop it"]
    assert "flag_removed" in [c.kind for c in entry.interfaces.changes]
    slack = str(card_reply_blocks(entry).blocks)
    assert "<!channel>" not in slack and "--x&lt;!" in slack
    md = render_card_markdown(entry)
    span = "`--x<!channel>*[y](http://e.com)'`"
    assert span in md  # the name as code: nothing inside renders
    outside = md.replace(span, "")
    assert "<!channel>" not in outside and "](http://e.com)" not in outside

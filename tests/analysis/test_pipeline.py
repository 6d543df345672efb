"""The digest pipeline end to end: real git clones and the loopback GitHub server, a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.config import PipelineConfig, SourceConfig
from analysis.models import Commit
from analysis.pipeline import FETCH_CONCURRENCY, day_window, run_digest
from analysis.store.analyses import analysis_counts
from analysis.store.commits import save_commit, stored_commit
from analysis.store.reported import get_cursor
from analysis.store.repositories import get_repository
from analysis.store.runs import last_run
from bot.cli import main
from storage.db import open_db
from tests.fakes.github import FakeFile, FakeGitHub, make_files
from tests.gitrepo import GitRepo

SHANGHAI = "Asia/Shanghai"
DAY = dt.date(2026, 1, 24)


def _busy_clone(tmp_path) -> GitRepo:
    """A clone with commits before, inside and after 2026-01-24 in Asia/Shanghai (UTC+8)."""
    repo = GitRepo(tmp_path / "upstream")
    stamps = [
        "2026-01-23T15:59:59+00:00",  # 23:59:59 on the 23rd in Shanghai: outside
        "2026-01-23T16:00:00+00:00",  # 00:00:00 on the 24th: inside
        "2026-01-24T03:30:00+00:00",
        "2026-01-24T09:15:00+00:00",
        "2026-01-24T15:59:59+00:00",  # 23:59:59 on the 24th: inside
        "2026-01-24T16:00:00+00:00",  # 00:00:00 on the 25th: outside
    ]
    repo.commit("Initial import", {"README.md": "hello\n"}, date="2026-01-20T00:00:00+00:00")
    for i, stamp in enumerate(stamps):
        repo.commit(
            f"[Feature] Add kernel {i} (#{100 + i})",
            {
                f"python/pkg/layers/k{i}.py": "".join(f"x{j} = {j}\n" for j in range(20 + i)),
                f"tests/t{i}.py": "ok\n",
            },
            date=stamp,
        )
    return repo


def _cfg(repos: list[str], **kw) -> PipelineConfig:
    return PipelineConfig(repos=repos, timezone=SHANGHAI, **kw)


def _git_log_day(repo: GitRepo) -> list[str]:
    start, end = day_window(DAY, SHANGHAI)
    out = repo.git(
        "log",
        "--format=%H",
        f"--since={start.isoformat()}",
        f"--until={(end - dt.timedelta(seconds=1)).isoformat()}",
    )
    return out.split()


async def test_day_window_of_a_clone_matches_git_log(tmp_path):
    repo = _busy_clone(tmp_path)
    db = open_db(tmp_path / "d.db")
    digest = await run_digest(db, _cfg([str(repo.path)]), day=DAY)
    [rd] = digest.repos
    assert rd.error is None
    shas = [e.commit.sha for e in rd.entries]
    assert shas == _git_log_day(repo)
    assert len(shas) == 4
    assert all(e.analysis.status.value == "heuristic" for e in rd.entries)
    assert rd.entries[0].commit.pr == 104 and rd.entries[0].commit.files


async def test_rerun_fetches_and_analyzes_nothing_twice(tmp_path):
    with FakeGitHub() as gh:
        gh.add_repo("acme/engine")
        start, _ = day_window(DAY, "UTC")
        gh.add_history(
            "acme/engine",
            30,
            files_per_commit=3,
            start=start + dt.timedelta(hours=1),
            step=dt.timedelta(minutes=20),
        )
        db = open_db(tmp_path / "d.db")
        cfg = PipelineConfig(repos=["acme/engine"], source=SourceConfig(github_api_url=gh.url))
        first = await run_digest(db, cfg, day=DAY)
        details_cold = len(gh.requests_to(r"^/repos/acme/engine/commits/[0-9a-f]{40}$"))
        requests_cold = len(gh.log)
        second = await run_digest(db, cfg, day=DAY)
        details_warm = len(gh.requests_to(r"^/repos/acme/engine/commits/[0-9a-f]{40}$")) - details_cold
        requests_warm = len(gh.log) - requests_cold
    assert first.repos[0].stats()["total"] == 30 == second.repos[0].stats()["total"]
    assert details_cold == 30 and details_warm == 0
    assert requests_warm <= 3, f"warm run made {requests_warm} requests"
    assert [
        r.status for r in gh.log[requests_cold:] if "/commits" in r.path and "/commits/" not in r.path
    ] == [304]
    assert db.execute("select count(*) from commits").fetchone()[0] == 30
    assert db.execute("select count(*) from analyses").fetchone()[0] == 30


async def test_cursor_catches_a_late_pushed_old_dated_commit(tmp_path):
    repo = _busy_clone(tmp_path)
    db = open_db(tmp_path / "d.db")
    cfg = _cfg([str(repo.path)])
    first = await run_digest(db, cfg, target="C1")
    seen = {e.commit.sha for e in first.repos[0].entries}
    # A commit dated three days ago lands on the branch after the digest.
    late = repo.commit(
        "Fix race in scheduler (#200)", {"python/pkg/sched.py": "fixed\n"}, date="2026-01-21T08:00:00+00:00"
    )
    second = await run_digest(db, cfg, target="C1")
    assert [e.commit.sha for e in second.repos[0].entries] == [late]
    assert late not in seen
    third = await run_digest(db, cfg, target="C1")
    assert third.repos[0].entries == []
    # Another target has its own cursor; its first run reads yesterday's window (these commits are older).
    key = str(repo.path)  # a local clone is known by its absolute path
    assert get_cursor(db, key, "terminal") is None
    other = await run_digest(db, cfg, target="terminal")
    assert other.repos[0].entries == []
    assert get_cursor(db, key, "terminal").sha == late == get_cursor(db, key, "C1").sha


async def test_cursor_with_github_compare_and_merge(tmp_path):
    with FakeGitHub() as gh:
        gh.add_repo("acme/engine")
        gh.add_history("acme/engine", 3)
        db = open_db(tmp_path / "d.db")
        cfg = PipelineConfig(repos=["acme/engine"], source=SourceConfig(github_api_url=gh.url))
        await run_digest(db, cfg, target="C1")
        old = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
        late = gh.add_commit("acme/engine", "Backport fix (#9)", committed_at=old)
        second = await run_digest(db, cfg, target="C1")
        assert [e.commit.sha for e in second.repos[0].entries] == [late.sha]
        assert gh.requests_to(r"/compare/")


async def test_missing_repository_is_reported_and_others_continue(tmp_path):
    repo = _busy_clone(tmp_path)
    with FakeGitHub() as gh:
        db = open_db(tmp_path / "d.db")
        cfg = _cfg(["acme/nope", str(repo.path)], source=SourceConfig(github_api_url=gh.url))
        digest = await run_digest(db, cfg, day=DAY)
    missing, ok = digest.repos
    assert missing.error and "not found" in missing.error and "acme/nope" in missing.error
    assert ok.error is None and len(ok.entries) == 4
    assert last_run(db, "acme/nope").status.value == "error"


async def test_exhausted_rate_limit_lists_everything_and_the_next_run_completes_it(tmp_path):
    with FakeGitHub(rate_limit=4, reset_in=3600) as gh:
        gh.add_repo("acme/engine")
        made = gh.add_history("acme/engine", 8, start=day_window(DAY, "UTC")[0])
        db = open_db(tmp_path / "d.db")
        cfg = PipelineConfig(repos=["acme/engine"], source=SourceConfig(github_api_url=gh.url))
        digest = await run_digest(db, cfg, day=DAY)
        spent = len(gh.log)
        [rd] = digest.repos
        # every commit of the day is listed; those whose diffs could not be read are pending, not lost
        assert rd.error is None and {e.commit.sha for e in rd.entries} == {c.sha for c in made}
        unread = [e for e in rd.entries if not e.commit.files]
        assert unread and all(e.analysis.status.value == "pending" for e in unread)
        assert all(e.analysis.status.value == "heuristic" for e in rd.entries if e.commit.files)
        [alert] = digest.alerts
        assert "rate limit" in alert.lower() and "resets at" in alert and f"{len(unread)} commits" in alert
        # the budget, plus at most one refused request per concurrent fetch: no retry loop
        assert spent <= 4 + FETCH_CONCURRENCY
        assert get_repository(db, "acme/engine").rate_limit_remaining == 0

        gh.rate_remaining = 5000  # the limit resets
        again = await run_digest(db, cfg, day=DAY)
    [rd] = again.repos
    assert not again.alerts and len(rd.entries) == 8
    assert all(e.commit.files and e.analysis.status.value == "heuristic" for e in rd.entries)
    assert db.execute("select count(*) from commits").fetchone()[0] == 8
    assert analysis_counts(db, "acme/engine") == {"heuristic": 8}


async def test_commits_left_unread_by_the_rate_limit_are_healed_by_the_next_scheduled_run(tmp_path):
    with FakeGitHub(rate_limit=4, reset_in=3600) as gh:
        gh.add_repo("acme/engine")
        recent = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        made = [
            gh.add_commit("acme/engine", f"Fix bug {i}", committed_at=recent + dt.timedelta(minutes=i))
            for i in range(6)
        ]
        db = open_db(tmp_path / "d.db")
        cfg = PipelineConfig(repos=["acme/engine"], source=SourceConfig(github_api_url=gh.url))
        first = await run_digest(db, cfg, target="C1")
        assert len(first.repos[0].entries) == 6 and first.alerts
        assert analysis_counts(db, "acme/engine").get("pending")
        gh.rate_remaining = 5000
        second = await run_digest(db, cfg, target="C1")
    assert second.repos[0].entries == [] and not second.alerts  # nothing new to report, nothing repeated
    assert analysis_counts(db, "acme/engine") == {"heuristic": 6}
    assert all(stored_commit(db, "acme/engine", c.sha) is not None for c in made)  # read in detail


async def test_binary_non_utf8_and_3000_file_commits(tmp_path):
    with FakeGitHub() as gh:
        gh.add_repo("acme/engine")
        start, _ = day_window(DAY, "UTC")
        gh.add_commit(
            "acme/engine",
            "Add logo and latin-1 fixture",
            committed_at=start + dt.timedelta(hours=2),
            files=[
                FakeFile("docs/logo.png", "added", 0, 0, None),
                FakeFile("tests/data/caf\u00e9.txt", "added", 1, 0, "@@ -0,0 +1 @@\n+caf\ufffd \x00 \u202e"),
            ],
        )
        gh.add_commit(
            "acme/engine",
            "Vendor the world (#7)",
            committed_at=start + dt.timedelta(hours=3),
            files=make_files(3500, prefix="third_party/lib/f"),
        )
        db = open_db(tmp_path / "d.db")
        cfg = PipelineConfig(repos=["acme/engine"], source=SourceConfig(github_api_url=gh.url))
        digest = await run_digest(db, cfg, day=DAY)
    big, small = digest.repos[0].entries
    assert len(big.commit.files) == 3000 and big.commit.files_truncated
    assert small.commit.files[0].binary and small.commit.files[0].patch is None
    stored = stored_commit(db, "acme/engine", big.commit.sha)
    assert stored.total_files >= 3000 and stored.files_truncated is True


def test_cli_run_json_show_and_status(tmp_path, monkeypatch):
    repo = _busy_clone(tmp_path)
    monkeypatch.setenv("DIGEST_TIMEZONE", SHANGHAI)
    runner = CliRunner()
    res = runner.invoke(main, ["run", "--repo", str(repo.path), "--date", "2026-01-24", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    [r] = data["repos"]
    assert [c["sha"] for c in r["commits"]] == _git_log_day(repo)
    assert r["stats"]["total"] == 4 == sum(r["stats"][k] for k in ("high", "medium", "low"))
    for key in (
        "sha",
        "title",
        "author",
        "committed_at",
        "importance",
        "analysis_status",
        "change_type",
        "summary",
        "pr",
    ):
        assert key in r["commits"][0]
    assert set(data["usage"]) >= {"llm_calls", "prompt_tokens", "completion_tokens"}

    sha = r["commits"][0]["sha"]
    shown = runner.invoke(main, ["show", sha[:9]])
    assert shown.exit_code == 0 and sha[:7] in shown.output
    assert runner.invoke(main, ["show", "zzzzzzz"]).exit_code != 0
    assert "at least 7" in runner.invoke(main, ["show", "abc"]).output
    unknown = runner.invoke(main, ["show", "0000000"])
    assert unknown.exit_code != 0 and "no commit 0000000" in unknown.output

    out = tmp_path / "reports"
    res = runner.invoke(
        main,
        ["run", "--repo", str(repo.path), "--date", "2026-01-24", "--format", "markdown", "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    archived = out / "2026" / "upstream" / "2026-01-24.md"
    assert archived.read_text(encoding="utf-8") + "\n" == res.stdout

    status = runner.invoke(main, ["status"])
    assert status.exit_code == 0 and "upstream" in status.output and "heuristic" in status.output


def test_cli_show_lists_ambiguous_candidates(tmp_path):
    db = open_db(tmp_path / "digest.db")
    for tail in ("0" * 33, "f" * 33):
        commit = Commit(
            "o/r", "abcdef1" + tail, f"t{tail[0]}\n\nm", "", dt.datetime(2026, 1, 24, tzinfo=dt.UTC)
        )
        save_commit(db, commit, detailed=False)
    res = CliRunner().invoke(main, ["show", "abcdef1"])
    assert res.exit_code != 0
    assert "matches 2 commits" in res.output and "abcdef10000" in res.output and "abcdef1ffff" in res.output


def test_cli_rejects_bad_settings_and_dates(monkeypatch):
    monkeypatch.setenv("DIGEST_TIMEZONE", "Nowhere/City")
    res = CliRunner().invoke(main, ["run", "--repo", "a/b"])
    assert res.exit_code != 0 and "DIGEST_TIMEZONE" in res.output
    monkeypatch.delenv("DIGEST_TIMEZONE")
    res = CliRunner().invoke(main, ["run", "--repo", "a/b", "--date", "24/01/2026"])
    assert res.exit_code != 0 and "YYYY-MM-DD" in res.output
    res = CliRunner().invoke(main, ["run"])
    assert res.exit_code != 0 and "DIGEST_REPOS" in res.output


def test_console_script_is_installed():
    script = (
        Path(sys.executable).parent / "commit-digest"
    )  # installed beside the interpreter running the tests
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "run" in out.stdout


@pytest.mark.parametrize("bad", ["", "   ", "xyz", "g" * 40, "1" * 41])
def test_lookup_parse_rejects_malformed(bad):
    from analysis.lookup import parse_query

    assert isinstance(parse_query(bad), str)


def test_lookup_parse_accepts_urls():
    from analysis.lookup import parse_query

    sha = "2c2c4e446b99c529896b3377b24e1b48b6a52e61"
    q = parse_query(f"https://github.com/sgl-project/sglang/commit/{sha}")
    assert q.prefix == sha and q.repo == "sgl-project/sglang"
    q = parse_query(f"<https://github.com/sgl-project/sglang/pull/14668/commits/{sha[:10]}>")
    assert q.prefix == sha[:10]

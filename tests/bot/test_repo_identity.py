"""One repository, one identity: however a repository is written, it is read, stored and reported once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.subscriptions import UsageError, parse_subscribe
from storage import migrations
from storage.db import open_db
from tests.fakes.github import FakeGitHub
from tests.gitrepo import GitRepo

WHEN = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
DAY = WHEN.date().isoformat()


@pytest.fixture
def gh(monkeypatch):
    with FakeGitHub() as fake:
        fake.add_repo("acme/proj")
        fake.add_commit("acme/proj", "Add the planner", committed_at=WHEN)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        yield fake


def _run(*args: str) -> tuple[int, dict, str]:
    res = CliRunner().invoke(main, ["run", "--format", "json", *args])
    return res.exit_code, (json.loads(res.stdout) if res.stdout.strip() else {}), res.stderr


def _repos(out: dict) -> list[str]:
    return [r["repo"] for r in out["repos"]]


def test_digest_repos_are_trimmed_deduplicated_and_clone_paths_resolved(gh, tmp_path, monkeypatch):
    clone = GitRepo(tmp_path / "clone")
    clone.commit("Local change", {"a.py": "x = 1\n"}, date=WHEN.isoformat())
    path = str(clone.path)
    monkeypatch.setenv("DIGEST_REPOS", f" acme/proj , acme/proj,\tacme/proj ,, {path} ,{path}/, ./clone ")
    code, out, err = _run("--date", DAY)
    assert code == 0, err
    assert _repos(out) == ["acme/proj", path]
    code, out, err = _run("--repo", "./clone", "--repo", "./clone/", "--date", DAY)
    assert code == 0 and _repos(out) == [path]


def test_github_names_are_one_repository_in_any_letter_case_or_form(gh, tmp_path):
    code, out, _ = _run("--repo", "acme/proj", "--repo", "ACME/proj", "--date", DAY)
    assert code == 0 and _repos(out) == ["acme/proj"]
    first = _run("--repo", "acme/proj")[1]
    assert [c["title"] for c in first["repos"][0]["commits"]] == ["Add the planner"]
    for form in (
        "ACME/Proj",
        "https://github.com/acme/proj",
        "git@github.com:acme/proj.git",
        "acme/proj.git",
        "acme/proj/",
    ):
        code, out, err = _run("--repo", form)
        assert code == 0, (form, err)
        assert _repos(out) == ["acme/proj"] and out["repos"][0]["commits"] == [], form  # reported once
    db = open_db(tmp_path / "digest.db")
    assert db.execute("select count(*) from analyses").fetchone()[0] == 1
    assert {r[0] for r in db.execute("select distinct repo from commits")} == {"acme/proj"}


def test_a_malformed_repository_exits_2_with_one_line(gh):
    res = CliRunner().invoke(main, ["run", "--repo", "https://github.com/acme"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    [line] = res.stderr.strip().splitlines()
    assert line.startswith("Error: --repo: 'https://github.com/acme' is neither owner/repo")


def test_subscriptions_take_one_name_per_repository():
    for form in (
        "ACME/Proj",
        "acme/proj.git",
        "https://github.com/Acme/proj/",
        "<https://github.com/acme/proj>",
    ):
        assert parse_subscribe("C1", [form]).repo == "acme/proj", form
    with pytest.raises(UsageError):
        parse_subscribe("C1", ["../etc"])


def test_the_migration_merges_rows_stored_under_names_differing_by_case(tmp_path, monkeypatch):
    path, every = tmp_path / "old.db", list(migrations.MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", every[:8])  # a database made before m009
    db = open_db(path)
    for repo, sha, title in (
        ("acme/proj", "a" * 40, "first"),
        ("ACME/proj", "a" * 40, "again"),
        ("Acme/Proj.git", "b" * 40, "only here"),
        ("/srv/Clone", "c" * 40, "a clone keeps its path"),
    ):
        db["commits"].insert({"repo": repo, "sha": sha, "title": title})
        db["analyses"].insert({"repo": repo, "sha": sha, "status": "done"})
        db["reported"].insert({"repo": repo, "target": "terminal", "sha": sha})
    db["subscriptions"].insert({"channel": "C1", "repo": "ACME/Proj", "created_at": "1"})
    db["subscriptions"].insert({"channel": "C1", "repo": "acme/proj", "created_at": "2"})
    db.conn.close()
    monkeypatch.setattr(migrations, "MIGRATIONS", every)
    db = open_db(path)
    rows = sorted((r["repo"], r["sha"][0], r["title"]) for r in db["commits"].rows)
    assert rows == [
        ("/srv/Clone", "c", "a clone keeps its path"),
        ("acme/proj", "a", "first"),
        ("acme/proj", "b", "only here"),
    ]
    assert db["analyses"].count == 3 and db["reported"].count == 3
    assert [(r["repo"], r["created_at"]) for r in db["subscriptions"].rows] == [("acme/proj", "1")]


def test_a_full_sha_in_a_fork_and_its_upstream_is_shown_not_called_ambiguous(gh):
    gh.add_repo("fork/proj")
    sha = next(iter(gh.repos["acme/proj"].commits))
    gh.add_commit("fork/proj", "Add the planner in the fork", committed_at=WHEN, sha=sha)
    assert _run("--repo", "acme/proj", "--repo", "fork/proj", "--date", DAY)[0] == 0
    runner = CliRunner()
    plain = runner.invoke(main, ["show", sha])
    assert plain.exit_code == 0 and "give more characters" not in plain.output
    assert "Add the planner" in plain.stdout and f"{sha} is also in fork/proj" in plain.stderr
    for repo, title in (
        ("acme/proj", "Add the planner"),
        ("FORK/proj", "Add the planner in the fork"),
        ("https://github.com/fork/proj.git", "Add the planner in the fork"),
    ):
        picked = runner.invoke(main, ["show", sha, "--repo", repo, "--format", "json"])
        assert picked.exit_code == 0, picked.output
        assert json.loads(picked.stdout)["title"] == title and "also in" not in picked.stderr
    prefix = runner.invoke(main, ["show", sha[:10]])
    assert prefix.exit_code == 0 and "also in fork/proj" in prefix.stderr


def test_a_commit_patch_or_diff_url_is_a_commit_url(gh):
    sha = next(iter(gh.repos["acme/proj"].commits))
    for suffix in (".patch", ".diff", ""):
        res = CliRunner().invoke(
            main, ["show", f"https://github.com/acme/proj/commit/{sha}{suffix}", "--repo", "acme/proj"]
        )
        assert res.exit_code == 0 and "Add the planner" in res.stdout, (suffix, res.output)


def test_the_room_of_a_large_patch_is_given_back_after_it_is_dropped(tmp_path):
    clone = GitRepo(tmp_path / "big")
    text = "".join(f"line {i} of a large generated text file, long enough to weigh\n" for i in range(80_000))
    clone.commit("Add a large text file", {"data/big.txt": text}, date=WHEN.isoformat())
    res = CliRunner().invoke(main, ["run", "--repo", str(clone.path), "--date", DAY])
    assert res.exit_code == 0, res.output
    db_file = tmp_path / "digest.db"
    db = open_db(db_file)
    assert db.execute("select count(*) from files where patch is not null").fetchone()[0] == 0
    assert db.execute("PRAGMA freelist_count").fetchone()[0] < 64
    used = sum(p.stat().st_size for p in tmp_path.glob("digest.db*"))
    assert used < len(text) // 2  # a 5 MB patch leaves no 5 MB file (or WAL) behind

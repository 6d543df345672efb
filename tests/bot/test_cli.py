"""`commit-digest` as a user runs it: exit codes, stderr, -v anywhere, --version, warnings, show."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.gitrepo import GitRepo

DAY = "2026-01-24"


@pytest.fixture
def clone(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "upstream")
    repo.commit("Add the scheduler\n\nIt runs jobs.", {"src/a.py": "x = 1\n"}, date=f"{DAY}T03:00:00+00:00")
    return repo


def test_version_and_exit_codes_in_help():
    runner = CliRunner()
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("commit-digest, version ")
    for args in (["--help"], ["run", "--help"]):
        text = runner.invoke(main, args).output
        assert "Exit codes:" in text and "2  a usage error or a malformed setting" in text


def test_a_malformed_setting_exits_2_with_one_line(monkeypatch):
    monkeypatch.setenv("DIGEST_TIMEZONE", "Mars/Olympus")
    res = CliRunner().invoke(main, ["status"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr.strip().splitlines() == [
        "Error: invalid setting DIGEST_TIMEZONE: 'Mars/Olympus' is not an IANA time zone name (e.g. UTC, Asia/Shanghai)"
    ]
    assert CliRunner().invoke(main, ["run", "--date", "yesterday"]).exit_code == 2


def test_a_failed_repository_exits_1_names_it_on_stderr_and_prints_the_rest(clone, tmp_path):
    res = CliRunner().invoke(
        main, ["run", "--repo", str(clone.path), "--repo", str(tmp_path / "missing"), "--date", DAY]
    )
    assert res.exit_code == 1
    assert "Add the scheduler" in res.stdout  # the repository that could be read is still reported
    [line] = res.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "missing" in line
    ok = CliRunner().invoke(main, ["run", "--repo", str(clone.path), "--date", DAY])
    assert ok.exit_code == 0 and ok.stderr == ""


def _shown(level: int) -> bool:
    """Whether a record at `level` passes the stderr handler as configured by the last command."""
    record = logging.LogRecord("analysis.sources.github", level, __file__, 1, "retry", None, None)
    return all(h.filter(record) for h in logging.getLogger().handlers if h.filters)


@pytest.mark.parametrize(
    ("args", "info", "debug"),
    [
        (["status"], False, False),
        (["-v", "status"], True, False),
        (["status", "-v"], True, False),
        (["-v", "status", "--verbose"], True, True),
    ],
)
def test_verbose_counts_before_and_after_the_subcommand(args, info, debug):
    assert CliRunner().invoke(main, args).exit_code == 0, args
    assert (_shown(logging.INFO), _shown(logging.DEBUG), _shown(logging.WARNING)) == (info, debug, True)


def test_misspelled_variables_are_named_with_a_suggestion(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGEST_SCHEDUEL", "0 8 * * *")
    (tmp_path / ".env").write_text("SLACK_BOT_TOKN=xoxb-1\nDIGEST_TIMEZONE=UTC\n")
    res = CliRunner().invoke(main, ["status"])
    assert res.exit_code == 0
    assert (
        "DIGEST_SCHEDUEL is not a commit-digest setting and is ignored; did you mean DIGEST_SCHEDULE?"
        in res.stderr
    )
    assert (
        "SLACK_BOT_TOKN is not a commit-digest setting and is ignored; did you mean SLACK_BOT_TOKEN?"
        in res.stderr
    )
    assert "xoxb-1" not in res.stderr and "DIGEST_TIMEZONE" not in res.stderr


def test_show_prints_text_as_text_and_fetches_with_repo(clone):
    sha = clone.head()
    runner = CliRunner()
    malformed = runner.invoke(main, ["show", "xyz"])
    assert malformed.exit_code == 2 and "Invalid value for SHA" in malformed.stderr
    missing = runner.invoke(main, ["show", sha[:10]])
    assert missing.exit_code == 1 and "--repo" in missing.stderr
    fetched = runner.invoke(main, ["show", sha[:10], "--repo", str(clone.path)])
    assert fetched.exit_code == 0, fetched.output
    assert sha[:7] in fetched.stdout and "Add the scheduler" in fetched.stdout
    assert "<a id" not in fetched.stdout and "**" not in fetched.stdout
    cached = runner.invoke(main, ["show", sha[:10]])  # stored by the lookup: no --repo needed now
    markdown = runner.invoke(main, ["show", sha[:10], "--format", "markdown"])
    assert cached.exit_code == 0 and cached.stdout != markdown.stdout and "<a id" in markdown.stdout


def test_json_log_lines(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGEST_LOG_FORMAT", "json")
    monkeypatch.setenv("DIGEST_SCHEDUEL", "x")
    res = CliRunner().invoke(main, ["status"])
    [line] = [json.loads(x) for x in res.stderr.strip().splitlines()]
    assert line["level"] == "warning" and "DIGEST_SCHEDUEL" in line["message"] and "time" in line

"""The team's code against upstream interface changes: real upstream and consumer git repositories, a clone and the
GitHub fake's tarball, the index cached per head, and "Affects your code" in every format."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime

import pytest

from analysis.config import SourceConfig
from analysis.models import Analysis, AnalysisStatus, Commit, Digest, DigestEntry, Importance, RepoDigest
from analysis.report import render_json, render_markdown, render_text
from analysis.teamcode.affects import add_impact
from analysis.teamcode.config import parse_team_code, team_code
from analysis.teamcode.impact import Impact
from analysis.teamcode.radar import pinned_version
from analysis.teamcode.source import team_code_index
from analysis.teamcode.upstream import CloneReader
from bot.slack.blocks import digest_messages
from bot.slack.impact_blocks import impact_thread_messages
from storage.db import open_db
from tests.fakes.github import FakeGitHub
from tests.gitrepo import GitRepo

CORE_V1 = "def fetch(url, key=None):\n    return url\n\n\nclass Client:\n    def get(self, path):\n        return path\n"
CORE_V2 = "def fetch(url):\n    return url\n\n\nclass Client:\n    def get(self, path, *, timeout):\n        return path\n"
TEAM_APP = """\
from uplib import fetch as grab
import uplib.core


def run():
    try:
        from uplib.core import Client
    except ImportError:
        Client = None
    grab("x", key=1)
    return Client().get("/")


def other():
    return uplib.core.fetch("y")
"""


@pytest.fixture
def upstream(tmp_path):
    up = GitRepo(tmp_path / "uplib")
    up.commit("v1", {"uplib/__init__.py": "from uplib.core import fetch, Client\n", "uplib/core.py": CORE_V1})
    up.git("tag", "v1.0.0")
    up.commit("Drop key, make timeout required", {"uplib/core.py": CORE_V2}, date="2026-01-25T12:00:00+00:00")
    return up


@pytest.fixture
def team(tmp_path):
    repo = GitRepo(tmp_path / "ourapp")
    repo.commit(
        "app",
        {
            "ourapp/app.py": TEAM_APP,
            "ourapp/__init__.py": "",
            "requirements.txt": "uplib==1.0.0\nhttpx>=0.27\n",
        },
    )
    return repo


def _digest(upstream: GitRepo, lang: str = "en") -> Digest:
    sha = upstream.head()
    report = CloneReader(str(upstream.path)).report(sha)
    commit = Commit(
        str(upstream.path), sha, "Drop key", "Ada", datetime(2026, 1, 25, tzinfo=UTC), parents=[sha]
    )
    analysis = Analysis(sha, AnalysisStatus.HEURISTIC, Importance.HIGH)
    repo = RepoDigest(str(upstream.path), [DigestEntry(commit, analysis, interfaces=report)], display="uplib")
    return Digest("2026-01-25", "UTC", lang, [repo])


def test_a_clone_is_indexed_once_per_head_and_its_impact_shows_first_everywhere(tmp_path, upstream, team):
    db = open_db(tmp_path / "d.db")
    code = team_code("ours", str(team.path))
    first = asyncio.run(team_code_index(code, db, SourceConfig(git_fetch=False)))
    assert first.index is not None and not first.cached and first.head == team.head()
    again = asyncio.run(team_code_index(code, db, SourceConfig(git_fetch=False)))
    assert again.cached and again.index.to_dict() == first.index.to_dict()
    assert pinned_version(again.pin_files, ["uplib"]) == "1.0.0"
    digest = _digest(upstream)
    add_impact(digest, first.index)
    hits = {(i.object, i.direct): i for i in digest.repos[0].impact}
    fetch = hits[("uplib.core.fetch", True)]
    assert (
        "key" in fetch.change
        and ("ourapp/app.py", 10) in fetch.places
        and ("ourapp/app.py", 15) in fetch.places
    )
    owner = hits[
        ("uplib.core.Client.get", False)
    ]  # an instance's method: the class, through the guarded import
    assert ("ourapp/app.py", 7) in owner.places
    md = render_markdown(digest)
    assert md.index("Affects your code") < md.index("uplib") < md.index("Drop key")
    assert "`ourapp/app.py:10`" in md
    data = render_json(digest)["repos"][0]["impact"]
    assert {"sha", "object", "change", "direct", "places"} == set(data[0])
    assert data[0]["places"][0].keys() == {"file", "line"} and data[0]["sha"] == upstream.head()
    text = render_text(digest, color=False)
    assert "Affects your code" in text and "ourapp/app.py:10" in text
    team.commit("more", {"ourapp/extra.py": "from uplib import Client\n"})
    moved = asyncio.run(team_code_index(code, db, SourceConfig(git_fetch=False)))
    assert not moved.cached and moved.head == team.head()
    assert db.execute("select count(*) from team_indexes").fetchone()[0] == 1
    with db.conn:  # an index stored in an earlier form is built again, not read wrongly
        db.execute("update team_indexes set index_json = json_remove(index_json, '$.format')")
    rebuilt = asyncio.run(team_code_index(code, db, SourceConfig(git_fetch=False)))
    assert not rebuilt.cached and rebuilt.index is not None and "ourapp/app.py" in rebuilt.index.spans
    assert asyncio.run(team_code_index(code, db, SourceConfig(git_fetch=False))).cached


def test_nothing_met_gives_an_empty_list_and_no_section(tmp_path, upstream):
    digest = _digest(upstream)
    add_impact(digest, None)
    assert render_json(digest)["repos"][0]["impact"] == []
    assert "Affects your code" not in render_markdown(digest)


def test_the_github_fake_serves_a_tarball_through_a_redirect_and_the_index_matches_the_clone(tmp_path, team):
    db = open_db(tmp_path / "d.db")
    with FakeGitHub() as gh:
        gh.mirror("acme/ourapp", team.path)
        cfg = SourceConfig(github_api_url=gh.url)
        remote = asyncio.run(team_code_index(team_code(None, "acme/ourapp"), db, cfg))
        assert remote.name == "ourapp" and remote.index is not None and remote.head == team.head()
        assert [r.status for r in gh.requests_to("/tarball/")] == [302]
        assert [r.status for r in gh.requests_to("/_codeload/")] == [200]
        asyncio.run(team_code_index(team_code(None, "acme/ourapp"), db, cfg))
        assert len(gh.requests_to("/tarball/")) == 1  # the same head: the stored index
        gh.add_repo("acme/secret", private=True)
        denied = asyncio.run(team_code_index(team_code(None, "acme/secret"), db, cfg))
    local = asyncio.run(team_code_index(team_code("ours", str(team.path)), db, SourceConfig(git_fetch=False)))
    assert remote.index.refs["uplib"] == local.index.refs["uplib"]
    assert denied.index is None and len(denied.notes) == 1 and "acme/secret" in denied.notes[0]


def test_a_missing_path_or_a_folder_without_git_is_one_line(tmp_path):
    db = open_db(tmp_path / "d.db")
    (tmp_path / "plain").mkdir()
    for where in (tmp_path / "gone", tmp_path / "plain"):
        out = asyncio.run(team_code_index(team_code("x", str(where)), db, SourceConfig(git_fetch=False)))
        assert (
            out.index is None
            and len(out.notes) == 1
            and "\n" not in out.notes[0]
            and str(where) in out.notes[0]
        )


def _many(n: int, hostile: str = "") -> Digest:
    sha = "a" * 40
    commit = Commit("o/r", sha, "t", "Ada", datetime(2026, 1, 25, tzinfo=UTC))
    impacts = [
        Impact(
            f"up.mod{hostile}.f{k}",
            "param_removed",
            f"parameter `k{k}` removed {hostile}",
            k % 2 == 0,
            tuple((f"team/{hostile}file{k}.py", j + 1) for j in range(5)),
            sha,
        )
        for k in range(n)
    ]
    repo = RepoDigest("o/r", [DigestEntry(commit, Analysis(sha, AnalysisStatus.HEURISTIC, Importance.LOW))])
    repo.impact = impacts
    return Digest("2026-01-25", "UTC", "en", [repo])


def test_slack_keeps_a_short_section_on_top_and_the_details_in_thread_messages_within_limits():
    digest = _many(400)
    top = digest_messages(digest)[0]
    section = next(b for b in top.blocks if "Affects your code" in b.get("text", {}).get("text", ""))
    assert len(section["text"]["text"]) <= 1200 and "400 upstream changes" in section["text"]["text"]
    thread = impact_thread_messages(digest)
    assert len(thread) > 1
    for _text, blocks in thread:
        assert len(blocks) <= 50 and all(len(b["text"]["text"]) <= 3000 for b in blocks)
    lines = "\n".join(b["text"]["text"] for _t, bs in thread for b in bs)
    assert lines.count("and 2 more places") == 400


def test_untrusted_object_names_and_paths_never_link_mention_or_break_formatting():
    hostile = "[x](https://evil.example)<@U1>@channel*_|\n# h"
    digest = _many(1, hostile)
    md = render_markdown(digest)
    section = md[md.index("Affects your code") : md.index("<a id=")]
    items = [line for line in section.splitlines() if line.startswith("- ")]
    assert (
        len(items) == 1 and len(section.strip().splitlines()) == 3
    )  # one line: the newline did not break out
    outside = re.sub(r"`[^`]*`", "", items[0])
    assert not re.search(r"(?<!\\)\]\(", outside) and "<@" not in outside and "https://" not in outside
    slack = json.dumps([b for _t, bs in impact_thread_messages(digest) for b in bs])
    assert "<@U1>" not in slack and "@channel" not in slack


def test_the_setting_names_code_bases_and_rejects_bad_input(tmp_path):
    (tmp_path / "svc").mkdir()
    codes = parse_team_code(f" main={tmp_path}/svc/ , acme/tools, {tmp_path}/svc/../svc,acme/tools")
    assert list(codes) == ["main", "tools"]
    assert codes["main"].location == str(tmp_path / "svc") and codes["tools"].local is False
    for bad in ("x=not a repo", "a b=acme/x", "a=acme/x,a=acme/y", "a=acme/x,b=acme/x"):
        with pytest.raises(ValueError):
            parse_team_code(bad)


def test_the_cli_says_a_bad_setting_in_one_line_and_exits_2(monkeypatch):
    from click.testing import CliRunner

    from bot.cli import main

    monkeypatch.setenv("DIGEST_TEAM_CODE", "a=acme/x,a=acme/y")
    res = CliRunner().invoke(main, ["impact", "--since", "v1"])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "DIGEST_TEAM_CODE" in res.stderr and "two code bases" in res.stderr


def test_the_radar_starts_at_the_pinned_version_and_groups_by_symbol(tmp_path, monkeypatch, upstream, team):
    from click.testing import CliRunner

    from bot.cli import main

    monkeypatch.setenv("DIGEST_TEAM_CODE", f"ours={team.path}")
    monkeypatch.setenv("DIGEST_REPOS", str(upstream.path))
    monkeypatch.setenv("DIGEST_DB_PATH", str(tmp_path / "d.db"))
    monkeypatch.setenv("DIGEST_GIT_FETCH", "false")
    res = CliRunner().invoke(main, ["impact", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["since"] == "1.0.0" and data["base"] == upstream.head("v1.0.0") and data["commits"] == 1
    fetch = next(s for s in data["symbols"] if s["object"] == "uplib.core.fetch")
    assert fetch["direct"] and fetch["changes"][0]["sha"] == upstream.head()
    assert {"file": "ourapp/app.py", "line": 10} in fetch["places"]
    text = CliRunner().invoke(main, ["impact", "--since", upstream.head()])
    assert text.exit_code == 0 and "No interface change" in text.stdout
    unknown = CliRunner().invoke(main, ["impact", "--since", "v9.9"])
    assert unknown.exit_code == 1 and len(unknown.stderr.strip().splitlines()) == 1
    wrong = CliRunner().invoke(main, ["impact", "--code", "theirs"])
    assert wrong.exit_code == 2 and "known: ours" in wrong.stderr


def test_a_channel_picks_a_named_code_base_and_never_a_path(tmp_path, team):
    from bot.settings import load_settings
    from bot.team_code import chosen_code, uses_answer

    settings = load_settings(
        digest_team_code=f"ours={team.path},acme/tools", digest_db_path=str(tmp_path / "d.db")
    )
    db = open_db(tmp_path / "d.db")
    assert "`ours`" in uses_answer(settings, db, "C1", [])
    assert "`tools`" in uses_answer(settings, db, "C1", ["tools"])
    assert chosen_code(settings, db, "C1").name == "tools" and chosen_code(settings, db, "C2").name == "ours"
    refused = uses_answer(settings, db, "C1", [str(team.path)])
    assert "Known: `ours`, `tools`" in refused and chosen_code(settings, db, "C1").name == "tools"
    assert chosen_code(settings, db, None).name == "ours"  # the terminal and the default channel: the setting


def test_one_call_sets_the_impact_of_a_digest_from_the_team_code_at_its_head(tmp_path, upstream, team):
    from analysis.teamcode.affects import add_team_impact

    db = open_db(tmp_path / "d.db")
    digest = _digest(upstream)
    notes = asyncio.run(
        add_team_impact(digest, team_code("ours", str(team.path)), db, SourceConfig(git_fetch=False))
    )
    assert notes == [] and any(i.direct for i in digest.repos[0].impact)
    gone = asyncio.run(add_team_impact(digest, team_code("x", str(tmp_path / "nowhere")), db, SourceConfig()))
    assert len(gone) == 1 and digest.repos[0].impact == []


def test_a_run_shows_what_touches_the_team_code_end_to_end(monkeypatch, upstream, team):
    from click.testing import CliRunner

    from bot.cli import main

    monkeypatch.setenv("DIGEST_TIMEZONE", "UTC")
    monkeypatch.setenv("DIGEST_TEAM_CODE", f"ours={team.path}")
    args = ["run", "--repo", str(upstream.path), "--date", "2026-01-25", "--format", "json"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    [repo] = json.loads(res.stdout)["repos"]
    [commit] = repo["commits"]
    assert {"object": "uplib.core.fetch", "kind": "param_removed"} in [
        {k: c[k] for k in ("object", "kind")} for c in commit["interface_changes"]
    ]
    direct = [i for i in repo["impact"] if i["direct"]]
    assert direct and all(i["sha"] == commit["sha"] for i in repo["impact"])
    assert {"file": "ourapp/app.py", "line": 10} in [p for i in direct for p in i["places"]]
    text = CliRunner().invoke(main, args[:-2])
    assert text.exit_code == 0 and text.stdout.index("ourapp/app.py") < text.stdout.index("Drop key")
    monkeypatch.setenv("DIGEST_INTERFACES", "false")
    off = json.loads(CliRunner().invoke(main, args).stdout)["repos"][0]
    assert off["impact"] == [] and off["commits"][0]["interface_changes"] == []

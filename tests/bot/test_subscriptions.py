"""Per-channel subscriptions: parsing, storage, seeding, and what each channel sees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis.models import (
    Analysis,
    AnalysisStatus,
    Commit,
    Digest,
    DigestEntry,
    FileChange,
    Importance,
    RepoDigest,
)
from bot import subscriptions as subs
from bot.settings import load_settings
from bot.subscriptions import Subscription, UsageError, filter_digest, glob_match, parse_subscribe
from storage.db import open_db


def entry(
    sha: str, title: str, importance: Importance, paths: list[str], author: str = "Ada", login: str = "ada"
):
    commit = Commit(
        repo="sgl-project/sglang",
        sha=sha * 40,
        message=title,
        author_name=author,
        author_login=login,
        committed_at=datetime(2026, 1, 24, tzinfo=UTC),
        files=[FileChange(p) for p in paths],
    )
    return DigestEntry(commit, Analysis(commit.sha, AnalysisStatus.HEURISTIC, importance))


def digest() -> Digest:
    entries = [
        entry(
            "a",
            "[MoE] faster dispatch (#1)",
            Importance.HIGH,
            ["python/sglang/srt/layers/moe/ep/dispatch.py"],
        ),
        entry("b", "Docs: fix typo (#2)", Importance.LOW, ["docs/index.md"]),
        entry("c", "[Auto Sync] Update tests (20260124) (#3)", Importance.MEDIUM, ["test/srt/test_moe.py"]),
        entry(
            "d",
            "Attention refactor (#4)",
            Importance.MEDIUM,
            ["python/sglang/srt/layers/attention/fa.py"],
            "Bot",
            "sync-bot",
        ),
    ]
    return Digest(
        date="2026-01-24",
        timezone="UTC",
        repos=[
            RepoDigest("sgl-project/sglang", entries),
            RepoDigest("other/repo", [entry("e", "x", Importance.HIGH, ["a"])]),
        ],
    )


def titles(d: Digest) -> list[str]:
    return [e.commit.title for r in d.repos for e in r.entries]


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("python/sglang/srt/layers/moe/ep.py", "python/sglang/srt/layers/moe/**", True),
        ("python/sglang/srt/layers/moe/ep/deep/x.py", "python/sglang/srt/layers/moe/**", True),
        ("python/sglang/srt/layers/attention/fa.py", "python/sglang/srt/layers/moe/**", False),
        ("docs/guide/index.md", "*.md", True),
        ("src/a/b.py", "src/*.py", False),
        ("src/b.py", "src/*.py", True),
        ("src/deep/er/b.py", "src/**/b.py", True),
        ("src/b.py", "src/**/b.py", True),
        ("kernel/moe.cu", "kernel/", True),
        ("kernels/moe.cu", "kernel/", False),
    ],
)
def test_glob_match(path: str, pattern: str, expected: bool) -> None:
    assert glob_match(path, pattern) is expected


def test_parse_subscribe_reads_every_option() -> None:
    args = subs.split_args(
        "sgl-project/sglang paths=python/sglang/srt/layers/moe/**,docs/ min=Medium "
        "exclude-authors=sync-bot,“Lianmin Zheng” exclude-titles=“[Auto Sync]”"
    )
    sub = parse_subscribe("C1", args)
    assert sub.repo == "sgl-project/sglang"
    assert sub.paths == ["python/sglang/srt/layers/moe/**", "docs/"]
    assert sub.min_importance is Importance.MEDIUM
    assert sub.exclude_authors == ["sync-bot", "Lianmin Zheng"]
    assert sub.exclude_titles == ["[Auto Sync]"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Usage"),
        ("not-a-repo", "not owner/repo"),
        ("../../etc/passwd", "not owner/repo"),
        ("o/r min=urgent", "min must be"),
        ("o/r color=red", "Unknown option"),
        ("o/r paths", "not key=value"),
        ('o/r exclude-titles="[Auto', "Cannot read"),
    ],
)
def test_parse_subscribe_rejects_bad_usage(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_subscribe("C1", subs.split_args(text))


def test_subscribe_list_unsubscribe_round_trip(tmp_path) -> None:
    db = open_db(tmp_path / "d.db")
    subs.subscribe(db, parse_subscribe("C1", ["o/a", "paths=src/**", "min=high"]), user="U1")
    subs.subscribe(db, Subscription("C1", "o/b"))
    subs.subscribe(db, Subscription("C2", "o/a"))
    subs.subscribe(db, parse_subscribe("C1", ["o/a", "min=medium"]))  # replaces the earlier one
    got = subs.channel_subscriptions(db, "C1")
    assert [(s.repo, s.paths, s.min_importance) for s in got] == [
        ("o/a", [], Importance.MEDIUM),
        ("o/b", [], Importance.LOW),
    ]
    assert subs.subscribed_channels(db) == ["C1", "C2"]
    assert subs.unsubscribe(db, "C1", "o/a") is True
    assert subs.unsubscribe(db, "C1", "o/a") is False
    assert [s.repo for s in subs.channel_subscriptions(db, "C1")] == ["o/b"]


def test_seed_subscribes_the_digest_channel_once_and_keeps_filters(tmp_path) -> None:
    db = open_db(tmp_path / "d.db")
    settings = load_settings(digest_channel="C9", digest_repos="o/a,o/b")
    assert subs.seed(db, settings) == 2
    subs.subscribe(db, parse_subscribe("C9", ["o/a", "min=high"]))
    assert subs.seed(db, settings) == 0
    got = {s.repo: s.min_importance for s in subs.channel_subscriptions(db, "C9")}
    assert got == {"o/a": Importance.HIGH, "o/b": Importance.LOW}
    assert subs.seed(db, load_settings(digest_repos="o/c")) == 0  # no DIGEST_CHANNEL, nothing to seed


def test_filter_by_paths() -> None:
    sub = Subscription("C1", "sgl-project/sglang", paths=["python/sglang/srt/layers/moe/**", "test/**/*moe*"])
    assert titles(filter_digest(digest(), [sub])) == [
        "[MoE] faster dispatch (#1)",
        "[Auto Sync] Update tests (20260124) (#3)",
    ]


def test_filter_by_min_importance_and_authors_and_titles() -> None:
    d = digest()
    assert titles(
        filter_digest(d, [Subscription("C1", "sgl-project/sglang", min_importance=Importance.MEDIUM)])
    ) == [
        "[MoE] faster dispatch (#1)",
        "[Auto Sync] Update tests (20260124) (#3)",
        "Attention refactor (#4)",
    ]
    sub = Subscription(
        "C1", "sgl-project/sglang", exclude_authors=["SYNC-BOT"], exclude_titles=["[auto sync]"]
    )
    assert titles(filter_digest(d, [sub])) == ["[MoE] faster dispatch (#1)", "Docs: fix typo (#2)"]


def test_filter_keeps_only_subscribed_repositories_and_leaves_the_digest_alone() -> None:
    d = digest()
    seen = filter_digest(d, [Subscription("C1", "other/repo")])
    assert [r.repo for r in seen.repos] == ["other/repo"]
    assert len(d.repos) == 2 and len(d.repos[0].entries) == 4  # every commit stays for other channels


def test_a_local_clone_subscription_matches_by_its_path(tmp_path, monkeypatch) -> None:
    clone = tmp_path / "sglang"
    clone.mkdir()
    d = digest()
    d.repos[0].repo = str(clone)  # a clone is known by its absolute path, shown by its folder name
    d.repos[0].display = "sglang"
    assert len(filter_digest(d, [Subscription("C1", str(clone))]).repos[0].entries) == 4
    monkeypatch.chdir(tmp_path)
    assert len(filter_digest(d, [Subscription("C1", "./sglang")]).repos[0].entries) == 4
    other = tmp_path / "elsewhere" / "sglang"
    other.mkdir(parents=True)
    assert filter_digest(d, [Subscription("C1", str(other))]).repos == []

"""Lineage in the product: reverts and fixes of real git commits linked in the store, both ways, shown on cards."""

from __future__ import annotations

import json

from click.testing import CliRunner

from analysis.lookup import lookup_cached
from analysis.state import Delivery, DeliveryStatus
from analysis.store.deliveries import save_delivery
from bot.cli import main
from bot.slack.blocks import card_ephemeral_blocks
from bot.slack.unfurl import unfurl_card
from storage.db import open_db
from tests.gitrepo import GitRepo, git_env

DAY1, DAY2 = "2026-01-20", "2026-01-21"


def _history(tmp_path) -> tuple[GitRepo, dict[str, str]]:
    """Day 1: a feature and a cache; day 2: `git revert` of the feature and a fix naming the cache's PR."""
    repo = GitRepo(tmp_path / "up")
    repo.commit("Initial import", {"README.md": "hi\n"}, date="2026-01-10T08:00:00+00:00")
    shas = {
        "feature": repo.commit(
            "Add fast <!channel> kernel (#10)",
            {"pkg/kernel.py": "def k():\n    return 1\n"},
            date=f"{DAY1}T09:00:00+00:00",
        ),
        "cache": repo.commit(
            "Add plan cache (#11)", {"pkg/cache.py": "CACHE = {}\n"}, date=f"{DAY1}T10:00:00+00:00"
        ),
    }
    stamp = f"{DAY2}T09:00:00+00:00"
    env = git_env(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    repo.git("revert", "--no-edit", shas["feature"], env=env)
    shas["revert"] = repo.head()
    shas["fix"] = repo.commit(
        "Fix stale plans (#12)\n\nFixes a regression from #11: the cache kept old plans.",
        {"pkg/cache.py": "CACHE = {}\nCACHE.clear()\n"},
        date=f"{DAY2}T11:00:00+00:00",
    )
    return repo, shas


def _run(repo: GitRepo, day: str, fmt: str) -> str:
    res = CliRunner().invoke(main, ["run", "--repo", str(repo.path), "--date", day, "--format", fmt])
    assert res.exit_code == 0, res.output
    return res.stdout


def _commits(out: str) -> dict[str, dict]:
    [r] = json.loads(out)["repos"]
    return {c["sha"]: c for c in r["commits"]}


def test_revert_stored_before_its_original_is_linked_both_ways(tmp_path):
    repo, s = _history(tmp_path)
    day2 = _commits(_run(repo, DAY2, "json"))  # the revert first: its original is not stored yet
    assert day2[s["revert"]]["reverts"] is None
    day1 = _commits(_run(repo, DAY1, "json"))  # the original stored later: the link is made now
    assert day1[s["feature"]]["reverted_by"] == s["revert"]
    assert day1[s["feature"]]["reverts"] is None and day1[s["feature"]]["follows_up"] == []
    assert day1[s["cache"]]["followed_up_by"] == [s["fix"]]
    day2 = _commits(_run(repo, DAY2, "json"))
    assert day2[s["revert"]]["reverts"] == s["feature"]
    assert day2[s["fix"]]["follows_up"] == [s["cache"]] and day2[s["fix"]]["reverted_by"] is None

    md = _run(repo, DAY1, "markdown")
    assert f"Reverted on {DAY2} by {s['revert'][:7]}" in md
    assert "<!channel>" not in md.split("Reverted on", 1)[1].split("\n", 1)[0]
    md2 = _run(repo, DAY2, "markdown")
    assert "1 revert of an earlier change" in md2 and "1 fix of an earlier change" in md2
    text = _run(repo, DAY1, "text")
    assert f"Reverted on {DAY2} by {s['revert'][:7]}" in text


def test_the_cards_name_the_revert_and_where_the_original_was_announced(tmp_path):
    repo, s = _history(tmp_path)
    _run(repo, DAY1, "json")
    db = open_db(tmp_path / "digest.db")
    save_delivery(
        db, Delivery(channel="C0ANNOUNCE", date=DAY1, status=DeliveryStatus.POSTED, shas=[s["feature"]])
    )
    _run(repo, DAY2, "json")

    revert = lookup_cached(db, s["revert"]).entry
    assert revert is not None and revert.lineage.reverts is not None
    assert (revert.lineage.reverts.channel, revert.lineage.reverts.day) == ("C0ANNOUNCE", DAY1)
    msg = card_ephemeral_blocks(revert)
    text = json.dumps(msg.blocks)
    assert "Reverts " + s["feature"][:7] in text and "announced in <#C0ANNOUNCE> on 2026-01-20" in text
    assert "<!channel>" not in text  # the original's title is untrusted text

    original = lookup_cached(db, s["feature"]).entry
    assert original is not None and original.lineage.reverted_by is not None
    answer = json.dumps(card_ephemeral_blocks(original).blocks)
    assert f"Reverted on {DAY2} by {s['revert'][:7]}" in answer
    unfurl = json.dumps(unfurl_card(original))
    assert f"Reverted on {DAY2} by {s['revert'][:7]}" in unfurl
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in msg.blocks)


def test_the_week_lists_attention_and_what_followed_it(tmp_path):
    repo, s = _history(tmp_path)
    _run(repo, DAY1, "json")
    _run(repo, DAY2, "json")
    db = open_db(tmp_path / "digest.db")
    db.execute(  # the day's overview said the feature needed attention
        "update overviews set body = json_set(body, '$.attention', json(?)) where date = ?",
        [json.dumps([{"text": "New <!here> kernel default", "commits": [s["feature"]]}]), DAY1],
    )
    db.conn.commit()
    res = CliRunner().invoke(
        main,
        [
            "week",
            "--repo",
            str(repo.path),
            "--week",
            DAY1,
            "--format",
            "json",
            "--out",
            str(tmp_path / "arch"),
        ],
    )
    assert res.exit_code == 0, res.output
    [w] = json.loads(res.stdout)["repos"]
    assert w["week"] == "2026-W04" and w["counts"]["total"] == 4
    day1 = [(a["outcome"], a["by"]) for a in w["attention"] if a["day"] == DAY1]
    assert day1 == [("reverted", s["revert"])]
    assert [d["day"] for d in w["days"]] == [DAY1, DAY2] and w["source"] == "heuristic"
    md = list((tmp_path / "arch").rglob("week-2026-W04.md"))
    assert len(md) == 1 and md[0].parent.name == "up"
    text = md[0].read_text()
    assert f"reverted by `{s['revert'][:7]}`" in text and "<!here>" not in text


async def test_one_model_call_per_repository_week_and_none_when_cached(tmp_path):
    import datetime as dt

    from analysis.config import LLMConfig, PipelineConfig
    from analysis.pipeline import run_digest
    from analysis.weekly.run import run_week
    from tests.fakes.chat import WEEK_MARKER, ChatServer

    repo, s = _history(tmp_path)
    db = open_db(tmp_path / "w.db")
    with ChatServer() as server:
        llm = LLMConfig(api_key="sk-test", model="test-model", base_url=server.base_url, timeout=10.0)
        cfg = PipelineConfig(repos=[str(repo.path)], llm=llm)
        for day in (DAY1, DAY2):
            await run_digest(db, cfg, day=dt.date.fromisoformat(day))
        [week] = await run_week(db, cfg, "2026-W04")
        [again] = await run_week(db, cfg, "2026-W04")
        asked = [r for r in server.requests if WEEK_MARKER in r.user_text]
    assert len(asked) == 1 and "<week-data>" in asked[0].user_text
    assert week.overview.source == "llm" and week.overview.headline == "A week of kernels."
    assert again.overview == week.overview and week.overview.counts["total"] == 4

"""The notes on what a local clone lacks (shallow, partial, not fetched) speak the digest's language."""

from __future__ import annotations

import datetime as dt
import shutil

from analysis.config import PipelineConfig
from analysis.pipeline import run_digest
from bot.slack.blocks import digest_messages
from storage.db import open_db
from tests.chinese import english_words
from tests.gitrepo import GitRepo

WHEN = "2026-01-24T03:00:00+00:00"


def _upstream(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "upstream")
    repo.commit("初始化", {"README.md": "说明\n"}, date="2026-01-24T01:00:00+00:00")
    repo.commit("新增调度器", {"src/core.py": "x = 1\n"}, date="2026-01-24T02:00:00+00:00")
    repo.commit("修复调度器", {"src/core.py": "x = 2\n"}, date=WHEN)
    repo.git("config", "uploadpack.allowFilter", "true")
    return repo


async def test_a_chinese_digest_of_a_shallow_and_a_blobless_clone_has_no_english_notes(tmp_path):
    upstream = _upstream(tmp_path)
    shallow, blobless = tmp_path / "shallow", tmp_path / "blobless"
    upstream.git("clone", "-q", "--depth", "2", f"file://{upstream.path}", str(shallow))
    upstream.git("clone", "-q", "--filter=blob:none", f"file://{upstream.path}", str(blobless))
    shutil.rmtree(upstream.path)  # neither clone can fetch now
    db = open_db(tmp_path / "d.db")
    for language in ("zh", "en"):
        cfg = PipelineConfig(repos=[str(shallow), str(blobless)], language=language)
        digest = await run_digest(db, cfg, day=dt.date(2026, 1, 24))
        notes = {rd.display: " ".join(rd.notes) for rd in digest.repos}
        if language == "en":
            assert "shallow clone" in notes["shallow"] and "could not fetch origin" in notes["shallow"]
            assert "partial clone" in notes["blobless"] and "could not fetch origin" in notes["blobless"]
            continue
        assert "浅克隆" in notes["shallow"] and "无法拉取 origin" in notes["shallow"]
        assert "部分克隆" in notes["blobless"] and "无法拉取 origin" in notes["blobless"]
        for text in notes.values():
            assert english_words(text, ["shallow", "blobless", "origin"]) == set(), text
        slack = " ".join(m.text + str(m.blocks) for m in digest_messages(digest))
        assert "浅克隆" in slack and "shallow clone" not in slack and "could not fetch" not in slack

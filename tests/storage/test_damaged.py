"""A damaged, truncated, drifted or read-only database: one clear line naming the file, never a traceback;
`status` and `show` still work on a database that cannot be written."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import StorageError, open_db
from tests.fakes.digests import SHA, seed_commit

ROOT = Path(__file__).resolve().parents[2]
PAGE = 4096


def filled_db(path: Path) -> None:
    """A database with a commit and enough rows to span many pages, closed cleanly."""
    db = open_db(path)
    seed_commit(db)
    db["http_cache"].insert_all(
        {"url": f"https://api.example/{i}", "etag": "e", "body": "x" * 600, "updated_at": "t"}
        for i in range(400)
    )
    db.conn.close()


def cli(path: Path, *args: str, drop_root_override: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the CLI on `path`; with `drop_root_override`, without root's power to write read-only files."""
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DIGEST_DB_PATH": str(path),
        "HOME": str(path.parent),
    }
    cmd = [sys.executable, "-m", "bot.cli", *args]
    if drop_root_override and os.geteuid() == 0:
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    return subprocess.run(cmd, env=env, cwd=path.parent, capture_output=True, text=True, timeout=60)


def one_clear_line(proc: subprocess.CompletedProcess[str], path: Path, *words: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and all(w in lines[0] for w in words), lines[0]


def test_a_corrupted_page_is_one_line_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "digest.db"
    filled_db(path)
    with open(path, "r+b") as f:
        f.seek(PAGE * 3)
        f.write(os.urandom(PAGE * 2))
    with pytest.raises(StorageError) as e:
        open_db(path)
    assert str(path) in str(e.value) and "move it aside" in str(e.value) and "\n" not in str(e.value)
    one_clear_line(cli(path, "status"), path, "restore it from a backup")


def test_a_truncated_file_is_one_line_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "digest.db"
    filled_db(path)
    with open(path, "r+b") as f:
        f.truncate(PAGE * 2 + 100)
    for args in (("status",), ("show", SHA[:9]), ("run", "--repo", "o/r")):
        one_clear_line(cli(path, *args), path, "move it aside")
    with open(path, "r+b") as f:
        f.truncate(50)  # not even a header
    one_clear_line(cli(path, "status"), path, "cannot be used")


def test_a_table_recreated_without_its_key_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "digest.db"
    filled_db(path)
    conn = sqlite3.connect(path)
    conn.execute("drop table runs")
    conn.execute("create table runs (repo text, started_at text, status text)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError) as e:
        open_db(path)
    assert "table runs lacks column(s)" in str(e.value) and "id" in str(e.value)
    proc = cli(path, "status")
    one_clear_line(proc, path, "runs")
    assert "no such column" not in proc.stderr


def test_a_table_recreated_with_another_key_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "digest.db"
    filled_db(path)
    conn = sqlite3.connect(path)
    conn.execute("drop table analyses")
    cols = "repo, sha, status, scored, importance, reasons, card, model, prompt_version, language, "
    cols += "prompt_tokens, completion_tokens, llm_calls, latency_ms, attempts, error, updated_at"
    conn.execute(f"create table analyses ({cols})")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError) as e:
        open_db(path)
    assert "table analyses has key () instead of (repo, sha)" in str(e.value)


def test_a_read_only_database_still_serves_status_and_show(tmp_path: Path) -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only file cannot be simulated")
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "digest.db"
    filled_db(path)
    before = path.read_bytes()
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        status = cli(path, "status", drop_root_override=True)
        assert status.returncode == 0, status.stderr
        assert "read-only" in status.stderr and "Traceback" not in status.stderr
        show = cli(path, "show", SHA[:9], drop_root_override=True)
        assert show.returncode == 0, show.stderr
        assert "Move fa4 from sgl-kernel to jit kernel" in show.stdout
        run = cli(path, "run", "--repo", "o/r", drop_root_override=True)
        one_clear_line(run, path, "read-only", "writable")
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    assert path.read_bytes() == before  # nothing was written, not even a migration

"""What the CLI loads: --version and --help import no SDK; a day without a key and `status` load no LLM or Slack client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openai", "slack_sdk", "slack_bolt", "aiohttp")
DAY = "2026-01-24"

# Runs the CLI in this process, then prints which of HEAVY were imported (also when the command exits).
PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr))
from bot.cli import main
main(sys.argv[1:])
"""


def _loaded(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `commit-digest args` in a fresh interpreter; the process and the heavy modules it imported."""
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DIGEST_DB_PATH": str(tmp_path / "digest.db"),
        "HOME": str(tmp_path),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    cmd = [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    return proc, json.loads(proc.stderr.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_sdk():
    code = f"import json, sys, bot.cli; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(proc.stdout) == []


def test_version_and_help_load_no_sdk(tmp_path):
    for args in (["--version"], ["--help"], ["run", "--help"]):
        proc, loaded = _loaded(tmp_path, *args)
        assert proc.returncode == 0 and proc.stdout, proc.stderr
        assert loaded == [], args


def test_a_day_without_a_key_and_its_status_load_no_llm_or_slack_client(tmp_path):
    repo = GitRepo(tmp_path / "upstream")
    repo.commit("Add the scheduler", {"src/a.py": "x = 1\n"}, date=f"{DAY}T03:00:00+00:00")
    for _ in range(2):  # the first run analyzes, the second reuses what is stored
        proc, loaded = _loaded(tmp_path, "run", "--repo", str(repo.path), "--date", DAY)
        assert proc.returncode == 0 and "Add the scheduler" in proc.stdout, proc.stderr
        assert loaded == []
    proc, loaded = _loaded(tmp_path, "status")
    assert proc.returncode == 0 and proc.stdout, proc.stderr
    assert loaded == []

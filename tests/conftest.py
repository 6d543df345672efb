"""Shared test setup: an isolated environment so no user setting or .env leaks into a test."""

from __future__ import annotations

import os

import pytest

_PREFIXES = ("DIGEST_", "GITHUB_", "OPENAI_", "SLACK_")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Clear product settings and run each test in its own directory (no stray .env)."""
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DIGEST_DB_PATH", str(tmp_path / "digest.db"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)

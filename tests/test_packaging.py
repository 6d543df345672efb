"""The Docker image installs pinned dependencies from the lock file, before the source, and can read clones."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_pins_every_runtime_dependency_with_hashes():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {
        m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", lock, re.M)
    }
    for dep in deps:
        assert _name(dep) in pinned, f"{dep} is not in requirements.lock: regenerate it (see README)"
    assert lock.count("--hash=sha256:") >= len(pinned)


def test_dockerfile_installs_the_lock_before_copying_the_source_and_has_git():
    text = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", text, re.M)
    assert base and re.search(r":\d+\.\d+\.\d+-", base.group(1)), "the base image is pinned by version"
    assert text.index("requirements.lock") < text.index("COPY analysis")
    assert "--require-hashes" in text and "install -y --no-install-recommends git" in text

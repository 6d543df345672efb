"""What kind of clone a local repository is: its remotes, the one to follow, shallow or partial, its encoding."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from analysis.sources.git_cli import GitRunner, decode


@dataclass
class CloneShape:
    """The facts about a clone that decide how it is read."""

    remotes: dict[str, str] = field(default_factory=dict)  # name -> URL
    remote: str | None = (
        None  # the remote followed: the one the branch tracks, else the only one, else origin
    )
    grafted: set[str] = field(default_factory=set)  # a shallow clone's boundary commits
    partial: bool = False  # cloned with --filter: some contents may be missing
    encoding: str = "latin-1"  # how an undeclared non-UTF-8 message is read

    @property
    def shallow(self) -> bool:
        """Whether the clone was cut off with --depth (or --shallow-since)."""
        return bool(self.grafted)


def _config(git: GitRunner, *args: str) -> list[tuple[str, str]]:
    """(key, value) pairs of `git config -z args`."""
    out = git.run_now("config", "-z", *args, counted=False)
    pairs = []
    for rec in out.split(b"\0"):
        if rec:
            key, _, value = decode(rec).partition("\n")
            pairs.append((key, value))
    return pairs


def _config_value(git: GitRunner, key: str) -> str:
    """One configuration value, or ""."""
    return decode(git.run_now("config", "-z", "--get", key, counted=False)).split("\0")[0]


def read_shape(git: GitRunner) -> CloneShape:
    """Read the clone's shape from its configuration and its shallow file."""
    shape = CloneShape()
    for key, url in _config(git, "--get-regexp", r"^remote\..*\.url$"):
        shape.remotes[key[len("remote.") : -len(".url")]] = url
    branch = decode(git.run_now("symbolic-ref", "--quiet", "--short", "HEAD", counted=False)).strip()
    tracked = ""
    if branch:
        tracked = _config_value(git, f"branch.{branch}.remote")
    if tracked in shape.remotes:
        shape.remote = tracked
    elif len(shape.remotes) == 1:
        shape.remote = next(iter(shape.remotes))
    elif "origin" in shape.remotes:
        shape.remote = "origin"
    promisors = _config(git, "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$")
    shape.partial = any(k.startswith("extensions.") or v == "true" for k, v in promisors)
    if enc := _config_value(git, "i18n.commitEncoding"):
        shape.encoding = enc
    shallow = decode(git.run_now("rev-parse", "--git-path", "shallow", counted=False)).strip()
    if shallow:
        path = shallow if os.path.isabs(shallow) else os.path.join(git.path, shallow)
        try:
            with open(path, encoding="ascii") as f:
                shape.grafted = {line.strip() for line in f if line.strip()}
        except OSError:
            pass
    return shape

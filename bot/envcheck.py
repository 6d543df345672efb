"""Warn about environment variables (and .env keys) that look like settings but are not: usually typos."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from dotenv import dotenv_values

from bot.settings import Settings

PREFIXES = ("DIGEST_", "SLACK_", "GITHUB_", "OPENAI_")
# Read by the libraries we use, or set by the platforms we run on: not ours, not typos.
FOREIGN = {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_VERIFICATION_TOKEN", "GITHUB_ACTIONS"}


def known_names() -> set[str]:
    """The environment variable of every setting."""
    return {name.upper() for name in Settings.model_fields}


def unknown_variables(names: Iterable[str]) -> list[str]:
    """One warning per name that looks like ours but is no setting, with the closest setting when one is close."""
    known = known_names()
    warnings = []
    for name in sorted(set(names)):
        upper = name.upper()
        if not upper.startswith(PREFIXES) or upper in known or upper in FOREIGN:
            continue
        match = _closest(upper, known)
        if (
            upper.startswith("GITHUB_") and match is None
        ):  # CI runners set many GITHUB_ variables of their own
            continue
        hint = f"; did you mean {match}?" if match else ""
        warnings.append(f"{name} is not a commit-digest setting and is ignored{hint}")
    return warnings


def _closest(name: str, known: set[str]) -> str | None:
    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
    return matches[0] if matches and matches[0] != name else None


def configured_names(environ: Mapping[str, str] | None = None, env_file: str | Path = ".env") -> list[str]:
    """The names set in the environment and in the .env file, if there is one."""
    names = list(os.environ if environ is None else environ)
    path = Path(env_file)
    if path.is_file():
        names += [k for k in dotenv_values(path) if k]
    return names

"""The operator's named code bases (`DIGEST_TEAM_CODE`): `name=location`, a location being a local clone or owner/repo."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from analysis.identity import REPO_NAME_RE

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class TeamCode:
    """One named code base of the team: a local clone (absolute path) or a GitHub `owner/repo`."""

    name: str
    location: str
    local: bool


def _is_local(spec: str) -> bool:
    return spec.startswith(("/", ".", "~")) or os.path.isdir(os.path.expanduser(spec))


def team_code(name: str | None, location: str) -> TeamCode:
    """The code base `location` (named `name`, else after its folder or repository); raises ValueError."""
    location = location.strip()
    if not location:
        raise ValueError("an empty location")
    if _is_local(location):
        path = os.path.normpath(os.path.abspath(os.path.expanduser(location)))
        code = TeamCode(name or os.path.basename(path), path, True)
    elif REPO_NAME_RE.match(location):
        code = TeamCode(name or location.split("/", 1)[1], location, False)
    else:
        raise ValueError(f"{location!r} is neither owner/repo nor a path to a local clone")
    if not NAME_RE.match(code.name):
        raise ValueError(f"{code.name!r} is not a usable name (letters, digits, '.', '_', '-')")
    return code


def parse_team_code(value: str) -> dict[str, TeamCode]:
    """`a=/src/a, owner/b` as code bases by name; repeats collapse (paths normalised); raises ValueError on bad
    input: a malformed location or name, one name for two code bases, or two names for one."""
    out: dict[str, TeamCode] = {}
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, location = part.partition("=")
        code = team_code(name.strip() if sep else None, location if sep else part)
        earlier = out.get(code.name)
        if earlier is not None and earlier != code:
            raise ValueError(f"the name {code.name!r} is given to two code bases")
        same = [c for c in out.values() if c.location == code.location and c.name != code.name]
        if same and not sep:
            continue  # a bare repeat of a code base already named
        if same:
            raise ValueError(f"{code.location!r} is named both {same[0].name!r} and {code.name!r}")
        out[code.name] = code
    return out

""".env.example lists every setting, with its real default."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=(.*)$")


def _documented() -> dict[str, str]:
    return {
        m.group(1): m.group(2).strip()
        for line in EXAMPLE.read_text().splitlines()
        if (m := _LINE.match(line))
    }


def test_every_setting_is_documented_and_nothing_else():
    assert set(_documented()) == {name.upper() for name in Settings.model_fields}


def test_documented_defaults_are_the_real_defaults():
    for name, field in Settings.model_fields.items():
        shown = _documented()[name.upper()]
        default = field.get_default(call_default_factory=True)
        if default is None or default == []:
            assert shown == "" or name == "digest_repos", name
        elif isinstance(default, bool):
            assert shown == str(default).lower(), name
        elif isinstance(default, float) and default.is_integer():
            assert float(shown) == default, name
        else:
            assert shown == str(default), name

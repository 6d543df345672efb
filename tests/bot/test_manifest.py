"""The app's manifest declares what unfurls and the App Home need."""

from __future__ import annotations

from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yaml"


def section(text: str, key: str) -> list[str]:
    """The list items right under `key:` (a YAML block list), read without a YAML library."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    items = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip().startswith("- "):
            items.append(line.strip()[2:])
    return items


def test_the_manifest_declares_unfurls_and_the_home_tab() -> None:
    text = MANIFEST.read_text()
    assert {"links:read", "links:write", "channels:read", "groups:read", "chat:write"} <= set(
        section(text, "bot")
    )
    assert {"link_shared", "app_home_opened", "app_mention"} <= set(section(text, "bot_events"))
    assert section(text, "unfurl_domains") == ["github.com"]
    assert "home_tab_enabled: true" in text

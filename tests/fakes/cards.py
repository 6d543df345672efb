"""Plausible commit cards, shaped by the prompt that asked for them."""

from __future__ import annotations

import re
from typing import Any

_TIER_RE = re.compile(r"Importance hint from the scorer: (high|medium|low)")
PATH_RE = re.compile(r"^### (\S+) \(", re.M)  # a file's section of the diff: "### path (kind, +a -b)"
_NOTED_RE = re.compile(r"this part changes ([^\n]+)\.")  # a part's notes, in a merge prompt
_NAMED_PATH_RE = re.compile(r"[\w.-]+/[\w./-]*\.\w+")  # a path an earlier answer named, in a repair prompt


def plausible_card(prompt: str, tier: str | None = None) -> dict[str, Any]:
    """A card shaped by the prompt: the requested depth (or `tier`) and language, paths from the diff."""
    m = _TIER_RE.search(prompt)
    tier = tier or (m.group(1) if m else "medium")
    zh = "Simplified Chinese" in prompt
    paths = (PATH_RE.findall(prompt) or _noted(prompt))[:5] or ["(file list)"]
    say = (lambda en, cn: cn) if zh else (lambda en, cn: en)
    none = "none"
    lines = {"low": 1, "medium": 3, "high": 5}[tier]
    card: dict[str, Any] = {
        "change_type": say("feature", "功能增强"),
        "importance": tier,
        "importance_reason": say(f"Scorer said {tier}; the diff agrees.", f"评分为{tier}，与变更一致。"),
        "summary": [say(f"Changes {p}.", f"修改了 {p}。") for p in (paths * lines)[:lines]],
        "impact_scope": paths,
        "insight": {
            "architecture": say("New module boundary.", "新增模块边界。") if tier == "high" else none,
            "performance": say("Fewer copies on the hot path.", "热路径上的拷贝更少。")
            if tier == "high"
            else none,
            "security": none,
            "maintainability": say("Smaller functions.", "函数更小。") if tier != "low" else none,
        },
        "risks": [say("Behaviour change for callers.", "调用方行为变化。")] if tier != "low" else [],
        "recommendations": [say("Add a regression test.", "补充回归测试。")] if tier == "high" else [],
        "conclusion": say("A focused change.", "一次聚焦的改动。"),
        "not_read": [],
    }
    return card


def _noted(prompt: str) -> list[str]:
    """The paths a merge prompt's notes name, or those of the earlier answer a repair prompt holds: a model
    merging notes or repairing its answer names what they name."""
    found = [p for m in _NOTED_RE.findall(prompt) for p in m.split(", ")]
    return found or list(dict.fromkeys(_NAMED_PATH_RE.findall(prompt)))

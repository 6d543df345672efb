"""Reading a card out of a model's answer; every unusable answer is one error class."""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from analysis.errors import CommitDigestError
from analysis.models import Card

_FENCE_RE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.S)


class MalformedAnswer(CommitDigestError, ValueError):
    """The endpoint's answer is not a usable card or completion; the message says why, briefly."""


def first_object(text: str) -> dict | None:
    """The JSON object in an answer: plain JSON, fenced JSON, or the first object in prose; None when none."""
    text = text.strip()
    decoder = json.JSONDecoder(strict=False)  # small models put raw newlines inside strings
    candidates = [text, *_FENCE_RE.findall(text), *[text[m.start() :] for m in re.finditer(r"\{", text)][:20]]
    for c in candidates:
        try:
            obj, _ = decoder.raw_decode(c)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def parse_card(text: str) -> Card:
    """The card in an answer: plain JSON, fenced JSON, or the first JSON object in prose."""
    obj = first_object(text)
    if obj is None:
        raise MalformedAnswer("the answer holds no JSON object")
    if isinstance(obj.get("importance"), str):
        obj["importance"] = obj["importance"].strip().lower()
    try:
        return Card.model_validate(obj)
    except ValidationError as e:
        raise MalformedAnswer(short_reason(e)) from None


def short_reason(e: Exception) -> str:
    """A one-line reason for a validation error, short enough to store and show."""
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()[:6])
    return str(e)[:300]

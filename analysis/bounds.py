"""Bounds on what a model writes: every card field a few thousand characters, a card a few tens of KB."""

from __future__ import annotations

from analysis.models import Card

FIELD_CHARS = 4000  # the longest a model-written card field is stored
CARD_CHARS = 32000  # about the most text one stored card holds
MAX_ITEMS = 50  # list items kept per card field
SHORTENED = "(shortened)"


def bound_card(card: Card, field_chars: int = FIELD_CHARS, card_chars: int = CARD_CHARS) -> Card:
    """The card with every text field at most `field_chars` long and the whole under about `card_chars`.

    A shortened field ends with "(shortened)"; list items past the card's budget are dropped, saying so.
    """
    budget = [card_chars]

    def cut(text: str) -> str:
        limit = min(field_chars, max(budget[0], 0))
        if len(text) > limit:
            text = text[: max(limit - len(SHORTENED) - 1, 0)].rstrip() + " " + SHORTENED
        budget[0] -= len(text)
        return text

    def cut_list(items: list[str]) -> list[str]:
        out: list[str] = []
        for item in items[:MAX_ITEMS]:
            if budget[0] <= len(SHORTENED):
                out.append(SHORTENED)
                break
            out.append(cut(item))
        if len(items) > MAX_ITEMS and out[-1] != SHORTENED:
            out.append(SHORTENED)
        return out

    data = card.model_dump()
    for key in ("change_type", "importance_reason", "conclusion"):
        data[key] = cut(data[key])
    data["insight"] = {k: cut(v) for k, v in data["insight"].items()}
    for key in ("summary", "impact_scope", "risks", "recommendations", "not_read"):
        data[key] = cut_list(data[key])
    return Card.model_validate(data)

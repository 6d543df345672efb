"""A token estimate without a tokenizer, and clipping text to a number of tokens."""

from __future__ import annotations

import math
import re
import string

# Tokens per character by class, calibrated on GPT/Llama-style BPE tokenizers and rounded up:
# English and code run 3.5-4 characters a token, digits and punctuation split more often,
# CJK is about one token a character, other non-ASCII text costs two or more.
_ALNUM, _DIGIT, _SPACE, _PUNCT, _CJK, _OTHER = 0.27, 0.5, 0.2, 0.55, 1.3, 2.0
_MARGIN = 1.1
_DIGITS = string.digits.encode()
_SPACES = string.whitespace.encode()
_PUNCTS = string.punctuation.encode()
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """A deliberately high estimate of the tokens `text` costs, without a tokenizer."""
    if not text:
        return 0
    data = text.encode("ascii", "ignore")
    n_ascii = len(data)
    digits = n_ascii - len(data.translate(None, _DIGITS))
    spaces = n_ascii - len(data.translate(None, _SPACES))
    puncts = n_ascii - len(data.translate(None, _PUNCTS))
    alnum = n_ascii - digits - spaces - puncts
    raw = alnum * _ALNUM + digits * _DIGIT + spaces * _SPACE + puncts * _PUNCT
    if n_ascii < len(text):
        cjk = len(_CJK_RE.findall(text))
        raw += cjk * _CJK + (len(text) - n_ascii - cjk) * _OTHER
    return math.ceil(raw * _MARGIN)


def line_cost(text: str) -> int:
    """The estimated tokens of `text` as one line of a prompt, its newline included."""
    return estimate_tokens(text + "\n")


def clip_lines(text: str, room: int) -> str:
    """The leading whole lines of `text` that fit in `room` tokens."""
    kept, used = [], 0
    for line in text.splitlines():
        c = line_cost(line)
        if used + c > room:
            break
        kept.append(line)
        used += c
    return "\n".join(kept)


def clip_tokens(text: str, tokens: int) -> str:
    """The leading whole lines of `text` within `tokens`; a single long line is cut by characters."""
    if estimate_tokens(text) <= tokens:
        return text
    kept = clip_lines(text, tokens)
    if kept:
        return kept
    chars = int(len(text) * tokens / max(estimate_tokens(text), 1))
    while chars > 0 and estimate_tokens(text[:chars]) > tokens:
        chars = int(chars * 0.9)
    return text[:chars]

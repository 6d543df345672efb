"""The root of every exception the product raises, in the lowest layer so that every layer can derive from it."""

from __future__ import annotations


class CommitDigestError(Exception):
    """Something the product can explain to the user; the message says what to do."""

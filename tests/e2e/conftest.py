"""Fixtures of the end-to-end suite: the three loopback services at once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.e2e.world import World, make_world, write_figures


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    """Three repositories' worth of loopback services, torn down after the test."""
    with contextlib.ExitStack() as stack:
        yield make_world(tmp_path, stack)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Hand the measured figures to bench/proof.py."""
    write_figures()

"""A one-line progress bar on stderr for long runs; silent when stderr is not a terminal."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class ProgressBar:
    """Draws `repo [#####.....] done/total` in place while a digest runs."""

    def __init__(self, stream: TextIO, force: bool = False):
        self.stream = stream
        self.enabled = force or stream.isatty()
        self.drawn = False

    def update(self, repo: str, done: int, total: int) -> None:
        """Redraw the bar for `repo` with `done` of `total` commits processed."""
        if not self.enabled or total == 0:
            return
        filled = WIDTH * done // total
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(f"\r{repo[-40:]:<40} [{bar}] {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

"""Progress of a long run on stderr (report-all, audit verify/replay --all, stock).

Shown only when stderr is a terminal (and not under CI), or when asked with --progress; never
with --quiet. It goes to stderr only, so stdout and every output file are the same bytes with or
without it. On a terminal the line is rewritten in place; when forced into a pipe or file it is a
line per 10%, so a log stays short.
"""

from __future__ import annotations

import os
import sys
import time

import click


def progress_options(f):
    """--progress/--no-progress and -q/--quiet for a command whose only stderr chatter is progress."""
    f = click.option("-q", "--quiet", "quiet", is_flag=True, help="no progress on stderr")(f)
    return progress_option(f)


def progress_option(f):
    return click.option("--progress/--no-progress", "progress", default=None,
                        help="progress on stderr (default: only when stderr is a terminal, never under CI)")(f)


def progress_enabled(progress: bool | None, quiet: bool = False) -> bool:
    """--quiet wins; then --progress / --no-progress; by default only on a terminal outside CI."""
    if quiet:
        return False
    if progress is not None:
        return progress
    return _stderr_is_terminal() and not os.environ.get("CI")


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A counter of done/total on stderr: call it with the number just finished, finish() at the end."""

    def __init__(self, label: str, total: int, enabled: bool):
        self.label, self.total, self.done = label, total, 0
        self.enabled = enabled
        self.tty = enabled and _stderr_is_terminal()
        self._last = 0.0
        self._next_pct = 10
        self.start = time.monotonic()

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.tty:
            now = time.monotonic()
            if now - self._last >= 0.2 or self.done >= self.total:
                self._last = now
                sys.stderr.write(f"\r{self.label}: {self.done}" + (f"/{self.total}" if self.total else ""))
                sys.stderr.flush()
        elif self.total and self.done * 100 >= self._next_pct * self.total:
            pct = self.done * 100 // self.total
            sys.stderr.write(f"{self.label}: {self.done}/{self.total} ({pct}%)\n")
            sys.stderr.flush()
            self._next_pct = (pct // 10 + 1) * 10

    def finish(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write(f"\r{self.label}: {self.done}/{self.total} in {time.monotonic() - self.start:.1f}s\n")
            sys.stderr.flush()

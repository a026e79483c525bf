"""The cyclic garbage collector paused while a case is judged.

Judging builds hundreds of thousands of small, long-lived objects (facts, branch states, result
models) and almost no reference cycles. With the collector running, its full collections walk
every live object again and again as they pile up: about a quarter of the CPU time of judging
10,000 components (docs/benchmarks.md). Paused for the judgement, it resumes afterwards with the
objects the judgement left; the few cycles a judgement makes (a few thousand objects for 10,000
components) are collected then. The pause is process-wide, so it is counted: with judgements
running in several threads the collector resumes when the last one ends, and only if it was
running when the first one began.
"""

from __future__ import annotations

import functools
import gc
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable)
_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def paused() -> Iterator[None]:
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()


def while_paused(fn: F) -> F:
    """`fn` runs with the collector paused (paused() around every call)."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with paused():
            return fn(*args, **kwargs)
    return run  # type: ignore[return-value]

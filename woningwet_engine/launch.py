"""The `woningwet` console script's entry point: what has to happen before the command line loads.

`cli.Group.__call__` pauses the cyclic garbage collector and installs the compile cache
(compilecache.py), but only once `woningwet_engine.cli` is imported, and importing it already
defines click's classes, the errors' and the audit context's dataclasses and compiles click's
regular expressions, each compiled again in every run and scanned by the collector. Entering
here does both first, so that import is covered too (~22 M instructions of a `check`,
docs/benchmarks.md). Everything else is `cli.main`'s: it calls both again, which does nothing
the second time. `python -m woningwet_engine.cli` and library callers do not come through here.
"""

from __future__ import annotations


def main():
    import gc

    from . import compilecache

    gc.disable()  # cli.Group turns it back on at load_book, or at once for a command that loads no rulebook
    compilecache.install()
    from .cli import main as cli_main

    return cli_main()

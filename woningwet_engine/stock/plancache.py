"""What the planning step of `woningwet stock` worked out, kept on disk for the next run on the same law.

Planning (judge.py step 2) turns each group of equivalent units into facts, branch states and an
outcome — several seconds of Python for a varied register of a million units, spent again on every
run although the answers depend only on the law, the corporation and the code, not on the register:
a role a municipality plays, the facts of a kind of unit, the branch states of a class of facts,
what `engine.judge` says about one representative unit. Those answers are stored here, so a second
register of the same corporation judged on the same date (the next month's export, a corrected
file) only looks them up; the corporation is part of the key (its working area and regime are facts).

The key is everything the answers depend on: the engine version and the bytes of every module and
catalogue of the package, the rulebook's SHA-256, the date, the corporation and the language. The
file is a pickle, loaded under the rules of the rulebook cache (rulebook/cache.py): only from a
directory and file of the current user that nobody else can write, with an unpickler that builds
nothing but plain values; anything odd is a miss. The outcome numbers of a table are given in the
order of the register, never taken from the cache, so a warm run writes the same bytes as a cold one.
WONINGWET_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
import sys
from decimal import Decimal
from pathlib import Path

SECTIONS = ("roles", "protos", "classes", "parts", "outcomes")
KEEP = 8  # plan files kept (one per date, corporation and language judged recently)
_ALLOWED = {("builtins", "frozenset"), ("builtins", "set"), ("datetime", "date"), ("decimal", "Decimal")}
_PACKAGE = Path(__file__).resolve().parents[1]


class _PlainUnpickler(pickle.Unpickler):
    """Builds dicts, lists, tuples, sets, numbers, strings, dates and decimals; nothing else."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return {"frozenset": frozenset, "set": set, "date": dt.date, "Decimal": Decimal}[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")


def _fingerprint() -> bytes:
    h = hashlib.sha256()
    for path in sorted([*_PACKAGE.rglob("*.py"), *_PACKAGE.rglob("*.yaml")]):
        h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    return h.digest()


def plan_key(book, day: dt.date, corporation, lang: str) -> str:
    from .. import __version__

    h = hashlib.sha256(f"{__version__}\0{sys.version}\0{book.sha256}\0{day.isoformat()}\0{lang}\0".encode())
    h.update(corporation.model_dump_json().encode())
    h.update(_fingerprint())
    return h.hexdigest()


class PlanCache:
    """The sections of one plan file as dicts; `store` writes them back when something was added."""

    def __init__(self, key: str | None):
        self.path = None
        self.data: dict[str, dict] = {s: {} for s in SECTIONS}
        self.added = False
        if key is None or os.environ.get("WONINGWET_NO_CACHE"):
            return
        from ..rulebook.cache import _private, cache_dir

        directory = cache_dir()
        self.path = directory / f"stock-plan-{key}.pickle"
        if _private(directory) and _private(self.path):
            try:
                with self.path.open("rb") as fh:
                    data = _PlainUnpickler(io.BytesIO(fh.read())).load()
                if isinstance(data, dict) and all(isinstance(data.get(s), dict) for s in SECTIONS):
                    self.data = {s: data[s] for s in SECTIONS}
            except Exception:  # a damaged or foreign file is a miss, never trusted
                pass

    def __getitem__(self, section: str) -> dict:
        return self.data[section]

    def put(self, section: str, key, value):
        self.data[section][key] = value
        self.added = True
        return value

    def store(self) -> None:
        if self.path is None or not self.added:
            return
        from ..output import write_output
        from ..rulebook.cache import _private

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _private(self.path.parent):
                return
            write_output(self.path, pickle.dumps(self.data, protocol=pickle.HIGHEST_PROTOCOL), mode=0o600)
            entries = sorted(self.path.parent.glob("stock-plan-*.pickle"), key=lambda f: f.stat().st_mtime,
                             reverse=True)
            for old in entries[KEEP:]:
                if old != self.path:
                    old.unlink(missing_ok=True)
        except Exception:  # the cache is only an optimisation
            pass

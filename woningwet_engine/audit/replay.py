"""Replay: re-judge a recorded case with the rulebook files stored in its record and prove the result
is byte-identical; and diff: re-judge it under another date's (today's) rulebook and explain the
changes with the comparison engine."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from .. import __version__
from ..errors import EngineError, InputError
from .log import DecisionLog, record_hash

_MISSING = object()


def first_difference(a: Any, b: Any, path: str = "$") -> tuple[str, Any, Any] | None:
    """The JSON path of the first place where a and b differ (document order), with both values."""
    if type(a) is not type(b):
        return path, a, b
    if isinstance(a, dict):
        for key in list(a) + [k for k in b if k not in a]:
            va, vb = a.get(key, _MISSING), b.get(key, _MISSING)
            if va is _MISSING or vb is _MISSING:
                return f"{path}.{key}", None if va is _MISSING else va, None if vb is _MISSING else vb
            found = first_difference(va, vb, f"{path}.{key}")
            if found:
                return found
        if list(a) != list(b):
            return f"{path} (key order)", list(a), list(b)
        return None
    if isinstance(a, list):
        for i, (va, vb) in enumerate(zip(a, b)):
            found = first_difference(va, vb, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            i = min(len(a), len(b))
            return f"{path}[{i}]", a[i] if i < len(a) else None, b[i] if i < len(b) else None
        return None
    return None if a == b else (path, a, b)


def _short(v: Any, n: int = 80) -> str:
    text = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass
class Outcome:
    record_id: int
    status: str  # identical | version_only | mismatch | error
    message: str
    path: str | None = None
    engine_version: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("identical", "version_only")


class RulebookCache:
    """Rulebooks rebuilt from stored files, by rulebook hash (a few kept; logs rarely hold many)."""

    def __init__(self, log: DecisionLog, size: int = 4):
        self.log = log
        self.size = size
        self._books: OrderedDict[str, Any] = OrderedDict()

    def get(self, rec: dict):
        from ..rulebook.loader import build_rulebook

        key = rec["rulebook_sha256"]
        if key in self._books:
            self._books.move_to_end(key)
            return self._books[key]
        book = build_rulebook(self.log.rulebook_files(rec), label=f"record {rec['id']} rules")
        if book.sha256 != key:
            raise ValueError("the stored rule files do not give the recorded rulebook hash")
        self._books[key] = book
        if len(self._books) > self.size:
            self._books.popitem(last=False)
        return book


def recorded_case(rec: dict):
    from ..case import Case
    from ..result import sha256_of

    case = Case.model_validate(json.loads(rec["case_json"]))
    if sha256_of(case.canonical()) != rec["case_sha256"]:
        raise ValueError("the stored case does not normalise to the recorded case hash with this engine")
    return case


# judge() keyword options a record may carry, and how to read them back from JSON
OPTION_TYPES = {"start": dt.date.fromisoformat, "keep_by": str}


def judge_options(rec: dict) -> dict:
    options = json.loads(rec.get("options") or "{}")
    unknown = sorted(set(options) - set(OPTION_TYPES))
    if unknown:
        raise ValueError(f"the record uses judge option(s) {', '.join(unknown)} that this engine does not know")
    return {k: OPTION_TYPES[k](v) for k, v in options.items()}


def rejudge(rec: dict, book, at: dt.date | None = None, engine=None):
    from ..engine import judge

    case = recorded_case(rec)
    day = at or dt.date.fromisoformat(rec["date"])
    return judge(case, book, at=day, lang=rec["lang"], source=f"record {rec['id']}", engine=engine,
                 **judge_options(rec))


def replay_record(rec: dict, books: RulebookCache, engine=None) -> Outcome:
    from ..result import canonical_json

    rid = rec["id"]
    if record_hash(rec) != rec["hash"]:
        return Outcome(rid, "error", "the record's stored hash does not match its fields (run `audit verify`)")
    version_note = ""
    if rec["engine_version"] != __version__:
        version_note = (f"made by engine {rec['engine_version']}, replayed with engine {__version__}; ")
    try:
        book = books.get(rec)
        result = rejudge(rec, book, engine=engine)
    except InputError as exc:
        return Outcome(rid, "error", version_note + "could not replay: " + "; ".join(str(p) for p in exc.problems[:3]),
                       engine_version=rec["engine_version"])
    except (ValueError, KeyError, EngineError) as exc:
        return Outcome(rid, "error", f"{version_note}could not replay: {exc}", engine_version=rec["engine_version"])
    new = canonical_json(result)
    if new == rec["result_json"]:
        return Outcome(rid, "identical", version_note + "identical", engine_version=rec["engine_version"])
    old_data, new_data = json.loads(rec["result_json"]), json.loads(new)
    diff = first_difference(old_data, new_data)
    if diff is None:
        return Outcome(rid, "mismatch", version_note + "same data but not byte-identical (formatting differs)",
                       "$", rec["engine_version"])
    path, va, vb = diff
    if path == "$.provenance.engine_version" and version_note:
        old_data["provenance"]["engine_version"] = new_data["provenance"]["engine_version"]
        if first_difference(old_data, new_data) is None:
            return Outcome(rid, "version_only", version_note + "identical apart from provenance.engine_version",
                           path, rec["engine_version"])
    return Outcome(rid, "mismatch", f"{version_note}differs first at {path}: recorded {_short(va)}, "
                   f"replayed {_short(vb)}", path, rec["engine_version"])


# --- replaying a whole log ----------------------------------------------------------------------------

BATCH = 200  # records per task handed to a worker process
MIN_PARALLEL = 400  # fewer records than this are replayed in this process (starting workers costs more)
_WORKER: dict = {}  # in a worker process: the log path and the rulebooks built before the fork


def _fetch(log: DecisionLog, ids: list[int]) -> list[dict]:
    rows = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        for row in log.conn.execute(f"SELECT * FROM records WHERE id IN ({marks})", part):
            rows[row["id"]] = dict(row)
    return [rows[i] for i in ids]


def shared_engine():
    """The engine a whole-log replay judges with: portfolio.SharedEngine, whose results are those of
    the default engine (tests/test_properties_portfolio.py): the compiled evaluator on every fact,
    and the durable_rules cross-check once per class of facts that give every condition atom the
    same value in one regime selection, instead of once per fact of every record."""
    from ..portfolio import SharedEngine

    return SharedEngine()


def _replay_batch(ids: list[int]) -> list[Outcome]:
    """In a worker process: replay these records (one rulebook selection after another)."""
    log = _WORKER.get("log")
    if log is None:
        log = _WORKER["log"] = DecisionLog.open(_WORKER["path"])  # a connection of its own, never the parent's
        _WORKER["books"].log = log
        _WORKER["engine"] = shared_engine()
    books, engine = _WORKER["books"], _WORKER["engine"]
    return [replay_record(rec, books, engine) for rec in _fetch(log, ids)]


def replay_all(log: DecisionLog, jobs: int | None = None,
               progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Replay every record; the outcomes in record order, each compared byte for byte as in replay_record.

    Records are grouped by rulebook hash and date, so that each rulebook is rebuilt from its stored
    files once and the records of one regime selection (one period between two change points) are
    judged one after another: they share the rules and figures in force (Rulebook.at works them out
    once per period), the compiled rules and the durable_rules rulesets, and the records of one day
    share the per-selection memo of result pieces. With
    `jobs` > 1 (default: the number of CPUs) and enough records, batches of records are replayed by a
    pool of worker processes (fork: the rulebooks are built before the workers start and shared)."""
    rows = log.conn.execute("SELECT id, rulebook_sha256, date FROM records").fetchall()
    ordered = [r[0] for r in sorted(rows, key=lambda r: (r[1], r[2], r[0]))]
    books = RulebookCache(log, size=64)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    outcomes: list[Outcome] = []
    batches = [ordered[i:i + BATCH] for i in range(0, len(ordered), BATCH)]
    import multiprocessing

    parallel = jobs > 1 and len(ordered) >= MIN_PARALLEL and "fork" in multiprocessing.get_all_start_methods()
    if not parallel:
        engine = shared_engine()
        for batch in batches:
            outcomes += [replay_record(rec, books, engine) for rec in _fetch(log, batch)]
            if progress:
                progress(len(batch))
    else:
        firsts: dict[str, int] = {}
        for rid, digest, _ in rows:
            firsts.setdefault(digest, rid)
        for rec in _fetch(log, sorted(firsts.values())):
            try:
                books.get(rec)  # built here once, inherited by every worker
            except Exception:  # the record's own replay reports it
                pass
        _WORKER.clear()
        _WORKER.update(path=log.path, books=books)
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(batches))) as pool:
                for done in pool.imap_unordered(_replay_batch, batches):
                    outcomes += done
                    if progress:
                        progress(len(done))
        finally:
            _WORKER.clear()
    outcomes.sort(key=lambda o: o.record_id)
    return outcomes

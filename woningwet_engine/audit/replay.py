"""Replay: re-judge a recorded case with the rulebook files stored in its record and prove the result
is byte-identical; and diff: re-judge it under another date's (today's) rulebook and explain the
changes with the comparison engine."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Callable

from .. import __version__
from ..errors import InputError
from ..gcpause import while_paused
from .log import DecisionLog, record_hash

class ReplayProblem(ValueError):
    """Why a record cannot be judged again, as a key of the catalogue's `replay` section and its fields."""

    def __init__(self, key: str, **fields):
        from ..i18n import text

        super().__init__(text("en", f"replay.problem_{key}", **fields))
        self.key, self.fields = key, fields


@dataclass
class Outcome:
    """One record replayed: its level (levels.py), or why it could not be replayed."""

    record_id: int
    status: str  # identical | version_only | wording | verdicts | error
    engine_version: str | None = None  # the engine that made the record
    differences: tuple = ()  # levels.Difference, each with the subject it is about
    formatting: bool = False  # the same data written with other bytes (key order, spacing)
    problem: tuple[str, dict] | None = None  # (catalogue key, fields) of an error

    @property
    def ok(self) -> bool:
        return self.status in ("identical", "version_only")

    def lines(self, lang: str = "nl") -> list[str]:
        from .replaytext import outcome_lines

        return outcome_lines(self, lang)


# the disk cache's key label of rulebooks rebuilt from a log's files (rulebook/cache.py): built as
# they were logged, without check_runnable; a NUL is in no rules directory's path
REPLAYED = "\0replayed"


class RulebookCache:
    """Rulebooks rebuilt from stored files, by rulebook hash (a few kept; logs rarely hold many), each
    also kept on disk by the files' content (rulebook/cache.py), so that a replay reads it back instead
    of parsing and validating the YAML files again (about a second)."""

    def __init__(self, log: DecisionLog, size: int = 4):
        self.log = log
        self.size = size
        self._books: OrderedDict[str, Any] = OrderedDict()

    def get(self, rec: dict):
        from ..rulebook.cache import build_cached, read_cached
        from ..rulebook.loader import DEFAULT_RULES_DIR, build_rulebook

        key = rec["rulebook_sha256"]
        if key in self._books:
            self._books.move_to_end(key)
            return self._books[key]
        label = f"record {rec['id']} rules"  # names the files in error messages only, never in the rulebook
        files = self.log.rulebook_files(rec)
        # a log of `check --record` with the packaged rules: the CLI's entry is this rulebook (its
        # check_runnable only checks), so a first replay need not build it again (the reverse is
        # never done: a logged rulebook the check would refuse must not reach the CLI)
        book = read_cached(files, str(DEFAULT_RULES_DIR))
        if book is None:
            book = build_cached(files, REPLAYED, lambda files: build_rulebook(files, label=label))
        if book.sha256 != key:
            raise ReplayProblem("rulebook_hash")
        self._books[key] = book
        if len(self._books) > self.size:
            self._books.popitem(last=False)
        return book


def recorded_case(rec: dict):
    """The stored case: a case.Case, or a coalition.model.CoalitionCase for a coalition record."""
    from pydantic import ValidationError

    from ..case import Case
    from ..result import sha256_of

    try:  # a single case, parsed and validated in one step (~0.03 ms a record less than from a dict)
        case = Case.model_validate_json(rec["case_json"])
    except ValidationError:  # a coalition (a Case refuses its fields), or refused: read as before
        data = json.loads(rec["case_json"])
        if isinstance(data, dict) and "corporations" in data:
            from ..coalition.model import CoalitionCase

            case = CoalitionCase.model_validate(data)
        else:
            case = Case.model_validate(data)
    if sha256_of(case.canonical()) != rec["case_sha256"]:
        raise ReplayProblem("case_hash")
    return case


def is_coalition_record(rec: dict) -> bool:
    return json.loads(rec["result_json"]).get("kind") == "coalition"


# judge() keyword options a record may carry, and how to read them back from JSON; `at` is a
# coalition's --at (one date for every phase); a single case's judging date is the record's date
OPTION_TYPES = {"start": dt.date.fromisoformat, "keep_by": str, "at": dt.date.fromisoformat}


def judge_options(rec: dict) -> dict:
    options = json.loads(rec.get("options") or "{}")
    unknown = sorted(set(options) - set(OPTION_TYPES))
    if unknown:
        raise ReplayProblem("unknown_options", options=", ".join(unknown))
    out = {k: OPTION_TYPES[k](v) for k, v in options.items()}
    out.pop("at", None)  # the record's date
    return out


def rejudge_coalition(rec: dict, case, book):
    """A coalition record judged again as `check` judged it: each component under the law of its
    phase's date, or all of them under the recorded --at."""
    from ..coalition.judge import judge_coalition

    judge_options(rec)  # refuses options this engine does not know
    at = json.loads(rec.get("options") or "{}").get("at")
    return judge_coalition(case, book, lang=rec["lang"], source=f"record {rec['id']}",
                           at=dt.date.fromisoformat(at) if at else None)


def rejudge(rec: dict, book, at: dt.date | None = None, engine=None):
    from ..engine import judge

    case = recorded_case(rec)
    day = at or dt.date.fromisoformat(rec["date"])
    return judge(case, book, at=day, lang=rec["lang"], source=f"record {rec['id']}", engine=engine,
                 **judge_options(rec))


def replay_record(rec: dict, books: RulebookCache, engine=None) -> Outcome:
    """Judge the record again and compare the canonical JSON with the stored result byte for byte;
    when they differ, every difference is named with what it is about, and the level says whether
    only words, links or hashes changed or a decision did (levels.py)."""
    return replay_records([rec], books, engine)[0]


@while_paused  # gcpause.py: judged results and compared texts pile up until the batch is done
def replay_records(recs: list[dict], books: RulebookCache, engine=None) -> list[Outcome]:
    """replay_record for each record, judged together (pipeline.judge_many: the durable_rules
    cross-check of the facts of all records of one regime period in one session); each record is
    still judged on its own and its JSON compared byte for byte with its stored result."""
    from ..case import Case
    from ..pipeline import CASE_ERRORS, Request, judge_many

    outcomes: list[Outcome | None] = [None] * len(recs)
    runs: list[tuple[object, list[tuple[int, Request]]]] = []  # consecutive records of one rulebook
    for i, rec in enumerate(recs):
        if record_hash(rec) != rec["hash"]:
            outcomes[i] = Outcome(rec["id"], "error", rec["engine_version"], problem=("record_hash", {}))
            continue
        try:
            book = books.get(rec)
            case = recorded_case(rec)
            if not isinstance(case, Case):  # a coalition: judged on its own, phase by phase
                outcomes[i] = _compared(rec, rejudge_coalition(rec, case, book))
                continue
            rq = Request(case, dt.date.fromisoformat(rec["date"]), rec["lang"], f"record {rec['id']}",
                         case_sha256=rec["case_sha256"], **judge_options(rec))  # recorded_case checked it
        except CASE_ERRORS as exc:
            outcomes[i] = _failed(rec, exc)
            continue
        if not runs or runs[-1][0] is not book:
            runs.append((book, []))
        runs[-1][1].append((i, rq))
    for book, items in runs:
        for (i, _), result in zip(items, judge_many([rq for _, rq in items], book, engine)):
            outcomes[i] = _failed(recs[i], result) if isinstance(result, Exception) else _compared(recs[i], result)
    return outcomes  # type: ignore[return-value]


def _failed(rec: dict, exc: Exception) -> Outcome:
    rid, made_by = rec["id"], rec["engine_version"]
    if isinstance(exc, ReplayProblem):
        return Outcome(rid, "error", made_by, problem=(exc.key, exc.fields))
    if isinstance(exc, InputError):
        return Outcome(rid, "error", made_by,
                       problem=("input", {"problems": "; ".join(str(p) for p in exc.problems[:3])}))
    return Outcome(rid, "error", made_by, problem=("engine", {"detail": str(exc)}))


def _compared(rec: dict, result) -> Outcome:
    from ..result import canonical_json
    from .levels import IDENTICAL, WORDING, differences, level, subject_of

    rid, made_by = rec["id"], rec["engine_version"]
    new = canonical_json(result)
    if new == rec["result_json"]:
        return Outcome(rid, IDENTICAL, made_by)
    recorded = json.loads(rec["result_json"])
    found = differences(recorded, json.loads(new))
    if not found:
        return Outcome(rid, WORDING, made_by, formatting=True)
    if made_by != __version__ and [d.path for d in found] == [("provenance", "engine_version")]:
        return Outcome(rid, "version_only", made_by, tuple(found))
    named = tuple(replace(d, subject=subject_of(d.path, recorded)) for d in found)
    return Outcome(rid, level(found), made_by, named)


EXIT = {"identical": 0, "version_only": 0, "wording": 3, "verdicts": 1, "error": 1}


def exit_code(statuses) -> int:
    """The exit code of `audit replay` for these outcome statuses: 1 if any verdict differs or any
    record could not be replayed, else 3 if some text, link or hash differs, else 0."""
    codes = {EXIT[s] for s in statuses}
    return 1 if 1 in codes else 3 if 3 in codes else 0


# --- replaying a whole log ----------------------------------------------------------------------------

BATCH = 100  # records per task handed to a worker process (the last ones are shared out: a short tail)
MIN_PARALLEL = 400  # fewer records than this are replayed in this process (starting workers costs more)
# objects the collector tracks, made and not freed since its last run (gc.get_count), beyond which a long
# replay collects its cyclic garbage: a batch of 100 records leaves ~16,000 (memo entries, a few cycles),
# so a share of 5,000 records runs none; a batch whose failed judgements hold it in cycles gets there sooner
COLLECT_AT = 2_000_000
_WORKER: dict = {}  # in a worker process: the log path and the rulebooks built before the fork


class Collections:
    """The cyclic garbage collector of a long replay: off, and run in full between two batches once
    COLLECT_AT objects it tracks have piled up. A replay's objects are freed by their reference counts
    all but a few (a 5,000-record share leaves ~34,000 objects in cycles, a few MB), but with the
    collector on, its young and middle collections walk every memo entry each batch adds, and its
    full ones the whole heap: ~10% of a worker's CPU (docs/benchmarks.md). `ended` puts the collector
    back as it was."""

    def __init__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def batch_done(self) -> None:
        if gc.get_count()[0] >= COLLECT_AT:
            gc.collect()

    def ended(self) -> None:
        if self.was:
            gc.enable()


ORDER_QUERY = "SELECT id, rulebook_sha256, date FROM records"  # a new log answers it from log.ORDER_INDEX


def _fetch(log: DecisionLog, ids: list[int]) -> list[dict]:
    rows = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        for row in log.conn.execute(f"SELECT * FROM records WHERE id IN ({marks})", part):
            rows[row["id"]] = dict(row)
    return [rows[i] for i in ids]


def replay_engine():
    """The engine a whole-log replay judges with: the default kind (the compiled evaluator on every
    fact), one per replay, so that the records of one regime period share its compiled rules and
    durable_rules rulesets; replay_records hands it each batch's facts through judge_many, which
    cross-checks every fact of every record against durable_rules, all facts of a period at once."""
    from ..evaluation import Engine

    return Engine()


def _replay_batch(ids: list[int]) -> list[Outcome]:
    """In a worker process: replay these records (one rulebook selection after another)."""
    log = _WORKER.get("log")
    if log is None:
        log = _WORKER["log"] = DecisionLog.open(_WORKER["path"])  # a connection of its own, never the parent's
        _WORKER["books"].log = log
    return replay_records(_fetch(log, ids), _WORKER["books"], _WORKER["engine"])


class Shares:
    """Which batch a worker replays next. The batches (in replay_all's order: by rulebook and date) are
    cut into one contiguous share per worker; a worker takes its own share from the front, then the
    last batch of the share with the most left. So each worker meets each regime period once or so
    (its compiled rules, durable_rules rulesets and memos are made per worker and period, ~60 ms),
    where handing out batches in turn had both workers meet nearly every period; and the last
    batches are shared out until none is left, whoever finishes first."""

    def __init__(self, ctx, batches: int, workers: int):
        cuts = [batches * w // workers for w in range(workers + 1)]
        self.bounds = ctx.RawArray("q", [b for w in range(workers) for b in (cuts[w], cuts[w + 1])])  # lo, hi
        self.lock = ctx.Lock()
        self.joined = ctx.RawValue("q", 0)
        self.workers = workers

    def join(self) -> int:
        """A worker's share (in the pool's initializer)."""
        with self.lock:
            slot = self.joined.value
            self.joined.value += 1
        return slot % self.workers

    def claim(self, slot: int) -> int:
        """The index of the next batch for the worker of `slot` (one is left for each claim)."""
        b = self.bounds
        with self.lock:
            if b[2 * slot] < b[2 * slot + 1]:
                b[2 * slot] += 1
                return b[2 * slot] - 1
            most = max(range(self.workers), key=lambda w: b[2 * w + 1] - b[2 * w])
            b[2 * most + 1] -= 1
            return b[2 * most + 1]


def _join() -> None:
    _WORKER["slot"] = _WORKER["shares"].join()
    _WORKER["collections"] = Collections()  # for the worker's life


def _replay_claimed(_token: int) -> list[Outcome]:
    """In a worker process: replay the batch Shares.claim gives this worker."""
    done = _replay_batch(_WORKER["batches"][_WORKER["shares"].claim(_WORKER["slot"])])
    _WORKER["collections"].batch_done()
    return done


def replay_all(log: DecisionLog, jobs: int | None = None,
               progress: Callable[[int], None] | None = None) -> list[Outcome]:
    """Replay every record; the outcomes in record order, each compared byte for byte as in replay_record.

    Records are grouped by rulebook hash and date, so that each rulebook is rebuilt from its stored
    files once and the records of one regime selection (one period between two change points) are
    judged one after another: they share the rules and figures in force (Rulebook.at works them out
    once per period), the compiled rules and the durable_rules rulesets, and the records of one day
    share the per-selection memo of result pieces. Batches of BATCH records are judged together
    (replay_records: one durable_rules session per ruleset and regime period for all their facts).
    With `jobs` > 1 (default: the number of CPUs) and enough records, the batches are replayed by a
    pool of worker processes (fork: the rulebooks are built, and the first record replayed, before
    the workers start, so they inherit the rulebooks, the compiled rules and the built validators; each
    worker replays a contiguous share of the batches, see Shares)."""
    rows = log.conn.execute(ORDER_QUERY).fetchall()
    ordered = [r[0] for r in sorted(rows, key=lambda r: (r[1], r[2], r[0]))]
    books = RulebookCache(log, size=64)
    engine = replay_engine()
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    outcomes: list[Outcome] = []
    import multiprocessing

    parallel = jobs > 1 and len(ordered) >= MIN_PARALLEL and "fork" in multiprocessing.get_all_start_methods()
    if not parallel:
        collections = Collections()
        try:
            for start in range(0, len(ordered), BATCH):
                done = replay_records(_fetch(log, ordered[start:start + BATCH]), books, engine)
                collections.batch_done()
                outcomes += done
                if progress:
                    progress(len(done))
        finally:
            collections.ended()
    else:
        firsts: dict[str, int] = {}
        for rid, digest, _ in rows:
            firsts.setdefault(digest, rid)
        for rec in _fetch(log, sorted(firsts.values())):
            try:
                books.get(rec)  # built here once, inherited by every worker
            except Exception:  # the record's own replay reports it
                pass
        outcomes += replay_records(_fetch(log, ordered[:1]), books, engine)  # builds what every worker needs
        if progress:
            progress(1)
        rest = ordered[1:]
        batches = [rest[i:i + BATCH] for i in range(0, len(rest), BATCH)]
        ctx, workers = multiprocessing.get_context("fork"), min(jobs, len(batches))
        _WORKER.clear()
        _WORKER.update(path=log.path, books=books, engine=engine, batches=batches,
                       shares=Shares(ctx, len(batches), workers))
        try:
            with ctx.Pool(workers, initializer=_join) as pool:  # one claim per token: every batch once
                for done in pool.imap_unordered(_replay_claimed, range(len(batches))):
                    outcomes += done
                    if progress:
                        progress(len(done))
        finally:
            _WORKER.clear()
    outcomes.sort(key=lambda o: o.record_id)
    return outcomes

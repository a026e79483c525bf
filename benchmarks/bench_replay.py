"""Benchmark: record N small synthetic decisions, then verify and replay the whole log.

    .venv/bin/python benchmarks/bench_replay.py                # 10,000 records
    .venv/bin/python benchmarks/bench_replay.py --records 500 --log /tmp/bench.sqlite --keep

Reports wall time per phase, records per second and peak memory: the peak resident set size of
the process (resource.getrusage) and, with --tracemalloc, the peak of Python allocations during
replay (tracemalloc slows the replay down by a factor of about two). Not part of the test suite;
tests/test_audit.py runs a 20-record smoke run of `main`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from woningwet_engine.audit import DecisionLog, case_json_of  # noqa: E402
from woningwet_engine.audit.replay import RulebookCache, replay_all, replay_record  # noqa: E402
from woningwet_engine.case import Case  # noqa: E402
from woningwet_engine.engine import judge  # noqa: E402
from woningwet_engine.result import canonical_json  # noqa: E402
from woningwet_engine.rulebook.cache import load_rulebook_cached  # noqa: E402

UTRECHT = "GM0344"


def synthetic_case(i: int, rng: random.Random, book) -> Case:
    """A one- or two-component case on a random date in the rulebook's coverage."""
    span = (book.meta.coverage_to - book.meta.coverage_from).days
    day = book.meta.coverage_from + dt.timedelta(days=rng.randrange(span + 1))
    location = {"municipality": UTRECHT, "area_has_corporation_homes": True, "wijk_function": True,
                "adjacent_to_own_property": True}
    comps = [{
        "id": "D1", "title": "huurwoningen", "activity": rng.choice(["build", "renovate"]), "object": "dwelling",
        "location": location, "units": rng.randint(1, 200), "floor_area_m2": rng.randint(50, 20000),
        "cost": str(rng.randint(100, 50_000) * 1000), "land": {"built": True, "acquired_on": "1962-01-01"},
        "dwelling": {"self_contained": True, "tenure": "rent", "rent": f"{rng.randint(30000, 120000) / 100:.2f}"},
    }]
    if rng.random() < 0.5:
        comps.append({
            "id": "L1", "title": "leefbaarheid", "activity": "spend", "object": "leefbaarheid", "location": location,
            "leefbaarheid": {"category": rng.choice(["woonmaatschappelijk_werk", "ontmoeting"]),
                             "annual_amount": str(rng.randint(1, 500) * 1000), "near_own_property_or_tenants": True},
        })
    return Case.model_validate({
        "case_id": f"bench-{i}", "title": f"synthetic case {i}", "date": day.isoformat(),
        "corporation": {"name": "Bench Woonstichting", "home_municipality": UTRECHT, "municipalities": [UTRECHT],
                        "daeb_rental_homes": rng.randint(500, 60000)},
        "components": comps,
    })


def cpu_s() -> float:
    """CPU time of this process and of its finished children (the replay's worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--log", type=Path, help="log file (default: a temporary file, removed afterwards)")
    ap.add_argument("--keep", action="store_true", help="keep the log file")
    ap.add_argument("--seed", type=int, default=20150701)
    ap.add_argument("--tracemalloc", action="store_true", help="also measure the peak of Python allocations")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--jobs", type=int, default=None, help="replay worker processes (default: the CPUs)")
    ap.add_argument("--compare-serial", action="store_true", help="also replay one by one in this process")
    ap.add_argument("--replay-only", action="store_true", help="replay an existing --log (do not record)")
    args = ap.parse_args(argv)

    tmpdir = None
    if args.log is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="bench-replay-")
        args.log = Path(tmpdir.name) / "decisions.sqlite"
    stats: dict = {"records": args.records}
    try:
        book = load_rulebook_cached()  # as `check --record` loads it (the replay may read it back)
        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        with DecisionLog.open(args.log, create=True) as log:
            start = log.count()
            items = []
            for i in range(0 if args.replay_only else args.records):
                case = synthetic_case(start + i, rng, book)
                result = judge(case, book, lang="nl" if i % 2 else "en")
                items.append(dict(case_json=case_json_of(case), result_json=canonical_json(result), files=book.files,
                                  engine_version=result.provenance.engine_version, date=result.date,
                                  lang=result.lang, case_id=result.case, origin="bench",
                                  source="benchmarks/bench_replay.py"))
                if len(items) == 500 or i == args.records - 1:  # one transaction per 500 records
                    log.append_many(items)
                    items = []
        stats["record_s"] = round(time.perf_counter() - t0, 3)
        stats["rss_after_record_mb"] = round(peak_rss_mb(), 1)

        with DecisionLog.open(args.log) as log:
            total = log.count()
            t0 = time.perf_counter()
            report = log.verify()
            stats["verify_s"] = round(time.perf_counter() - t0, 3)
            stats["verify_ok"] = report.ok
            if args.tracemalloc:
                tracemalloc.start()
            t0, c0 = time.perf_counter(), cpu_s()
            counts: dict[str, int] = {}
            for outcome in replay_all(log, jobs=args.jobs):  # grouped, batched, a process pool
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
                if not outcome.ok:
                    print(f"record {outcome.record_id}: {outcome.message}", file=sys.stderr)
            replay_s, replay_cpu = time.perf_counter() - t0, cpu_s() - c0
            if args.compare_serial:  # the old way, one record after another in this process, for the ratio
                t0, c0 = time.perf_counter(), cpu_s()
                books = RulebookCache(log)
                for rec in log.records():
                    replay_record(rec, books)
                stats["replay_serial_s"] = round(time.perf_counter() - t0, 3)
                stats["replay_serial_cpu_s"] = round(cpu_s() - c0, 3)
            if args.tracemalloc:
                stats["replay_tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
                tracemalloc.stop()
        stats.update({
            "log_records": total,
            "replay_s": round(replay_s, 3),
            "replay_per_record_ms": round(replay_s / max(total, 1) * 1000, 3),
            "replay_cpu_s": round(replay_cpu, 3),
            "replay_cpu_per_record_ms": round(replay_cpu / max(total, 1) * 1000, 3),
            "replay_records_per_s": round(total / replay_s, 1) if replay_s else None,
            "replay_outcomes": dict(sorted(counts.items())),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "log_size_mb": round(args.log.stat().st_size / 2**20, 1),
        })
    finally:
        if tmpdir is not None and not args.keep:
            tmpdir.cleanup()
        elif args.keep:
            stats["log"] = str(args.log)
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key:<28}{value}")
    return stats


if __name__ == "__main__":
    s = main()
    sys.exit(0 if s.get("verify_ok") and set(s.get("replay_outcomes", {})) <= {"identical"} else 1)

"""Memory of a long-running process (issue #17): judgements across many dates and rulebook versions.

    .venv/bin/python benchmarks/bench_memory.py [--judgements 10000] [--dates 50] [--rulebooks 4]

Judges small synthetic cases in one process, cycling through `--dates` dates over the rulebook's
coverage and `--rulebooks` versions of the rulebook (the same rules with a different comment, so a
different hash: what a server or a replay of old records meets), and samples the resident memory.
Each (rulebook version, regime period) is one durable_rules selection of a few MB of C memory that
durable_rules never frees by itself; the adapter keeps the MAX_SELECTIONS most recently used and
deletes the others. Limit (the acceptance criterion): after the first tenth of the run (warm-up:
caches filled), resident memory stays within +-10% of its level then. Exit 1 if it does not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

LIMIT = 0.10


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--judgements", type=int, default=10_000)
    ap.add_argument("--dates", type=int, default=50)
    ap.add_argument("--rulebooks", type=int, default=4)
    args = ap.parse_args()

    from rulehelpers import component, make_case
    from woningwet_engine.engine import judge
    from woningwet_engine.evaluation import default_engine
    from woningwet_engine.inference.durable_adapter import MAX_SELECTIONS
    from woningwet_engine.rulebook.loader import DEFAULT_RULES_DIR, build_rulebook, read_rules_dir

    files = read_rules_dir(DEFAULT_RULES_DIR)
    books = [build_rulebook(dict(files, **{"rulebook.yaml": files["rulebook.yaml"] + f"\n# version {v}\n".encode()}))
             for v in range(args.rulebooks)]
    lo, hi = books[0].meta.coverage_from, books[0].meta.coverage_to
    dates = [lo + dt.timedelta(days=(hi - lo).days * i // max(1, args.dates - 1)) for i in range(args.dates)]
    selections = {(b.sha256, b.at(d).key) for b in books for d in dates}
    print(f"{args.judgements} judgements, {len(dates)} dates, {len(books)} rulebook versions: "
          f"{len(selections)} selections, at most {MAX_SELECTIONS} kept")
    warmup = max(1, args.judgements // 10)
    samples = []
    start = time.perf_counter()
    for i in range(args.judgements):
        day = dates[i % len(dates)]
        book = books[(i // len(dates)) % len(books)]
        case = make_case(day.isoformat(), [component(id=f"C{i % 7}", dwelling={"rent": f"{400 + i % 500}.00"})],
                         case_id=f"mem-{i % 13}")
        judge(case, book)
        if i + 1 == warmup or (i + 1) % max(1, args.judgements // 20) == 0:
            samples.append((i + 1, rss_mb(), default_engine().matcher.registered))
    elapsed = time.perf_counter() - start
    base = next(mb for n, mb, _ in samples if n >= warmup)
    worst = max(abs(mb - base) / base for n, mb, _ in samples if n >= warmup)
    for n, mb, registered in samples:
        print(f"  after {n:>6}: {mb:7.1f} MB resident, {registered} rulesets registered")
    print(f"{elapsed:.1f} s ({elapsed / args.judgements * 1000:.1f} ms per judgement); after warm-up memory "
          f"varies by at most {worst * 100:.1f}% (limit {LIMIT * 100:.0f}%)")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())

"""Single-case latency of the CLI (not part of the test suite; see docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_cli.py [--runs 15] [CASE]

Runs `woningwet check CASE` in fresh processes, with the on-disk rulebook cache warm and with it
turned off (WONINGWET_NO_CACHE=1), and prints the median and best wall time and user CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WONINGWET = Path(sys.executable).with_name("woningwet")


def run(case: Path, env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([str(WONINGWET), "check", str(case)], env=env, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", nargs="?", default=str(ROOT / "cases" / "kanaleneiland-2016.yaml"))
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    case = Path(args.case)
    out = {}
    for label, extra in (("cache", {}), ("no_cache", {"WONINGWET_NO_CACHE": "1"})):
        env = dict(os.environ, **extra)
        run(case, env)  # warm the OS file cache (and the rulebook cache)
        walls, cpus = zip(*(run(case, env) for _ in range(args.runs)))
        out[label] = {"median_wall_s": round(statistics.median(walls), 3), "best_wall_s": round(min(walls), 3),
                      "median_cpu_s": round(statistics.median(cpus), 3)}
    startup = []
    for _ in range(args.runs):
        s = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        startup.append(time.perf_counter() - s)
    out["python_startup_median_s"] = round(statistics.median(startup), 3)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

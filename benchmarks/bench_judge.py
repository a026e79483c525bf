"""judge() of one case in a warm process, side by side with another revision (not part of the tests;
see docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_judge.py [--runs 30] [--rounds 5] [--baseline REV] [CASE]

Each round starts one fresh process per tree (this tree, and with --baseline the package of git
revision REV and its rules exported to a temporary directory, on the same Python and packages),
alternating, so that machine load hits both alike. A process loads its tree's rulebook (disk
cache), judges the case once (the first judgement: what a CLI run pays) and then --runs times, and
reports the CPU time of the first and the median of the others. Printed: the medians over the
rounds per tree, their ratio, whether every run of a tree gave the same JSON, and whether the two
trees gave the same bytes (expected only when the rules and the engine's output did not change
between them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import statistics, sys, time
tree, case_path, runs, rules = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]
sys.path.insert(0, tree)
import hashlib, json
from woningwet_engine.coalition.load import load_any_case
from woningwet_engine.engine import judge
from woningwet_engine.result import canonical_json
from woningwet_engine.rulebook.cache import load_rulebook_cached
book = load_rulebook_cached(rules)
case = load_any_case(case_path, book)
t = time.process_time()
result = judge(case, book)
first = time.process_time() - t
times = []
for _ in range(runs):
    t = time.process_time()
    judge(case, book)
    times.append(time.process_time() - t)
print(json.dumps({"first_ms": first * 1000, "warm_ms": statistics.median(times) * 1000,
                  "sha256": hashlib.sha256(canonical_json(result).encode()).hexdigest()}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", nargs="?", default=str(ROOT / "cases" / "kanaleneiland-2016.yaml"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--baseline", metavar="REV")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_cli import export_tree

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "woningwet_engine")], env=env,
                   check=True, capture_output=True)
    with tempfile.TemporaryDirectory(prefix="bench-judge-") as tmp:
        trees = {"this tree": ROOT}  # each judges with its own rules (tree/rules)
        if args.baseline:
            trees[args.baseline] = export_tree(args.baseline, Path(tmp))
        out: dict = {"load_average_before": [round(x, 2) for x in os.getloadavg()]}
        seen: dict[str, list[dict]] = {name: [] for name in trees}
        for _ in range(args.rounds + 1):  # the first round warms the disk caches of both trees
            for name, tree in trees.items():
                proc = subprocess.run([sys.executable, "-c", PROBE, str(tree), args.case, str(args.runs),
                                       str(tree / "rules")], env=env, capture_output=True, text=True)
                if proc.returncode:
                    raise SystemExit(proc.stderr)
                seen[name].append(json.loads(proc.stdout))
        for name, rows in seen.items():
            rows = rows[1:]
            out[name] = {"first_judge_cpu_ms": round(statistics.median(r["first_ms"] for r in rows), 1),
                         "warm_judge_cpu_ms": round(statistics.median(r["warm_ms"] for r in rows), 2)}
        out["each_tree_deterministic"] = all(len({r["sha256"] for r in rows}) == 1 for rows in seen.values())
        out["same_bytes_across_trees"] = len({r["sha256"] for rows in seen.values() for r in rows}) == 1
        if args.baseline:
            a, b = out["this tree"], out[args.baseline]
            out["warm_this_over_baseline"] = round(a["warm_judge_cpu_ms"] / b["warm_judge_cpu_ms"], 3)
            out["first_this_over_baseline"] = round(a["first_judge_cpu_ms"] / b["first_judge_cpu_ms"], 3)
        out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

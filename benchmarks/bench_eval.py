"""Evaluation and end-to-end throughput, side by side in one process (not part of the tests; docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_eval.py                       # realistic + distinct, 10k components
    .venv/bin/python benchmarks/bench_eval.py --sizes 1000 --kinds realistic
    .venv/bin/python benchmarks/bench_eval.py --scaling             # 10 / 100 / 1,000 / 10,000 in one case
    .venv/bin/python benchmarks/bench_eval.py --project 3000        # one project of 3,000 components

Each run is its own subprocess (so peak RSS is its own) and times, on the same generated
portfolio (benchmarks/generate.py) and in the same process, interleaved over --rounds rounds:
  - limit:     a minimal predicate loop: every component branch compiled once to one Python function
               (conditions/compiled.compile_node), called on every component fact, fired set only;
  - compiled:  evaluation.CompiledEvaluator (the hot path: statuses and why-not of every branch);
  - reference: evaluation.evaluate_fact (the tree-walking oracle, with why-not);
  - durable:   raw durable_rules matching of the same facts (the cross-check, batched per case);
  - full:      engine.judge with the default engine: facts, compiled evaluation, durable_rules
               cross-check, verdicts with reasons, citations and why-not, plan checks, splits,
               remediation and route, i.e. the whole Result (per stage).
All four evaluators must fire the same branches (checked); the full result is compared with
judge() on the reference engine for the first case (byte for byte, as JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402
from woningwet_engine import pipeline as engine_mod  # noqa: E402
from woningwet_engine.case import Case  # noqa: E402
from woningwet_engine.conditions.compiled import compile_node  # noqa: E402
from woningwet_engine.conditions.evaluator import Tri  # noqa: E402
from woningwet_engine.engine import judge  # noqa: E402
from woningwet_engine.evaluation import CompiledEvaluator, Engine, evaluate_fact, rules_by_scope  # noqa: E402
from woningwet_engine.facts import build_facts  # noqa: E402
from woningwet_engine.result import canonical_json  # noqa: E402
from woningwet_engine.rulebook import load_rulebook  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fired_sets(evs) -> set:
    return {(bs.id, ev.fact["id"]) for ev in evs for bs in ev.fired}


class Stages:
    """Wall time per stage of pipeline.judge, by wrapping the functions it calls (benchmark only)."""

    NAMES = ("build_facts", "evaluate_all", "component_result", "plan_checks", "build_splits", "remediate",
             "build_route", "assemble")

    def __init__(self) -> None:
        self.times = dict.fromkeys(self.NAMES, 0.0)
        self._orig = {}

    def __enter__(self):
        for name in self.NAMES:
            orig = getattr(engine_mod, name)
            self._orig[name] = orig

            def timed(*a, _orig=orig, _name=name, **k):
                t = time.perf_counter()
                try:
                    return _orig(*a, **k)
                finally:
                    self.times[_name] += time.perf_counter() - t
            setattr(engine_mod, name, timed)
        return self

    def __exit__(self, *exc):
        for name, orig in self._orig.items():
            setattr(engine_mod, name, orig)


def predicate_loop(sel, facts: list[dict]):
    """The limit: every component branch compiled once to one generated function (fired set only),
    as a function that calls them on every fact and returns the fired (branch, fact id) pairs."""
    predicates = [(b.id, compile_node(b.root, sel.values)) for cr in sel.rules if cr.rule.scope == "component"
                  for b in cr.branches]

    def limit() -> set:
        fired = set()
        for f in facts:
            fid = f["id"]
            for bid, pred in predicates:
                if pred(f) is Tri.TRUE:
                    fired.add((bid, fid))
        return fired
    return limit


def run_eval(kind: str, n: int, rounds: int) -> dict:
    book = load_rulebook()
    day = generate.DAY
    data = generate.realistic(n) if kind == "realistic" else generate.distinct(n)
    cases = [Case.model_validate(d) for d in data]
    sel = book.at(day)
    by_scope = rules_by_scope(sel)
    comp_rules = by_scope.get("component", [])
    t = time.perf_counter()
    facts = [f for c in cases for f in build_facts(c, sel)[0]]
    facts_s = time.perf_counter() - t
    per_case = [build_facts(c, sel)[0] for c in cases]
    limit = predicate_loop(sel, facts)

    def compiled():
        return _fired_sets(CompiledEvaluator().evaluate_facts(sel, by_scope, facts))  # cold: a fresh memo

    def reference():
        return _fired_sets([evaluate_fact(comp_rules, f, sel.values) for f in facts])

    matcher_engine = Engine()
    matcher_engine.branches(sel)

    def durable():
        fired = set()
        for fs in per_case:
            fired |= {(b, fid) for b, fid in matcher_engine.matcher.match(sel.key, fs)}
        return fired

    runs = {"limit": limit, "compiled": compiled, "reference": reference, "durable": durable}
    times: dict[str, list[float]] = {k: [] for k in runs}
    results = {}
    for _ in range(rounds):
        for name, fn in runs.items():  # interleaved, so that machine load hits all alike
            gc.collect()
            t = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t)
    agree = len({frozenset(r) for r in results.values()}) == 1

    # the whole Result, per stage; streamed case by case as a portfolio run would write it out
    gc.collect()
    full_times, json_s, size = [], 0.0, 0
    stages = None
    for r in range(rounds):
        with Stages() as st:
            t = time.perf_counter()
            for c in cases:
                res = judge(c, book, at=day)
                if r == 0:
                    tj = time.perf_counter()
                    size += len(canonical_json(res))
                    json_s += time.perf_counter() - tj
            full_times.append(time.perf_counter() - t - (json_s if r == 0 else 0.0))
        stages = st.times if stages is None or sum(st.times.values()) < sum(stages.values()) else stages
    same = None
    if n <= 20_000:
        first = cases[0]
        same = canonical_json(judge(first, book, at=day)) == canonical_json(
            judge(first, book, at=day, engine=Engine(reference=True)))
    med = {k: statistics.median(v) for k, v in times.items()}
    full = statistics.median(full_times)
    return {
        "kind": kind, "components": n, "cases": len(cases), "rounds": rounds,
        "facts_s": round(facts_s, 3),
        **{f"{k}_per_s": round(n / v) for k, v in med.items()},
        "full_per_s": round(n / full),
        "full_s": round(full, 3),
        "full_to_limit": round((n / full) / (n / med["limit"]), 3),
        "compiled_to_reference": round(med["reference"] / med["compiled"], 1),
        "limit_to_durable": round(med["durable"] / med["limit"], 1),
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "json_s": round(json_s, 3), "json_mb": round(size / 1e6, 1),
        "evaluators_agree": agree, "identical_to_reference_judge": same,
        "fired": len(results["limit"]), "peak_rss_mb": round(rss_mb(), 1),
    }


def run_one_case(n: int, project: int | None) -> dict:
    """n components in ONE case, end to end (splits, remediation, route included)."""
    book = load_rulebook()
    data = generate.one_project(n) if project else generate.realistic(n, project_size=(10, 10), case_size=n)[0]
    case = Case.model_validate(data)
    gc.collect()
    with Stages() as st:
        t, cpu = time.perf_counter(), time.process_time()
        res = judge(case, book, at=generate.DAY)
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    text = canonical_json(res)
    dump = time.perf_counter() - t
    return {"components": n, "one_project": bool(project), "judge_s": round(wall, 3), "judge_cpu_s": round(cpu, 3),
            "per_component_ms": round(wall / n * 1000, 3), "stages_s": {k: round(v, 3) for k, v in st.times.items()},
            "json_s": round(dump, 3), "json_mb": round(len(text) / 1e6, 1),
            "remediations": sum(len(c.remediation) for c in res.components), "peak_rss_mb": round(rss_mb(), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--kinds", default="realistic,distinct")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scaling", action="store_true", help="10 / 100 / 1,000 / 10,000 components in one case")
    ap.add_argument("--project", type=int, default=0, help="one project of this many components")
    ap.add_argument("--eval", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--case", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.eval:
        print(json.dumps(run_eval(args.eval[0], int(args.eval[1]), int(args.eval[2]))))
        return
    if args.case:
        print(json.dumps(run_one_case(args.case[0], args.case[1] or None)))
        return
    print(json.dumps({"python": platform.python_version(), "cpus": os.cpu_count(),
                      "load_average": [round(x, 2) for x in os.getloadavg()]}))
    jobs = []
    if args.scaling:
        jobs += [["--case", str(n), "0"] for n in (10, 100, 1000, 10000)]
    if args.project:
        jobs.append(["--case", str(args.project), "1"])
    if not args.scaling and not args.project:
        jobs += [["--eval", k, s, str(args.rounds)] for s in args.sizes.split(",") for k in args.kinds.split(",")]
    for job in jobs:
        proc = subprocess.run([sys.executable, __file__, *job], capture_output=True, text=True)
        print(proc.stdout.strip() or proc.stderr[-3000:], flush=True)
    print(json.dumps({"load_average_after": [round(x, 2) for x in os.getloadavg()]}))


if __name__ == "__main__":
    main()

"""Portfolio throughput and memory (not part of the test suite; see docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_portfolio.py                 # 1k, 10k, 100k components
    .venv/bin/python benchmarks/bench_portfolio.py --sizes 1000    # one size
    .venv/bin/python benchmarks/bench_portfolio.py --cases 10000   # memory across many cases
    .venv/bin/python benchmarks/bench_portfolio.py --side-by-side 10000   # limit / plain / shared, one process

--side-by-side N: in one fresh process, on N realistic components (benchmarks/generate.py, projects
of 2-12), alternating over --rounds rounds, CPU time of: the minimal predicate loop (the limit of
bench_eval.py), the whole Result by `judge` the plain way (remediation.SHORTCUTS off; no shared
evaluator pieces, FactEvaluation.parts: why-not lists sorted per branch state, reasons for open
branches and open violation tests made per component; assumptions made from each component's
reasons) and the whole Result as `judge` gives it (those shared); the two Results are compared
byte for byte. The process is warmed up on another portfolio (seed 11, a tenth of N); round 1
judges the shared way first, so `first_*` is the first judgement of these components (a
corporation's run); `shared_*` is the median of the later rounds, which judge them again and find
their shared result pieces made (with --rounds 1 it is the first judgement).

Each size runs in a fresh subprocess (so its peak RSS is its own) and measures, on the same
synthetic portfolio in the same run:
  - plain Python: the reference evaluator on every component fact, every rule branch (no trace);
  - portfolio:    portfolio.judge_portfolio (durable_rules + reference cross-check once per class of
                  equivalent facts, full Result with reasons, why-not lists and citations per component);
  - per fact:     engine.judge with the default engine (every fact evaluated), on the 1k portfolio only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from woningwet_engine.case import Case  # noqa: E402
from woningwet_engine.conditions.evaluator import Tri, evaluate  # noqa: E402
from woningwet_engine.engine import Engine, judge  # noqa: E402
from woningwet_engine.facts import build_facts  # noqa: E402
from woningwet_engine.portfolio import SharedEngine, judge_portfolio  # noqa: E402
from woningwet_engine.rulebook import load_rulebook  # noqa: E402

CASE_SIZE = 5_000  # components per case file in the synthetic portfolio
WARM_SEED = 11  # --side-by-side warms up on this seed's portfolio, not on the timed one (seed 2016)
DAY = dt.date(2019, 6, 1)
MUNICIPALITIES = ["GM0344", "GM0356", "GM0599"]


def synthetic_component(rng: random.Random, i: int) -> dict:
    """A component like those in a corporation's annual plan: mostly homes, some other real estate."""
    kind = rng.choices(["rent", "renovate", "sale", "bog", "parking", "leefbaarheid", "mv"],
                       weights=[50, 20, 8, 6, 6, 6, 4])[0]
    loc = {"municipality": rng.choice(MUNICIPALITIES), "area_has_corporation_homes": rng.random() < 0.9,
           "wijk_function": rng.random() < 0.8, "adjacent_to_own_property": True}
    base = {"id": f"C{i}", "title": f"component {i}", "location": loc, "units": rng.randint(1, 80),
            "floor_area_m2": rng.randint(50, 6000), "cost": f"{rng.randint(50_000, 9_000_000)}.00"}
    land = {"built": rng.random() < 0.85}
    rent = f"{rng.randint(35_000, 120_000) / 100:.2f}"
    if kind in ("rent", "renovate", "sale"):
        tenure = "sale" if kind == "sale" else "rent"
        act = {"rent": rng.choice(["build", "acquire", "let"]), "renovate": rng.choice(["renovate", "maintain"]),
               "sale": "build"}[kind]
        return dict(base, activity=act, object="dwelling", land=land,
                    dwelling={"self_contained": rng.random() < 0.95, "tenure": tenure, "rent": rent})
    if kind == "bog":
        return dict(base, activity=rng.choice(["build", "let", "maintain"]), object="bog", land=land,
                    bog={"use": "shop"})
    if kind == "parking":
        return dict(base, activity="build", object="parking", land=land,
                    parking={"use": rng.choice(["dwellings", "public"]), "for_daeb_dwellings": rng.random() < 0.7})
    if kind == "mv":
        return dict(base, activity="build", object="mv", land=land,
                    mv={"vera_code": rng.choice(["BUU", "BRE", "REZ", "BAS"]), "function": "buurthuis",
                        "tenant_type": "social_foundation"})
    return dict(base, activity="spend", object="leefbaarheid",
                leefbaarheid={"category": rng.choice(["woonmaatschappelijk_werk", "clean_safe_nuisance",
                                                      "small_scale_infrastructure", "other"]),
                              "annual_amount": f"{rng.randint(1_000, 90_000)}.00",
                              "near_own_property_or_tenants": True})


def portfolio(n: int, seed: int = 2016) -> list[Case]:
    rng = random.Random(seed)
    comps = [synthetic_component(rng, i) for i in range(n)]
    cases = []
    for start in range(0, n, CASE_SIZE):
        chunk = comps[start:start + CASE_SIZE]
        cases.append(Case.model_validate({
            "case_id": f"portfolio-{start // CASE_SIZE}", "title": "synthetic portfolio", "date": DAY.isoformat(),
            "corporation": {"name": "Bench Wonen", "home_municipality": "GM0344", "municipalities": MUNICIPALITIES,
                            "daeb_rental_homes": 30_000},
            "components": chunk}))
    return cases


def plain_python(book, cases) -> tuple[float, int]:
    """Every rule branch of every component, with the reference evaluator only (no trace).
    Building the facts is timed too, as judge_portfolio has to build them as well."""
    sel = book.at(DAY)
    comp_rules = [cr for cr in sel.rules if cr.rule.scope == "component"]
    roots = [b.root for cr in comp_rules for b in cr.branches]
    t = time.perf_counter()
    fired = 0
    for case in cases:
        for f in build_facts(case, sel)[0]:
            for root in roots:
                fired += evaluate(root, f, sel.values) is Tri.TRUE
    return time.perf_counter() - t, fired


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(n: int) -> dict:
    book = load_rulebook()
    cases = portfolio(n)
    book.at(DAY)
    out: dict = {"components": n, "cases": len(cases)}
    plain_s, fired = plain_python(book, cases)
    out["plain_python_s"] = round(plain_s, 3)
    out["plain_python_per_s"] = round(n / plain_s)
    engine = SharedEngine()
    gc.collect()
    # results are streamed (one case at a time) and dropped after their JSON is measured, as a
    # portfolio run would write them out; only the 1k run keeps them to compare with engine.judge
    keep = n <= 1000
    kept, reasons, size, judge_s, dump_s = [], 0, 0, 0.0, 0.0
    results = judge_portfolio(cases, book, engine=engine)
    while True:
        t = time.perf_counter()
        r = next(results, None)
        judge_s += time.perf_counter() - t
        if r is None:
            break
        reasons += sum(len(c.reasons) for c in r.components)
        t = time.perf_counter()
        size += len(json.dumps(r.model_dump(mode="json")))
        dump_s += time.perf_counter() - t
        if keep:
            kept.append(r)
        del r
    out["portfolio_s"] = round(judge_s, 3)
    out["portfolio_per_s"] = round(n / judge_s)
    out["ratio_portfolio_to_plain"] = round(out["portfolio_per_s"] / out["plain_python_per_s"], 3)
    out["rule_evaluations"] = engine.stats["evaluated"]
    out["durable_classes"] = engine.stats["matched"]
    out["reasons"] = reasons
    out["json_dump_s"] = round(dump_s, 3)
    out["json_mb"] = round(size / 1e6, 1)
    if n <= 1000:
        t = time.perf_counter()
        slow = [judge(c, book, engine=Engine()) for c in cases]
        per_fact_s = time.perf_counter() - t
        out["per_fact_engine_per_s"] = round(n / per_fact_s)
        same = all(a.model_dump(mode="json") == b.model_dump(mode="json") for a, b in zip(slow, kept))
        out["identical_to_judge"] = same
    out["peak_rss_mb"] = round(rss_mb(), 1)
    return out


def side_by_side(n: int, rounds: int) -> dict:
    """limit / plain / shared on n realistic components, alternating, CPU seconds (median of rounds)."""
    import statistics
    from contextlib import contextmanager

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate
    from bench_eval import predicate_loop
    import dataclasses

    from woningwet_engine import pipeline, remediation, verdict
    from woningwet_engine.result import canonical_json

    book = load_rulebook()
    sel = book.at(generate.DAY)
    cases = [Case.model_validate(d) for d in generate.realistic(n)]
    limit = predicate_loop(sel, [f for c in cases for f in build_facts(c, sel)[0]])

    def own_assumptions(reasons, lang, illustrative, memo, figures):  # made from each component's reasons
        out = verdict.assumptions_for(reasons, lang, figures)
        return out + [verdict.tr(lang, "assumptions.illustrative")] if illustrative else out

    made = pipeline.component_result

    def without_pieces(comp, ev, *rest):  # no shared pieces: why-not, open branches per component
        return made(comp, dataclasses.replace(ev, parts=None, runs=None), *rest)

    @contextmanager
    def plain_way():
        saved = remediation.SHORTCUTS, verdict._assumptions
        remediation.SHORTCUTS, verdict._assumptions, pipeline.component_result = False, own_assumptions, without_pieces
        try:
            yield
        finally:
            remediation.SHORTCUTS, verdict._assumptions = saved
            pipeline.component_result = made

    def whole() -> list:
        return [judge(c, book, at=generate.DAY) for c in cases]

    def plain() -> list:
        with plain_way():
            return whole()

    # the selection's programs and rulesets, as in a warm process: on another portfolio, so that no
    # shared piece of the timed components is made before the first round
    for c in [Case.model_validate(d) for d in generate.realistic(max(n // 10, 300), seed=WARM_SEED,
                                                                 case_prefix="warm")]:
        judge(c, book, at=generate.DAY)
    cpu: dict[str, list[float]] = {"limit": [], "plain": [], "shared": []}
    same = True
    for r in range(rounds):
        outs = {}
        # round 1 judges the shared way first: its figure is the first judgement of these components
        order = ("shared", "plain") if r == 0 else ("plain", "shared")
        for name, fn in (("limit", limit), *((k, {"plain": plain, "shared": whole}[k]) for k in order)):
            gc.collect()
            t = time.process_time()
            outs[name] = fn()
            cpu[name].append(time.process_time() - t)
        same = same and [canonical_json(r) for r in outs["plain"]] == [canonical_json(r) for r in outs["shared"]]
        del outs
    first = cpu["shared"][0]
    if rounds > 1:  # the repeats: every timed way has seen these components before
        cpu["shared"] = cpu["shared"][1:]
    med = {k: statistics.median(v) for k, v in cpu.items()}
    return {"components": n, "rounds": rounds, "load_avg_1min": round(__import__("os").getloadavg()[0], 2),
            "first_cpu_s": round(first, 3), "first_per_s": round(n / first),
            "first_to_limit": round(med["limit"] / first, 3),
            **{f"{k}_cpu_s": round(v, 3) for k, v in med.items()},
            **{f"{k}_per_s": round(n / v) for k, v in med.items()},
            "plain_to_limit": round(med["limit"] / med["plain"], 3),
            "shared_to_limit": round(med["limit"] / med["shared"], 3),
            "shared_speedup": round(med["plain"] / med["shared"], 3), "identical": same}


def run_cases(count: int) -> dict:
    """Memory across many small cases in one process (default engine, as the CLI uses it)."""
    from woningwet_engine.case import load_case

    book = load_rulebook()
    case = load_case(ROOT / "cases" / "kanaleneiland-2016.yaml")
    samples = {}
    t = time.perf_counter()
    for i in range(1, count + 1):
        judge(case, book).model_dump(mode="json")
        if i in (1, 100, 1000) or i % 2500 == 0 or i == count:
            gc.collect()
            samples[i] = round(rss_mb(), 1)
    return {"cases": count, "components_per_case": len(case.components), "seconds": round(time.perf_counter() - t, 1),
            "peak_rss_mb_after": samples}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--cases", type=int, default=0, help="also judge this many cases in one process")
    ap.add_argument("--side-by-side", type=int, metavar="N", help="limit / plain / shared on N realistic components")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of --side-by-side (default 3)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--many", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.side_by_side:
        print(json.dumps(side_by_side(args.side_by_side, args.rounds)))
        return
    if args.one:
        print(json.dumps(run_size(args.one)))
        return
    if args.many:
        print(json.dumps(run_cases(args.many)))
        return
    print(json.dumps({"python": platform.python_version(), "machine": platform.machine(),
                      "processor": platform.processor(), "cpus": __import__("os").cpu_count()}))
    for n in [int(s) for s in args.sizes.split(",") if s]:
        proc = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True)
        print(proc.stdout.strip() or proc.stderr[-2000:], flush=True)
    if args.cases:
        proc = subprocess.run([sys.executable, __file__, "--many", str(args.cases)], capture_output=True, text=True)
        print(proc.stdout.strip() or proc.stderr[-2000:], flush=True)


if __name__ == "__main__":
    main()

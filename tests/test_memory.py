"""durable_rules memory stays bounded (issue #17): the adapter keeps the most recently used
selections registered and deletes the rest, so a process that keeps meeting new rulebook versions
(a server, a replay of old records) stays flat. The full 10,000-judgement run is
benchmarks/bench_memory.py; this is its short form, in a fresh process, with a control run that
shows the same workload growing when nothing is deleted."""

from __future__ import annotations

import json
import subprocess
import sys

from clirun import ROOT

SCRIPT = """
import datetime as dt, json, sys
sys.path.insert(0, sys.argv[2])
from rulehelpers import component, make_case
from woningwet_engine.engine import judge
from woningwet_engine.evaluation import Engine
from woningwet_engine.rulebook.loader import DEFAULT_RULES_DIR, build_rulebook, read_rules_dir

def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20

keep = int(sys.argv[1])
engine = Engine(max_selections=keep)
files = read_rules_dir(DEFAULT_RULES_DIR)
first = build_rulebook(files)
lo, hi = first.meta.coverage_from, first.meta.coverage_to
dates = [lo + dt.timedelta(days=(hi - lo).days * i // 7) for i in range(8)]
levels, most = [], 0
for version in range(int(sys.argv[3])):  # each round: a rulebook version never seen before, on 8 dates
    book = build_rulebook(dict(files, **{"rulebook.yaml": files["rulebook.yaml"] + f"# v{version}\\n".encode()}))
    for i, day in enumerate(dates):
        case = make_case(day.isoformat(), [component(id="C1", dwelling={"rent": f"{450 + i}.00"})], case_id="mem")
        judge(case, book, engine=engine)
        most = max(most, engine.matcher.registered)
    levels.append(rss())
print(json.dumps({"levels": levels, "most_registered": most}))
"""


def _run(keep: int, rounds: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(keep), str(ROOT / "tests"), str(rounds)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_memory_stays_flat_when_new_selections_keep_coming():
    bounded = _run(keep=4, rounds=6)
    unbounded = _run(keep=10_000, rounds=3)
    assert bounded["most_registered"] <= 4 * 8, "at most 4 selections (a few rulesets each) registered at once"
    # Growth per round after a warm-up round. The allocator settles over a few rounds (a few MB
    # in all, measured 2-3 MB a round at most), while every round registered and never deleted
    # costs tens of MB; the bounded process must grow at under a fifth of the control's rate.
    def per_round(levels: list[float]) -> float:
        return (levels[-1] - levels[1]) / (len(levels) - 2)

    control = per_round(unbounded["levels"])
    assert control > 0.10 * unbounded["levels"][1], unbounded
    assert per_round(bounded["levels"]) < 0.2 * control, (bounded, unbounded)


def test_selections_registered_again_after_eviction_judge_the_same():
    import datetime as dt

    from rulehelpers import component, make_case, rulebook
    from woningwet_engine.engine import judge
    from woningwet_engine.evaluation import Engine
    from woningwet_engine.result import canonical_json

    book = rulebook()
    small = Engine(max_selections=2)
    lo, hi = book.meta.coverage_from, book.meta.coverage_to
    dates = [lo + dt.timedelta(days=(hi - lo).days * i // 5) for i in range(6)]
    assert len({book.at(d).key for d in dates}) > 2
    for _ in range(2):  # the second pass meets only selections that were evicted in between
        for i, day in enumerate(dates):
            case = make_case(day.isoformat(), [component(id="C1", dwelling={"rent": f"{600 + 50 * i}.00"})],
                             case_id="evict")
            assert canonical_json(judge(case, book, engine=small)) == canonical_json(judge(case, book))
            assert len(small._branches) <= 2 and small.matcher.registered <= 2 * 8

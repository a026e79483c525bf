"""evaluation.py: observers see every evaluation; the engine does not know who observes."""

from __future__ import annotations

from pathlib import Path

from woningwet_engine import evaluation
from woningwet_engine.case import load_case
from woningwet_engine.engine import judge
from woningwet_engine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[2]


def test_an_observer_sees_each_evaluation_until_it_is_removed():
    book = load_rulebook()
    case = load_case(ROOT / "cases" / "kanaleneiland-2016.yaml")
    seen = []

    def observer(selection, evaluations):
        seen.append((selection.date, [ev.fact["id"] for ev in evaluations]))

    evaluation.observe(observer)
    try:
        judge(case, book)
    finally:
        evaluation.unobserve(observer)
    assert len(seen) == 1
    day, ids = seen[0]
    assert day == case.date
    assert ids[: len(case.components)] == [f"component:{c.id}" for c in case.components] and ids[-1] == "plan"
    judge(case, book)
    assert len(seen) == 1

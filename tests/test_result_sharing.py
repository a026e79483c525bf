"""Pieces of a component's result shared per rule evaluation (the compiled evaluator's `parts`)
equal the pieces made per branch state: the why-not list of every component, and whole results."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from rulehelpers import rulebook
from woningwet_engine import pipeline, verdict
from woningwet_engine.case import Case
from woningwet_engine.engine import judge
from woningwet_engine.evaluation import Run
from woningwet_engine.pipeline import evaluated
from woningwet_engine.result import canonical_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (the benchmarks' seeded portfolio generator)


def _component_evaluations(data: dict):
    ev = evaluated(Case.model_validate(data), rulebook(), generate.DAY, None, "<test>")
    return ev.selection, ev.evaluations[:len(ev.components)]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), distinct=st.booleans())
def test_why_not_per_rule_equals_why_not_per_state(seed, n, distinct):
    data = generate.distinct(n, seed=seed)[0] if distinct else generate.realistic(n, seed=seed)[0]
    selection, evaluations = _component_evaluations(data)
    memo, order = verdict._undated(selection), verdict._context(selection)["order"]
    for ev in evaluations:
        assert ev.parts and ev.runs  # one piece per component rule, one per run of rules
        assert [p for run in ev.runs for p in run.parts] == list(ev.parts)
        per_run = verdict._not_fired_by_run(ev.runs, memo, order)
        assert per_run is not None
        assert per_run == verdict._not_fired(dataclasses.replace(ev, parts=None, runs=None), memo, order)


def test_pieces_out_of_rule_order_are_sorted_instead():
    selection, evaluations = _component_evaluations(generate.realistic(30, seed=2)[0])
    memo, order = verdict._undated(selection), verdict._context(selection)["order"]
    ev = max(evaluations, key=lambda e: len(e.not_fired))
    plain = verdict._not_fired(dataclasses.replace(ev, parts=None, runs=None), memo, order)
    backwards = tuple(reversed(ev.runs))  # runs out of order
    assert verdict._not_fired_by_run(backwards, memo, order) is None
    shown = verdict._not_fired(dataclasses.replace(ev, runs=backwards), memo, order)
    assert len(shown) > 1 and shown == plain
    inside = tuple(Run(tuple(reversed(run.parts))) for run in ev.runs)  # rules out of order inside a run
    assert verdict._not_fired_by_run(inside, memo, order) is None
    assert verdict._not_fired(dataclasses.replace(ev, runs=inside), memo, order) == plain


def test_a_rule_evaluation_held_by_many_runs_is_made_into_its_piece_once(monkeypatch):
    """The why-not piece of one shared rule evaluation is made once, however many runs (facts that differ
    in the run's other rules) hold it; the lists stay those made per state."""
    selection, evaluations = _component_evaluations(generate.realistic(200, seed=3)[0])
    memo, order = verdict._undated(selection), verdict._context(selection)["order"]
    memo["not_fired_by_run"].clear()  # as in a fresh process: nothing kept from other tests' judgements
    memo["not_fired_by_part"].clear()
    made = []
    piece = verdict._piece
    monkeypatch.setattr(verdict, "_piece", lambda p, *rest: made.append(p) or piece(p, *rest))
    for ev in evaluations:
        assert verdict._not_fired_by_run(ev.runs, memo, order) == \
            verdict._not_fired(dataclasses.replace(ev, parts=None, runs=None), memo, order)
    runs = {id(run): run for ev in evaluations for run in ev.runs}
    held = [p for run in runs.values() for p in run.parts]
    assert len(held) > 2 * len({id(p) for p in held})  # evaluations shared between runs
    assert sorted(map(id, made)) == sorted({id(p) for p in held})  # each made once


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), distinct=st.booleans(),
       lang=st.sampled_from(["nl", "en"]))
def test_whole_results_are_the_same_without_shared_pieces(seed, n, distinct, lang, monkeypatch):
    """Without the evaluator's pieces (parts=None, runs=None: why-not lists, reasons for open branches and
    open violations made per component) every result is byte for byte the same."""
    data = generate.distinct(n, seed=seed)[0] if distinct else generate.realistic(n, seed=seed)[0]
    shared, plain = _with_and_without_pieces(Case.model_validate(data), lang, monkeypatch)
    assert shared == plain


def _with_and_without_pieces(case: Case, lang: str, monkeypatch) -> tuple[str, str]:
    shared = canonical_json(judge(case, rulebook(), at=generate.DAY, lang=lang))
    with monkeypatch.context() as m:
        made = pipeline.component_result
        m.setattr(pipeline, "component_result",
                  lambda comp, ev, *rest: made(comp, dataclasses.replace(ev, parts=None, runs=None), *rest))
        plain = canonical_json(judge(case, rulebook(), at=generate.DAY, lang=lang))
    return shared, plain


def test_shared_reasons_for_open_branches_and_violations_are_the_components_own(monkeypatch):
    """A portfolio where many components share open branches and open violation tests (checked),
    each with its own values shown: the same bytes with and without the shared pieces."""
    case = Case.model_validate(generate.realistic(200, seed=5)[0])
    shared, plain = _with_and_without_pieces(case, "nl", monkeypatch)
    assert shared == plain
    result = judge(case, rulebook(), at=generate.DAY)
    undetermined = [r for c in result.components for r in c.reasons if r.effect == "undetermined"]
    assert len(undetermined) > len({r.text for r in undetermined}) > 5  # shared, and not all alike
    assert any(c.compliant is None and c.verdict != "undetermined" for c in result.components)  # open violation


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), lang=st.sampled_from(["nl", "en"]),
       illustrative=st.booleans())
def test_shared_assumptions_equal_those_made_from_each_components_reasons(seed, n, lang, illustrative):
    """The assumptions shared per what they read of the reasons are those assumptions_for makes
    from that component's own reasons (in a portfolio where many components share none)."""
    data = generate.realistic(n, seed=seed)[0]
    data["illustrative"] = illustrative
    result = judge(Case.model_validate(data), rulebook(), at=generate.DAY, lang=lang)
    selection = rulebook().at(generate.DAY)
    for comp in result.components:
        own = verdict.assumptions_for(comp.reasons, lang, selection)
        if illustrative:
            own.append(verdict.tr(lang, "assumptions.illustrative"))
        assert comp.assumptions == own

"""The branch model (rulebook/loader.Branch): one definition of a rule branch that every consumer reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from woningwet_engine.case import load_case
from woningwet_engine.conditions.evaluator import Tri, evaluate
from woningwet_engine.evaluation import evaluate_fact
from woningwet_engine.facts import build_facts
from woningwet_engine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
DATES = [dt.date(2016, 6, 1), dt.date(2019, 6, 1), dt.date(2022, 6, 1)]


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


def test_every_rule_has_then_and_else_exactly_when_it_has_a_test(book):
    for cr in book.rules:
        names = [b.name for b in cr.branches]
        assert names == (["then", "else"] if cr.test is not None else ["then"])
        for b in cr.branches:
            assert b.id == f"{cr.rule.id}#{b.name}"
            assert b.outcome is (cr.rule.then if b.name == "then" else cr.rule.else_)
            assert cr.branch(b.name) is b
        with pytest.raises(KeyError):
            cr.branch("otherwise")


@pytest.mark.parametrize("day", DATES)
def test_branch_status_from_when_and_test_equals_the_whole_branch_condition(book, day):
    """The Kleene identity the reference evaluator relies on: evaluating `when` and `test` apart and
    combining them gives the value of the compiled branch condition (when and [not] test)."""
    sel = book.at(day)
    seen = set()
    for path in sorted((ROOT / "cases").glob("*.yaml")):
        case = load_case(path)
        comps, projects, plan = build_facts(case, sel)
        for fact in comps + projects + [plan]:
            for cr in sel.rules:
                if cr.rule.scope != fact["kind"]:
                    continue
                w = evaluate(cr.when, fact, sel.values)
                t = None if cr.test is None else evaluate(cr.test, fact, sel.values)
                for b in cr.branches:
                    status = b.status(w, t)
                    assert status is evaluate(b.root, fact, sel.values), (b.id, fact["id"])
                    seen.add(status)
    assert seen == {Tri.TRUE, Tri.FALSE, Tri.UNKNOWN}


def test_branch_states_carry_their_branch_and_outcome(book):
    sel = book.at(DATES[0])
    case = load_case(ROOT / "cases" / "kanaleneiland-2016.yaml")
    comps, _, _ = build_facts(case, sel)
    rules = [cr for cr in sel.rules if cr.rule.scope == "component"]
    ev = evaluate_fact(rules, comps[0], sel.values)
    assert ev.fired
    for bs in ev.fired + ev.unknown + ev.not_fired:
        assert bs.definition is bs.rule.branch(bs.branch)
        assert bs.outcome is bs.definition.outcome
        assert bs.id == bs.definition.id

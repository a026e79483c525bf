"""What the judging path works out once and keeps: a case's hash per case object (Case.sha256) and a
condition's value per regime period by the facts it reads (evaluate_kept). Each equals the value
worked out afresh."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest

from rulehelpers import rulebook
from woningwet_engine import case as case_module
from woningwet_engine.case import load_case
from woningwet_engine.conditions.evaluator import evaluate, evaluate_kept
from woningwet_engine.facts import build_facts
from woningwet_engine.result import sha256_of

CASES = sorted((Path(__file__).resolve().parents[1] / "cases").glob("*.yaml"))
DAYS = [dt.date(2014, 6, 1), dt.date(2016, 3, 1), dt.date(2019, 9, 1), dt.date(2022, 1, 1), dt.date(2024, 6, 1)]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_hash_is_the_hash_of_its_canonical_form(path):
    case = load_case(path)
    fresh = sha256_of(case.canonical())
    assert case.sha256() == fresh
    assert case.sha256() == fresh  # the kept one
    other = case.model_copy(update={"title": case.title + " (copy)"})
    assert other.sha256() == sha256_of(other.canonical()) != fresh


def test_a_kept_case_hash_leaves_with_its_case():
    case = load_case(CASES[0])
    case.sha256()
    key = id(case)
    assert key in case_module._SHA256
    del case
    gc.collect()
    assert key not in case_module._SHA256


def _variants(fact: dict, names) -> list[dict]:
    """The fact, and the fact with each of `names` unknown in turn."""
    out = [fact]
    for name in names:
        if name in fact:
            out.append({k: v for k, v in fact.items() if k != name})
    return out


def test_kept_condition_values_equal_those_evaluated_afresh():
    book = rulebook()
    facts = []
    for path in CASES:
        case = load_case(path)
        facts += build_facts(case, book.at(case.date))[0]
    calls = 0
    for day in DAYS:
        selection = book.at(day)
        conditions = [(("party", k), c) for k, c in selection.policy.conditions.items() if not k.startswith("limit:")]
        conditions += [(("rule", cr.rule.id, cr.rule.valid_from), cr.when) for cr in book.rules
                       if cr.rule.scope == "component" and cr.when is not None]
        kept: dict = {}
        for key, cond in conditions:
            for fact in facts:
                for variant in _variants(fact, cond.facts):
                    assert evaluate_kept(kept, key, cond, variant, selection.values) is \
                        evaluate(cond, variant, selection.values), (key, fact["id"])
                    calls += 1
        assert 0 < len(kept) < calls  # some were kept and found again


def test_a_value_that_cannot_be_a_key_is_evaluated_without_keeping():
    book = rulebook()
    case = load_case(CASES[0])
    selection = book.at(case.date)
    fact = build_facts(case, selection)[0][0]
    cr = next(cr for cr in book.rules if cr.rule.scope == "component" and cr.when is not None and cr.when.facts)
    odd = {**fact, cr.when.facts[0]: ["not", "hashable"]}
    kept: dict = {}
    try:
        expected = evaluate(cr.when, odd, selection.values)
    except TypeError:
        pytest.skip("the condition cannot read a list")
    assert evaluate_kept(kept, "k", cr.when, odd, selection.values) is expected
    assert kept == {}

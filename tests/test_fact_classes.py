"""The durable_rules cross-check one fact per class (inference/classes.py): the same matches as
giving durable_rules every fact, and classes that keep apart what a ruleset can tell apart."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from rulehelpers import rulebook
from woningwet_engine.case import Case
from woningwet_engine.evaluation import Engine
from woningwet_engine.facts import build_facts
from woningwet_engine.inference.classes import signature
from woningwet_engine.inference.durable_adapter import Branch, DurableMatcher

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (the benchmarks' seeded portfolio generator)

_keys = itertools.count()


def test_a_class_keeps_apart_sides_of_a_constant_types_and_absence():
    sig = signature([{"$lte": {"rent": 70000}}, {"$and": [{"$ex": {"units": 1}}, {"object": "bog"}]},
                     {"flag": True}])
    base = {"rent": 50000, "units": 3, "object": "bog", "flag": True}
    assert sig(base) == sig(dict(base, rent=69999, units=90))  # same side of 70000, units only present
    assert sig(base) != sig(dict(base, rent=70000))  # equal to the constant
    assert sig(dict(base, rent=70000)) != sig(dict(base, rent=70001))
    assert sig(base) != sig({k: v for k, v in base.items() if k != "units"})
    assert sig(base) != sig(dict(base, flag=1))  # 1 == True in Python, not to durable_rules
    assert sig(base) != sig(dict(base, object="dwelling"))
    assert sig(base) != sig(dict(base, rent="50000"))  # a text is compared as a text


def test_classed_matching_gives_each_fact_its_own_class_matches():
    matcher = DurableMatcher()
    k = f"test-classes-{next(_keys)}"
    matcher.prepare(k, [Branch("LOW#then", "component", {"$lte": {"rent": 70000}}),
                        Branch("SHOP#then", "component", {"object": "bog"})])
    facts = [{"id": f"c{i}", "kind": "component", "rent": rent, "object": obj}
             for i, (rent, obj) in enumerate([(100, "bog"), (200, "bog"), (80000, "bog"), (300, "dwelling")])]
    want = {("LOW#then", "c0"), ("LOW#then", "c1"), ("LOW#then", "c3"), ("SHOP#then", "c0"), ("SHOP#then", "c1"),
            ("SHOP#then", "c2")}
    assert matcher.match(k, facts) == want
    assert matcher.match(k, facts, classed=True) == want


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 120), distinct=st.booleans())
def test_classed_matching_equals_matching_every_fact(seed, n, distinct):
    book = rulebook()
    data = generate.distinct(n, seed=seed)[0] if distinct else generate.realistic(n, seed=seed)[0]
    case = Case.model_validate(data)
    selection = book.at(generate.DAY)
    components, projects, plan = build_facts(case, selection)
    facts = components + projects + [plan]
    engine = Engine()
    engine.branches(selection)
    assert engine.matcher.match(selection.key, facts, classed=True) == engine.matcher.match(selection.key, facts)

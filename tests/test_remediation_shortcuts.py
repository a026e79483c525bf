"""The remediation stage's shortcuts (remediation.SHORTCUTS) give exactly the results of the plain way:
alternatives shared per node and truth values of its atoms, the numeric search on a stated fact
without a trial case, local cases made in time of their project."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from rulehelpers import rulebook
from woningwet_engine import remediation
from woningwet_engine.case import Case
from woningwet_engine.engine import judge
from woningwet_engine.facts import component_fact, component_value, derived_value, project_aggregates, stated_facts
from woningwet_engine.result import canonical_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (the benchmarks' seeded portfolio generator)


def _with_agreements(data: dict, rng: random.Random) -> dict:
    """The case with prestatieafspraken covering a random part of its components (some twice)."""
    ids = [c["id"] for c in data["components"]]
    data["performance_agreements"] = [
        {"id": f"PA-{m}", "municipality": m, "year": generate.DAY.year,
         "covers": rng.sample(ids, rng.randint(0, len(ids))) + rng.sample(ids, min(2, len(ids)))}
        for m in generate.MUNICIPALITIES[:rng.randint(1, 3)]]
    return data


def _plain_and_short(case: Case, monkeypatch) -> tuple[str, str]:
    book = rulebook()
    short = canonical_json(judge(case, book, at=generate.DAY))
    with monkeypatch.context() as m:
        m.setattr(remediation, "SHORTCUTS", False)
        plain = canonical_json(judge(case, book, at=generate.DAY))
    return plain, short


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), agreements=st.booleans())
def test_shortcuts_give_the_plain_result_on_random_portfolios(seed, n, agreements, monkeypatch):
    data = generate.realistic(n, seed=seed)[0]
    if agreements:
        data = _with_agreements(data, random.Random(seed))
    plain, short = _plain_and_short(Case.model_validate(data), monkeypatch)
    assert short == plain


def test_shortcuts_give_the_plain_result_where_every_move_kind_occurs(monkeypatch):
    """A larger portfolio in which numeric moves on stated and on derived facts, choices and
    agreements all occur (checked), plus the worst case for sharing (distinct components)."""
    data = _with_agreements(generate.realistic(150, seed=21)[0], random.Random(21))
    case = Case.model_validate(data)
    plain, short = _plain_and_short(case, monkeypatch)
    assert short == plain
    result = judge(case, rulebook(), at=generate.DAY)
    fields = {(ch.field, rem.kind) for c in result.components for rem in c.remediation for ch in rem.changes}
    assert ("dwelling.rent", "numeric") in fields  # a stated fact (the search without a trial case)
    assert {"sale.price", "floor_area_m2", "cost"} & {f for f, kind in fields if kind == "numeric"}  # derived
    assert ("financing", "change") in fields
    assert any(f.startswith("performance_agreements") for f, _ in fields)
    for data in generate.distinct(60, seed=3):
        plain, short = _plain_and_short(Case.model_validate(data), monkeypatch)
        assert short == plain


def test_a_stated_fact_is_the_field_itself():
    """Every fact of remediation.STATED equals its case field as stated (any value tried), and no
    derivation in force produces it: what lets the numeric search try values without a trial case."""
    case = Case.model_validate(generate.realistic(200, seed=8)[0])
    selection = rulebook().at(generate.DAY)
    agreements: set = set()
    projects = project_aggregates(case)
    tried = dict.fromkeys(remediation.STATED, 0)
    for comp in case.components:
        for name, path in remediation.STATED.items():
            if remediation._get(comp, path[:-1]) is None and len(path) > 1:
                continue
            assert remediation._stated(selection, name, path)
            for x in (1, 7_300, 123_457):
                changed = remediation._set_component(comp, path, x)
                assert component_value(case, changed, agreements, projects, selection, name) == x, name
            tried[name] += 1
    assert all(tried.values()), tried
    refs = remediation.field_refs(selection)
    assert not remediation._stated(selection, "project_bog_cost", refs["project_bog_cost"].path)  # derived


def test_local_case_cuts_agreements_and_projects_as_the_whole_case_would():
    data = _with_agreements(generate.realistic(60, seed=4)[0], random.Random(4))
    case = Case.model_validate(data)
    members_of: dict = {}
    for k, c in enumerate(case.components):
        if c.project is not None:
            members_of.setdefault(c.project, []).append(k)
    projects_of: dict = {}
    for p in case.projects:
        projects_of.setdefault(p.id, []).append(p)
    covers_at = remediation._covers_at(case)
    assert any(len(pa.covers) > 1 for pa in case.performance_agreements)
    for k, comp in enumerate(case.components):
        local, i = remediation._local_case(case, k, members_of, covers_at, projects_of)
        ids = {c.id for c in local.components}
        assert local.components[i] is comp
        assert [pa.covers for pa in local.performance_agreements] == \
            [[c for c in pa.covers if c in ids] for pa in case.performance_agreements]
        assert local.projects == [p for p in case.projects if p.id == comp.project]


def test_a_derived_fact_without_the_stated_facts_is_the_same():
    """component_value(..., stated=False), what the numeric search on a derived fact asks for, gives
    every derived fact that is not also stated exactly as component_fact does."""
    case = Case.model_validate(generate.realistic(150, seed=12)[0])
    selection = rulebook().at(generate.DAY)
    projects = project_aggregates(case)
    derived = {n for d in selection.derivations if d.scope == "component" for n in d.produces}
    present = 0
    for comp in case.components:
        whole = component_fact(case, comp, set(), projects, selection)
        stated = stated_facts(case, comp)
        for name in derived - set(stated):
            assert component_value(case, comp, set(), projects, selection, name, stated=False) == whole.get(name)
            present += name in whole
    assert present > len(case.components)


def test_a_derived_value_alone_is_the_derivation_of_that_fact():
    """facts.derived_value (the numeric search's value for each x tried: only the declarations
    producing the fact, no fact built around it) equals component_value(..., stated=False), on the
    components and on stand-ins with a field changed, the way the search makes them."""
    case = Case.model_validate(_with_agreements(generate.realistic(150, seed=13)[0], random.Random(13)))
    selection = rulebook().at(generate.DAY)
    projects = project_aggregates(case)
    agreements = {cid for a in case.performance_agreements for cid in a.covers}
    derived = {n for d in selection.derivations if d.scope == "component" for n in d.produces}
    present = 0
    for comp in case.components:
        stated = stated_facts(case, comp)
        tried = [comp] + [remediation._Changed(comp, path, x) for path in (("floor_area_m2",), ("cost",))
                          if remediation._get(comp, path) is not None for x in (1, 250_000_00)]
        if comp.sale is not None:
            tried += [remediation._Changed(comp, ("sale", "price"), x) for x in (1, 99_999_999_00)]
        for c in tried:
            for name in sorted(derived - set(stated)):
                value = derived_value(selection, name)(case, c, agreements, projects)
                assert value == component_value(case, c, agreements, projects, selection, name, stated=False), name
                present += value is not None
    assert present > len(case.components)


def test_a_derived_value_refuses_what_its_declaration_does_not_list(monkeypatch):
    from woningwet_engine import derivations, facts
    from woningwet_engine.errors import EngineError

    selection = rulebook().at(generate.DAY)
    case = Case.model_validate(generate.realistic(5, seed=1)[0])
    declared = facts._declarations(selection, "component")
    d, fn, allowed, produces = next(x for x in declared if "sale_price_ratio_leegwaarde" in x[3])
    monkeypatch.setitem(selection.memo, ("derivations", "component"),
                        [(d, lambda *a: {**fn(*a), "not_declared": 1}, allowed, produces) if x[0] is d else x
                         for x in declared])
    selection.memo.pop(("derived value", "sale_price_ratio_leegwaarde"), None)
    try:
        import pytest

        with pytest.raises(EngineError, match="not_declared"):
            derived_value(selection, "sale_price_ratio_leegwaarde")(case, case.components[0], set(), {})
    finally:
        selection.memo.pop(("derived value", "sale_price_ratio_leegwaarde"), None)
    assert derivations.FUNCTIONS  # the registered bodies are untouched


def test_a_component_alone_in_its_local_case_has_its_trials_covered():
    """A component outside any project is alone in its local case: its trials (made from the base by
    _apply_fields, and trials of those) are still the trials of that component, so their facts come
    from the fields changed; a case rebuilt by apply_changes is not one of them."""
    case = Case.model_validate(generate.realistic(40, seed=5)[0])
    selection = rulebook().at(generate.DAY)
    k = next(i for i, c in enumerate(case.components) if c.project is None and c.leefbaarheid is not None)
    local = case.model_copy(update={"components": [case.components[k]], "projects": [], "lettings": []})
    trials = remediation._Trials(local, 0, remediation._project_totals(local))
    first = remediation._apply_fields(local, [remediation.Change(
        component=local.components[0].id, field="leefbaarheid.annual_amount", old=None, new="5.00")], trials)
    second = remediation._apply_fields(first, [remediation.Change(
        component=local.components[0].id, field="cost", old=None, new="10.00")], trials)
    assert trials.covers(local, 0) and trials.covers(first, 0) and trials.covers(second, 0)
    rebuilt = remediation.apply_changes(local, [])
    assert not trials.covers(rebuilt, 0)
    token = remediation._TRIALS.set(trials)
    try:
        for trial in (first, second):
            fact = remediation._component_fact(trial, 0, selection)
            assert id(trial) in trials.facts  # made the trials' way
            assert fact == dict(component_fact(trial, trial.components[0], set(), {}, selection))
    finally:
        remediation._TRIALS.reset(token)


def test_the_changed_names_of_two_facts():
    """remediation._changed: identity settles a name, else equal values of the same type; a name in one
    fact only is changed (1 and True, 0 and False are different values of a fact)."""
    big = 10**20
    before = {"a": 1, "b": big, "c": "x", "d": True, "e": 0, "gone": 3, "same_list": [1]}
    after = {"a": 1, "b": int(str(big)), "c": "y", "d": 1, "e": False, "new": None, "same_list": [1]}
    plain = {n for n in before.keys() | after.keys()
             if not remediation._same(before.get(n, remediation._NONE), after.get(n, remediation._NONE))}
    assert set(remediation._changed(before, after)) == plain == {"c", "d", "e", "gone", "new"}


def test_a_trial_is_tested_once_and_as_the_plain_way_tests_it(monkeypatch):
    """component_passes of a trial is kept with the component's trials: asked again (the chosen trial
    of an alternative is asked at the end too), it is not evaluated again, and what it says is what
    evaluating it says."""
    book = rulebook()
    made: dict = {}
    evaluate = remediation._passes

    def counted(case, k, selection, trials):
        out = evaluate(case, k, selection, trials)
        if trials is not None:
            key = (id(trials), id(case))
            assert key not in made, "a trial was tested twice"
            made[key] = (case, out)
            assert out == evaluate(case, k, selection, None)  # without what the trials know
        return out

    asked = {"again": 0}
    passes = remediation.component_passes

    def asking(case, k, selection):
        trials = remediation._TRIALS.get()
        asked["again"] += trials is not None and (id(trials), id(case)) in made
        return passes(case, k, selection)

    monkeypatch.setattr(remediation, "_passes", counted)
    monkeypatch.setattr(remediation, "component_passes", asking)
    judge(Case.model_validate(_with_agreements(generate.realistic(200, seed=21)[0], random.Random(21))), book,
          at=generate.DAY)
    assert made and asked["again"]

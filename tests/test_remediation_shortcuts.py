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
from woningwet_engine.facts import component_fact, component_value, project_aggregates, stated_facts
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

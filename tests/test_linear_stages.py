"""Shortcuts that keep decision support and replay linear give exactly the results of the plain way."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine import remediation
from woningwet_engine.audit import DecisionLog, record_decision
from woningwet_engine.audit import replay
from woningwet_engine.case import Case
from woningwet_engine.engine import judge as engine_judge
from woningwet_engine.facts import COMPONENT_FIELDS, component_fact, component_value, project_aggregates
from woningwet_engine.result import canonical_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (the benchmarks' seeded portfolio generator)


def _both_ways(case: Case, monkeypatch) -> tuple[str, str]:
    book = rulebook()
    fast = canonical_json(engine_judge(case, book, at=generate.DAY))
    with monkeypatch.context() as m:  # every trial re-validates and re-derives the whole local case
        m.setattr(remediation._Trials, "covers", lambda self, case, k: False)
        m.setattr(remediation, "_component_value",  # ... and the numeric search reads the whole fact
                  lambda case, k, selection, name, stated=True: remediation._component_fact(case, k, selection).get(name))
        plain = canonical_json(engine_judge(case, book, at=generate.DAY))
    return fast, plain


@pytest.mark.parametrize("data", [generate.one_project(40, seed=11), generate.realistic(80, seed=5)[0]],
                         ids=["one project", "projects of 2-12"])
def test_remediation_trials_of_one_component_give_the_same_result(data, monkeypatch):
    case = Case.model_validate(data)
    fast, plain = _both_ways(case, monkeypatch)
    assert fast == plain
    assert '"remediation": [\n        {' in fast  # there were remedies to find


def test_swapped_project_share_equals_project_aggregates():
    """The project totals of a trial (one component swapped) equal those of the changed case."""
    case = Case.model_validate(generate.one_project(12, seed=3))
    totals = remediation._project_totals(case)
    variants = [dict(floor_area_m2=None), dict(cost=None), dict(activity="maintain"), dict(floor_area_m2=123456),
                dict(object="bog", bog={"use": "shop"}, dwelling=None, mv=None, parking=None, leefbaarheid=None,
                     service=None, sale=None)]
    checked = 0
    for k, comp in enumerate(case.components):
        trials = remediation._Trials(case, k, totals)
        for change in variants:
            try:
                new = comp.model_validate({**comp.model_dump(mode="json"),
                                           **{key: v for key, v in change.items()}})
            except Exception:  # not a valid component of this kind
                continue
            trial = remediation._with_component(case, k, new)
            assert trials.projects(new) == project_aggregates(trial)
            checked += 1
    assert checked >= 24


@pytest.mark.parametrize("data", [generate.one_project(30, seed=4), generate.realistic(120, seed=9)[0]],
                         ids=["one project", "projects of 2-12"])
def test_one_derived_fact_equals_that_fact_of_the_whole_derivation(data):
    """facts.component_value (what the numeric remedy search derives per value tried) gives every
    fact exactly as component_fact does, derived and stated ones alike."""
    case = Case.model_validate(data)
    selection = rulebook().at(generate.DAY)
    agreements = {cid for a in case.performance_agreements for cid in a.covers}
    projects = project_aggregates(case)
    derived = {name for d in selection.derivations if d.scope == "component" for name in d.produces}
    seen_derived = 0
    for comp in case.components:
        whole = component_fact(case, comp, agreements, projects, selection)
        for name in COMPONENT_FIELDS:
            assert component_value(case, comp, agreements, projects, selection, name) == whole.get(name), name
            seen_derived += name in derived and name in whole
    assert seen_derived > len(case.components)  # derived facts were present, not only absent ones


def _log(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "log.sqlite"
    for i in range(n):
        case = make_case("2020-03-01" if i % 3 else "2016-06-01",
                         [component(id=f"C{i}", dwelling={"rent": f"{400 + 37 * i}.00"})], case_id=f"r-{i}")
        record_decision(case, judge(case), rulebook(), path, source=f"r {i}")
    return path


def test_replay_all_in_worker_processes_equals_one_by_one(tmp_path, monkeypatch):
    path = _log(tmp_path, 12)
    monkeypatch.setattr(replay, "MIN_PARALLEL", 2)
    monkeypatch.setattr(replay, "BATCH", 3)
    with DecisionLog.open(path) as log:
        books = replay.RulebookCache(log)
        serial = [replay.replay_record(rec, books) for rec in log.records()]
        parallel = replay.replay_all(log, jobs=2)
        single = replay.replay_all(log, jobs=1)
    assert [o.record_id for o in parallel] == list(range(1, 13))
    assert [(o.record_id, o.status) for o in parallel] == [(o.record_id, o.status) for o in serial] \
        == [(o.record_id, o.status) for o in single]
    assert {o.status for o in parallel} == {"identical"}


def test_replay_all_still_finds_a_difference(tmp_path, monkeypatch):
    path = _log(tmp_path, 6)
    monkeypatch.setattr(replay, "MIN_PARALLEL", 2)
    monkeypatch.setattr(replay, "BATCH", 2)
    real = replay.canonical_json if hasattr(replay, "canonical_json") else None
    import woningwet_engine.result as result_mod

    original = result_mod.canonical_json

    def changed(result):  # an engine that writes record 4's result differently
        text = original(result)
        return text.replace('"case": "r-3"', '"case": "r-3 "') if '"case": "r-3"' in text else text

    monkeypatch.setattr(result_mod, "canonical_json", changed)
    with DecisionLog.open(path) as log:
        outcomes = replay.replay_all(log, jobs=2)
    assert real is None
    bad = [o for o in outcomes if o.status != "identical"]
    assert [(o.record_id, o.status, [d.json_path for d in o.differences]) for o in bad] == [(4, "verdicts", ["$.case"])]


@pytest.mark.parametrize("data", [generate.one_project(40, seed=11), generate.realistic(80, seed=5)[0]],
                         ids=["one project", "projects of 2-12"])
def test_verdicts_without_remedies_and_route_equal_judge(data):
    """pipeline.judge_verdicts (the stock path's stages up to the party) gives every component the
    verdict, reasons and party that judge() gives it, only without remedies."""
    from woningwet_engine.pipeline import judge_verdicts

    case = Case.model_validate(data)
    book = rulebook()
    full = engine_judge(case, book, at=generate.DAY)
    verdicts = judge_verdicts(case, book, at=generate.DAY)
    assert [c.id for c in full.components] == list(verdicts.judged)
    for comp in full.components:
        short = verdicts.component(comp.id)
        assert short.model_dump() == comp.model_copy(update={"remediation": []}).model_dump()
    # the split named another party than the verdict's own for some components: that one is kept
    assert any(verdicts.component(cid).party != j.verdict.party for cid, j in verdicts.judged.items())
    assert any(c.remediation for c in full.components)  # and judge() had remedies that were left out

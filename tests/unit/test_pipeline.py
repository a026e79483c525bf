"""pipeline.py: one orchestrator; stage outputs keyed by component id and never changed afterwards."""

from __future__ import annotations

from pathlib import Path

from woningwet_engine import pipeline
from woningwet_engine.case import load_case
from woningwet_engine.engine import judge as engine_judge
from woningwet_engine.facts import build_facts
from woningwet_engine.evaluation import evaluate_all
from woningwet_engine.plan import plan_checks
from woningwet_engine.remediation import remediate
from woningwet_engine.result import canonical_json
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.split import build_splits
from woningwet_engine.verdict import component_result

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"


def test_engine_judge_is_the_pipeline():
    assert engine_judge is pipeline.judge


def test_later_stages_leave_earlier_outputs_as_they_were():
    book = load_rulebook()
    case = load_case(CASE)
    sel = book.at(case.date)
    comps, projects, plan_fact = build_facts(case, sel)
    evs = {ev.fact["id"]: ev for ev in evaluate_all(sel, comps + projects + [plan_fact])}
    judged = {c.id: pipeline.Judged(c, f, evs[f["id"]], component_result(c, evs[f["id"]], sel, book, "nl", True))
              for c, f in zip(case.components, comps)}
    plan_evals = [evs[f["id"]] for f in projects + [plan_fact]]
    plan = plan_checks(plan_evals, sel, "nl")
    before = {cid: j.verdict.model_dump_json() for cid, j in judged.items()}
    plan_before = plan.model_dump_json()
    parties = build_splits(case, judged, plan_fact, sel, "nl")
    remedies = remediate(case, judged, parties, plan, plan_evals, sel, book, "nl")
    result = pipeline.assemble(case, book, sel, judged, plan, parties, remedies, [], "nl")
    assert {cid: j.verdict.model_dump_json() for cid, j in judged.items()} == before
    assert plan.model_dump_json() == plan_before
    # the result carries what the later stages added
    moved = [r for r in result.components if r.party != judged[r.id].verdict.party]
    assert moved, "the sample case has components the split stage gives to another party"
    assert any(r.remediation for r in result.components) and remedies.components
    assert all(r.remediation == remedies.components.get(r.id, []) for r in result.components)


def test_components_are_joined_by_id_not_by_position():
    book = load_rulebook()
    case = load_case(CASE)
    shuffled = case.model_copy(update={"components": list(reversed(case.components))})
    a = {c["id"]: c for c in judge_json(case, book)["components"]}
    b = {c["id"]: c for c in judge_json(shuffled, book)["components"]}
    assert a.keys() == b.keys()
    for cid in a:
        assert (a[cid]["verdict"], a[cid]["party"], a[cid]["reasons"]) == (b[cid]["verdict"], b[cid]["party"],
                                                                          b[cid]["reasons"]), cid


def judge_json(case, book) -> dict:
    import json

    return json.loads(canonical_json(pipeline.judge(case, book)))

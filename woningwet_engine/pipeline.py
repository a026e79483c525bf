"""The one orchestrator: a case and a date through the stages, each returning a new value.

    selection = rulebook.at(day)            the rules, figures and derivations in force; the date
                                            travels in it (selection.date) from here on
    facts     = build_facts(case, sel)      one fact per component, project and the plan
    evaluated = evaluate_all(sel, facts)    every rule branch on every fact (checked against durable_rules)
    judged    = {component id: Judged}      component, fact, evaluation and verdict, keyed by id
    plan      = plan_checks(...)            the plan-level checks
    parties   = build_splits(...)           who carries what: splits, selections, party per component id
    remedies  = remediate(...)              remedies per component id and per plan check (rule, subject)
    route     = build_route(...)            the approval route
    result    = assemble(...)               the Result, built once: verdicts with their party and
                                            remedies, plan checks with their remedies

No stage changes what an earlier one returned: a later stage's additions (the party, the remedies)
are put together into new result objects at the end. `engine.judge` is this `judge`; `judge_verdicts`
runs the stages up to the parties alone, for callers that need no remedies and no route (the stock
path judges one representative unit per outcome of a register).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import __version__
from .case import Case, Component
from .errors import InputError, Problem
from .evaluation import Engine, FactEvaluation, evaluate_all
from .facts import Fact, build_facts
from .gcpause import while_paused
from .plan import plan_checks
from .remediation import Remedies, remediate
from .result import CheckRef, ComponentResult, Plan, Provenance, Regime, Result, Summary, sha256_of
from .route import build_route
from .rulebook.loader import Rulebook, Selection
from .split import SplitOutcome, build_splits
from .verdict import component_result

KEEP_BY = ("value", "units")


@dataclass(frozen=True)
class Judged:
    """One component after judging: what the case says, its fact, its evaluation and its verdict."""

    component: Component
    fact: Fact
    evaluation: FactEvaluation
    verdict: ComponentResult


def select(rulebook: Rulebook, day: dt.date, source: str) -> Selection:
    if not rulebook.covers(day):
        raise InputError([Problem(source, "date", f"{day} is outside the rulebook's coverage "
                                  f"({rulebook.meta.coverage_from} to {rulebook.meta.coverage_to})")])
    return rulebook.at(day)


@dataclass(frozen=True)
class Verdicts:
    """The stages up to the parties: every component judged, the plan checks and who carries what."""

    selection: Selection
    judged: dict[str, Judged]
    plan_evals: list[FactEvaluation]
    plan: Plan
    parties: SplitOutcome

    def component(self, cid: str) -> ComponentResult:
        """The component's verdict with its party (without remedies)."""
        verdict = self.judged[cid].verdict
        return verdict.model_copy(update={"party": self.parties.parties.get(cid, verdict.party)})


@while_paused  # gcpause.py: the collector would walk the growing result again and again
def judge_verdicts(case: Case, rulebook: Rulebook, at: dt.date | None = None, lang: str = "nl",
                   engine: Engine | None = None, source: str = "<case>", keep_by: str = "value") -> Verdicts:
    """The stages of `judge` up to the parties (selection, facts, evaluation, verdicts, plan checks,
    splits), without the remedies and the approval route."""
    if keep_by not in KEEP_BY:
        raise ValueError(f"keep_by must be one of {KEEP_BY}")
    selection = select(rulebook, at or case.date, source)
    components, projects, plan_fact = build_facts(case, selection)
    evaluations = evaluate_all(selection, components + projects + [plan_fact], engine)
    by_fact = {ev.fact["id"]: ev for ev in evaluations}
    judged: dict[str, Judged] = {}
    for comp, fact in zip(case.components, components):
        ev = by_fact[fact["id"]]
        judged[comp.id] = Judged(comp, fact, ev,
                                 component_result(comp, ev, selection, rulebook, lang, case.illustrative))
    plan_evals = [by_fact[f["id"]] for f in projects + [plan_fact]]
    plan = plan_checks(plan_evals, selection, lang)
    parties = build_splits(case, judged, plan_fact, selection, lang, keep_by)
    return Verdicts(selection, judged, plan_evals, plan, parties)


@while_paused
def judge(case: Case, rulebook: Rulebook, at: dt.date | None = None, lang: str = "nl",
          engine: Engine | None = None, source: str = "<case>", start: dt.date | None = None,
          keep_by: str = "value") -> Result:
    """Judge `case` by the law in force on `at` (default: the case date)."""
    v = judge_verdicts(case, rulebook, at, lang, engine, source, keep_by)
    selection, judged, plan, parties = v.selection, v.judged, v.plan, v.parties
    remedies = remediate(case, judged, parties, plan, v.plan_evals, selection, rulebook, lang)
    verdicts = [j.verdict for j in judged.values()]
    on_route = set(parties.kept) | {c.id for c in case.components if c.activity == "sell"}
    route = build_route(verdicts, on_route, plan, rulebook, selection, start or selection.date, lang)
    return assemble(case, rulebook, selection, judged, plan, parties, remedies, route, lang)


def assemble(case: Case, rulebook: Rulebook, selection: Selection, judged: dict[str, Judged], plan: Plan,
             parties: SplitOutcome, remedies: Remedies, route, lang: str) -> Result:
    """The Result, from the stages' outputs (new objects; the stage outputs stay as they were)."""
    components = [j.verdict.model_copy(update={"party": parties.parties.get(cid, j.verdict.party),
                                               "remediation": remedies.components.get(cid, [])})
                  for cid, j in judged.items()]
    checks = [ch.model_copy(update={"remediation": remedies.checks.get((ch.rule, ch.subject), [])})
              for ch in plan.checks]
    plan_out = plan.model_copy(update={"checks": checks})
    by_verdict: dict[str, int] = {}
    for r in components:
        by_verdict[r.verdict] = by_verdict.get(r.verdict, 0) + 1
    failing = [ch for ch in checks if ch.status == "fail"]  # a violation, or an obligation still to meet
    violations = [CheckRef(id=ch.id, subject=ch.subject) for ch in failing if ch.violation]
    summary = Summary(components=len(components), by_verdict=dict(sorted(by_verdict.items())),
                      compliant=all(r.compliant for r in components) and not violations,
                      non_compliant=[r.id for r in components if r.compliant is False],
                      undetermined=[r.id for r in components if r.compliant is None],
                      violations=violations,
                      actions=[CheckRef(id=ch.id, subject=ch.subject) for ch in failing if not ch.violation])
    day = selection.date.isoformat()
    return Result(
        case=case.case_id, title=case.title, date=day, lang=lang,
        regime=Regime(rulebook=rulebook.meta.name, selection=selection.key,
                      rules_in_force=[cr.rule.id for cr in selection.rules],
                      change_points=[d.isoformat() for d in rulebook.change_points()]),
        summary=summary, components=components, plan=plan_out, splits=parties.splits, route=route,
        provenance=Provenance(engine_version=__version__, rulebook_sha256=rulebook.sha256,
                              case_sha256=sha256_of(case.canonical()), date=day),
    )

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
path judges one representative unit per outcome of a register). `judge_many` judges several cases
of one rulebook with one durable_rules cross-check for all facts of a regime period (the replay of
a decision log does).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import __version__
from .case import Case, Component
from .errors import EngineError, InputError
from .evaluation import Engine, FactEvaluation, cross_check, evaluate_all
from .facts import Fact, build_facts
from .gcpause import while_paused
from .plan import plan_checks
from .remediation import Remedies, remediate
from .result import CheckRef, ComponentResult, Plan, Provenance, Regime, Result, Summary
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
        raise InputError.of(source, "date", "outside_coverage", date=day, lo=rulebook.meta.coverage_from,
                            hi=rulebook.meta.coverage_to)
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


@dataclass(frozen=True)
class Evaluated:
    """A case through the first stages: its selection, its facts and their evaluations."""

    case: Case
    selection: Selection
    components: list[Fact]
    projects: list[Fact]
    plan_fact: Fact
    evaluations: list[FactEvaluation]


def evaluated(case: Case, rulebook: Rulebook, at: dt.date | None, engine: Engine | None, source: str,
              check: bool = True) -> Evaluated:
    """Selection, facts and evaluation of one case (`check=False`: without the durable_rules
    cross-check, which the caller then runs, as `judge_many` does for many cases at once)."""
    selection = select(rulebook, at or case.date, source)
    components, projects, plan_fact = build_facts(case, selection)
    evaluations = evaluate_all(selection, components + projects + [plan_fact], engine, check)
    return Evaluated(case, selection, components, projects, plan_fact, evaluations)


def verdicts_of(ev: Evaluated, rulebook: Rulebook, lang: str, keep_by: str) -> Verdicts:
    """The stages after the evaluation, up to the parties: verdicts, plan checks, splits."""
    case, selection = ev.case, ev.selection
    by_fact = {e.fact["id"]: e for e in ev.evaluations}
    judged: dict[str, Judged] = {}
    for comp, fact in zip(case.components, ev.components):
        e = by_fact[fact["id"]]
        judged[comp.id] = Judged(comp, fact, e,
                                 component_result(comp, e, selection, rulebook, lang, case.illustrative))
    plan_evals = [by_fact[f["id"]] for f in ev.projects + [ev.plan_fact]]
    plan = plan_checks(plan_evals, selection, lang)
    parties = build_splits(case, judged, ev.plan_fact, selection, lang, keep_by)
    return Verdicts(selection, judged, plan_evals, plan, parties)


@while_paused  # gcpause.py: the collector would walk the growing result again and again
def judge_verdicts(case: Case, rulebook: Rulebook, at: dt.date | None = None, lang: str = "nl",
                   engine: Engine | None = None, source: str = "<case>", keep_by: str = "value") -> Verdicts:
    """The stages of `judge` up to the parties (selection, facts, evaluation, verdicts, plan checks,
    splits), without the remedies and the approval route."""
    if keep_by not in KEEP_BY:
        raise ValueError(f"keep_by must be one of {KEEP_BY}")
    return verdicts_of(evaluated(case, rulebook, at, engine, source), rulebook, lang, keep_by)


@while_paused
def judge(case: Case, rulebook: Rulebook, at: dt.date | None = None, lang: str = "nl",
          engine: Engine | None = None, source: str = "<case>", start: dt.date | None = None,
          keep_by: str = "value") -> Result:
    """Judge `case` by the law in force on `at` (default: the case date)."""
    v = judge_verdicts(case, rulebook, at, lang, engine, source, keep_by)
    return _finish(case, rulebook, v, lang, start)


def _finish(case: Case, rulebook: Rulebook, v: Verdicts, lang: str, start: dt.date | None,
            case_sha256: str | None = None) -> Result:
    """Remedies, the approval route and the Result, after the parties."""
    selection, judged, plan, parties = v.selection, v.judged, v.plan, v.parties
    remedies = remediate(case, judged, parties, plan, v.plan_evals, selection, rulebook, lang)
    verdicts = [j.verdict for j in judged.values()]
    on_route = set(parties.kept) | {c.id for c in case.components if c.activity == "sell"}
    route = build_route(verdicts, on_route, plan, rulebook, selection, start or selection.date, lang)
    return assemble(case, rulebook, selection, judged, plan, parties, remedies, route, lang, case_sha256)


@dataclass(frozen=True)
class Request:
    """One case to judge in `judge_many`, with the options of `judge`."""

    case: Case
    at: dt.date | None = None
    lang: str = "nl"
    source: str = "<case>"
    start: dt.date | None = None
    keep_by: str = "value"
    case_sha256: str | None = None  # case.sha256() when the caller has just checked it


# what judging a case may raise for that case alone (bad input, a refused figure, a disagreement)
CASE_ERRORS = (InputError, ValueError, KeyError, EngineError)


@while_paused
def judge_many(requests: list[Request], rulebook: Rulebook, engine: Engine | None = None
               ) -> list[Result | Exception]:
    """Judge several cases of one rulebook; per request its Result, or the error judging it raised
    (one of CASE_ERRORS; any other error propagates). Each Result is what `judge` gives for that
    request. What is shared is the durable_rules cross-check: the facts of all cases of one regime
    period are fired together (evaluation.cross_check: one session per ruleset, every fact
    checked), so a batch pays the fixed cost of a session once, not once per case."""
    out: list[Result | Exception | None] = [None] * len(requests)
    periods: dict[str, list[tuple[int, Evaluated]]] = {}
    for i, rq in enumerate(requests):
        try:
            if rq.keep_by not in KEEP_BY:
                raise ValueError(f"keep_by must be one of {KEEP_BY}")
            ev = evaluated(rq.case, rulebook, rq.at, engine, rq.source, check=False)
        except CASE_ERRORS as exc:
            out[i] = exc
            continue
        periods.setdefault(ev.selection.key, []).append((i, ev))
    for group in periods.values():
        disagreements = cross_check(group[0][1].selection, [ev.evaluations for _, ev in group], engine)
        for g, text in disagreements.items():
            out[group[g][0]] = EngineError(text)
        for i, ev in group:
            if out[i] is not None:
                continue
            rq = requests[i]
            try:
                out[i] = _finish(rq.case, rulebook, verdicts_of(ev, rulebook, rq.lang, rq.keep_by), rq.lang, rq.start,
                                 rq.case_sha256)
            except CASE_ERRORS as exc:
                out[i] = exc
    return out  # type: ignore[return-value]


def assemble(case: Case, rulebook: Rulebook, selection: Selection, judged: dict[str, Judged], plan: Plan,
             parties: SplitOutcome, remedies: Remedies, route, lang: str, case_sha256: str | None = None) -> Result:
    """The Result, from the stages' outputs (new objects; the stage outputs stay as they were);
    `case_sha256`: the case's hash when the caller has just computed it (replay checks it)."""
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
                              case_sha256=case_sha256 or case.sha256(), date=day),
    )

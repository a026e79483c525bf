"""Judging one case: facts -> durable_rules (checked against the reference evaluator) -> result.

The path is one-directional: the case gives facts; the rulebook selection for the date gives the
rules and parameter values; durable_rules fires rule branches; the reference evaluator must agree
exactly (any difference is an EngineError, never ignored) and supplies the three-valued view
(UNKNOWN when a fact or figure is missing) and the why-not explanations; verdict.py and plan.py
turn the fired branches into the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import __version__, coverage
from .case import Case
from .conditions.evaluator import Tri, Why, evaluate, explain
from .conditions.compiler import compile_condition
from .conditions.nodes import And, Not
from .errors import EngineError, InputError, Problem
from .facts import build_facts
from .inference.durable_adapter import Branch, DurableMatcher
from .result import Provenance, Regime, Result, Summary, sha256_of
from .rulebook.loader import CompiledRule, Rulebook, Selection



def _and(a: Tri, b: Tri) -> Tri:
    if Tri.FALSE in (a, b):
        return Tri.FALSE
    if Tri.UNKNOWN in (a, b):
        return Tri.UNKNOWN
    return Tri.TRUE


def _not(a: Tri) -> Tri:
    return {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}[a]


@dataclass
class BranchState:
    rule: CompiledRule
    branch: str  # "then" | "else"
    status: Tri
    why: Why | None = None


@dataclass
class FactEvaluation:
    """Every rule of the fact's scope, by branch, as the reference evaluator sees it."""

    fact: dict
    fired: list[BranchState] = field(default_factory=list)
    unknown: list[BranchState] = field(default_factory=list)
    not_fired: list[BranchState] = field(default_factory=list)


def branch_conditions(cr: CompiledRule):
    """(branch name, condition root) pairs of a rule: then = when and test, else = when and not test."""
    if cr.test is None:
        return [("then", cr.when.root)]
    return [("then", And((cr.when.root, cr.test.root))), ("else", And((cr.when.root, Not(cr.test.root))))]


def evaluate_fact(rules: list[CompiledRule], fact: dict, values: dict) -> FactEvaluation:
    """Reference (pure Python, three-valued) evaluation of all rules on one fact."""
    ev = FactEvaluation(fact)
    for cr in rules:
        w = evaluate(cr.when, fact, values)
        if cr.test is None:
            states = [("then", w)]
        else:
            t = evaluate(cr.test, fact, values)
            states = [("then", _and(w, t)), ("else", _and(w, _not(t)))]
        when_why = None  # both branches fail on `when` alike: explain it once
        for name, status in states:
            bs = BranchState(cr, name, status)
            if status is Tri.TRUE:
                ev.fired.append(bs)
            else:
                if w is not Tri.TRUE or cr.test is None:
                    why = when_why = when_why or explain(cr.when, fact, values, w)
                else:
                    why = explain(cr.test, fact, values, t)
                if why is None:  # when TRUE and the test decided the other branch
                    why = Why(status, f"not ({' '.join(cr.test.text.split())})", None, None, (), ())
                bs.why = why
                (ev.unknown if status is Tri.UNKNOWN else ev.not_fired).append(bs)
    return ev


class Engine:
    """Holds the durable_rules matcher and the compiled branches per regime selection."""

    def __init__(self) -> None:
        self.matcher = DurableMatcher()
        self._branches: dict[str, list[Branch]] = {}

    def branches(self, selection: Selection) -> list[Branch]:
        key = selection.key
        if key not in self._branches:
            out: list[Branch] = []
            for cr in selection.rules:
                for name, root in branch_conditions(cr):
                    cond = compile_condition(root, selection.values)
                    if cond is False:
                        continue  # can never be TRUE on this date (e.g. a figure is unknown)
                    out.append(Branch(f"{cr.rule.id}#{name}", cr.rule.scope, cond))
            self.matcher.prepare(key, out)
            self._branches[key] = out
        return self._branches[key]

    def fire(self, selection: Selection, facts: list[dict]) -> set[tuple[str, str]]:
        self.branches(selection)
        return self.matcher.match(selection.key, facts)


_ENGINE: Engine | None = None


def default_engine() -> Engine:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine()
    return _ENGINE


def evaluate_all(selection: Selection, facts: list[dict], engine: Engine | None = None,
                 check: bool = True) -> list[FactEvaluation]:
    """Reference evaluation of every fact, cross-checked against durable_rules."""
    by_scope: dict[str, list[CompiledRule]] = {}
    for cr in selection.rules:
        by_scope.setdefault(cr.rule.scope, []).append(cr)
    batch = getattr(engine, "evaluate_facts", None)  # portfolio.SharedEngine: once per distinct fact
    evaluations = batch(selection, by_scope, facts) if batch else [
        evaluate_fact(by_scope.get(f["kind"], []), f, selection.values) for f in facts]
    if check:
        fired = (engine or default_engine()).fire(selection, facts)
        expected = {(f"{bs.rule.rule.id}#{bs.branch}", ev.fact["id"]) for ev in evaluations for bs in ev.fired}
        if fired != expected:
            raise EngineError(
                "durable_rules and the reference evaluator disagree: "
                f"only durable_rules fired {sorted(fired - expected)}; only the reference fired {sorted(expected - fired)}")
    coverage.notify(selection, evaluations)
    return evaluations


def judge(case: Case, rulebook: Rulebook, at: dt.date | None = None, lang: str = "nl",
          engine: Engine | None = None, source: str = "<case>", start: dt.date | None = None,
          keep_by: str = "value") -> Result:
    """Judge `case` by the law in force on `at` (default: the case date)."""
    from .plan import plan_checks
    from .verdict import component_result

    day = at or case.date
    if not rulebook.covers(day):
        raise InputError([Problem(source, "date", f"{day} is outside the rulebook's coverage "
                                  f"({rulebook.meta.coverage_from} to {rulebook.meta.coverage_to})")])
    selection = rulebook.at(day)
    components, projects, plan = build_facts(case, selection.values, day)
    evaluations = evaluate_all(selection, components + projects + [plan], engine)
    comp_evals = evaluations[: len(components)]
    results = [component_result(c, ev, selection, rulebook, lang, case.illustrative)
               for c, ev in zip(case.components, comp_evals)]
    plan_out = plan_checks(evaluations[len(components):], selection, lang)
    by_verdict: dict[str, int] = {}
    for r in results:
        by_verdict[r.verdict] = by_verdict.get(r.verdict, 0) + 1
    from .decision import decide
    splits, route = decide(case, rulebook, selection, components, plan, comp_evals, evaluations[len(components):],
                           results, plan_out, lang, start=start, keep_by=keep_by)
    plan_ok = not any(ch.status == "fail" and _is_violation(selection, ch.rule, "else") for ch in plan_out.checks)
    summary = Summary(components=len(results), by_verdict=dict(sorted(by_verdict.items())),
                      compliant=all(r.compliant for r in results) and plan_ok)
    return Result(
        case=case.case_id, title=case.title, date=day.isoformat(), lang=lang,
        regime=Regime(rulebook=rulebook.meta.name, selection=selection.key,
                      rules_in_force=[cr.rule.id for cr in selection.rules],
                      change_points=[d.isoformat() for d in rulebook.change_points()]),
        summary=summary, components=results, plan=plan_out, splits=splits, route=route,
        provenance=Provenance(engine_version=__version__, rulebook_sha256=rulebook.sha256,
                              case_sha256=sha256_of(case.canonical()), date=day.isoformat()),
    )


def _is_violation(selection: Selection, rule_id: str, branch: str) -> bool:
    for cr in selection.rules:
        if cr.rule.id == rule_id:
            outcome = cr.rule.then if branch == "then" else cr.rule.else_
            return bool(outcome and outcome.violation)
    raise EngineError(f"unknown rule {rule_id}")

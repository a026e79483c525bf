"""Judging one case: facts -> evaluation (reference, checked against durable_rules) -> result.

The path is one-directional: the case gives facts; the rulebook selection for the date gives the
rules and parameter values; evaluation.py evaluates every rule branch on every fact (and holds
durable_rules to the same answer); verdict.py and plan.py turn the fired branches into the result,
and decision.py adds splits, remediation and the route. This module only orchestrates.
"""

from __future__ import annotations

import datetime as dt

from . import __version__
from .case import Case
from .decision import decide
from .errors import InputError, Problem
from .evaluation import (  # noqa: F401  (re-exported: the engine's public names before evaluation.py)
    BranchState, Engine, FactEvaluation, default_engine, evaluate_all, evaluate_fact,
)
from .facts import build_facts
from .plan import plan_checks
from .result import Provenance, Regime, Result, Summary, sha256_of
from .rulebook.loader import Rulebook, Selection
from .verdict import component_result


def judge(case: Case, rulebook: Rulebook, at: dt.date | None = None, lang: str = "nl",
          engine: Engine | None = None, source: str = "<case>", start: dt.date | None = None,
          keep_by: str = "value") -> Result:
    """Judge `case` by the law in force on `at` (default: the case date)."""
    day = at or case.date
    if not rulebook.covers(day):
        raise InputError([Problem(source, "date", f"{day} is outside the rulebook's coverage "
                                  f"({rulebook.meta.coverage_from} to {rulebook.meta.coverage_to})")])
    selection = rulebook.at(day)
    components, projects, plan = build_facts(case, selection)
    evaluations = evaluate_all(selection, components + projects + [plan], engine)
    comp_evals = evaluations[: len(components)]
    results = [component_result(c, ev, selection, rulebook, lang, case.illustrative)
               for c, ev in zip(case.components, comp_evals)]
    plan_out = plan_checks(evaluations[len(components):], selection, lang)
    by_verdict: dict[str, int] = {}
    for r in results:
        by_verdict[r.verdict] = by_verdict.get(r.verdict, 0) + 1
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
    return bool(selection.rule(rule_id).branch(branch).outcome.violation)

"""Decision support after judging: market-party splits (split.py, with the selections of verlicht.py),
remediation for forbidden and non-compliant components (remediation.py) and the approval route
(route.py). engine.judge calls `decide` once, after the components and plan checks are assembled."""

from __future__ import annotations

import datetime as dt

from .case import Case
from .evaluation import FactEvaluation
from .remediation import remediate, selection_remediation
from .result import ComponentResult, Plan, RouteStep, Splits
from .route import build_route
from .rulebook.loader import Rulebook, Selection
from .split import build_splits

KEEP_BY = ("value", "units")


def decide(case: Case, book: Rulebook, selection: Selection, component_facts: list[dict], plan_fact: dict,
           comp_evals: list[FactEvaluation], plan_evals: list[FactEvaluation], results: list[ComponentResult],
           plan: Plan, lang: str, start: dt.date | None = None,
           keep_by: str = "value") -> tuple[Splits, list[RouteStep]]:
    if keep_by not in KEEP_BY:
        raise ValueError(f"keep_by must be one of {KEEP_BY}")
    outcome = build_splits(case, component_facts, plan_fact, comp_evals, results, selection, lang, keep_by)
    for r in results:
        r.party = outcome.parties.get(r.id, r.party)
    remediate(case, comp_evals, results, outcome.parties, plan, plan_evals, selection, book, lang)
    selection_remediation(plan, outcome.splits.selections, lang)
    on_route = set(outcome.kept) | {c.id for c in case.components if c.activity == "sell"}
    route = build_route(results, on_route, plan, book, selection, start or selection.date, lang)
    return outcome.splits, route

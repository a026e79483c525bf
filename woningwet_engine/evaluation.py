"""Evaluating the rules of a selection on facts: the layer every later stage reads, below all of them.

Each fact is evaluated by the pure-Python three-valued reference evaluator (conditions/evaluator.py),
branch by branch as the rulebook defines branches (rulebook/loader.Branch). The result per fact is a
`FactEvaluation`: the branches that fired, those that are unknown, and those that did not fire, each
with why it is not TRUE. `evaluate_all` also cross-checks the fired branches against durable_rules
(inference/durable_adapter.py): any difference is an EngineError, never ignored.

Observers (functions of (selection, evaluations)) registered with `observe` see every evaluation;
the rule-coverage recorder of the test suite is one (coverage.py). Nothing here knows who observes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .conditions.compiler import compile_condition
from .conditions.evaluator import Tri, Why, evaluate, explain
from .errors import EngineError
from .inference.durable_adapter import Branch as DurableBranch, DurableMatcher
from .rulebook.loader import Branch, CompiledRule, Selection


@dataclass
class BranchState:
    """One rule branch on one fact, as the reference evaluator sees it."""

    rule: CompiledRule
    branch: str  # "then" | "else"
    status: Tri
    why: Why | None = None
    spec: Branch | None = field(default=None, repr=False, compare=False)

    @property
    def definition(self) -> Branch:
        return self.spec or self.rule.branch(self.branch)

    @property
    def outcome(self):
        """What the branch concludes (verdict, violation, conditions, party, texts)."""
        return self.definition.outcome

    @property
    def id(self) -> str:
        return self.definition.id


@dataclass
class FactEvaluation:
    """Every rule of the fact's scope, by branch, as the reference evaluator sees it."""

    fact: dict
    fired: list[BranchState] = field(default_factory=list)
    unknown: list[BranchState] = field(default_factory=list)
    not_fired: list[BranchState] = field(default_factory=list)


def evaluate_fact(rules: list[CompiledRule], fact: dict, values: dict) -> FactEvaluation:
    """Reference (pure Python, three-valued) evaluation of all rules on one fact."""
    ev = FactEvaluation(fact)
    for cr in rules:
        w = evaluate(cr.when, fact, values)
        t = None if cr.test is None else evaluate(cr.test, fact, values)
        when_why = None  # both branches fail on `when` alike: explain it once
        for b in cr.branches:
            status = b.status(w, t)
            bs = BranchState(cr, b.name, status, spec=b)
            if status is Tri.TRUE:
                ev.fired.append(bs)
                continue
            if w is not Tri.TRUE or cr.test is None:
                why = when_why = when_why or explain(cr.when, fact, values, w)
            else:
                why = explain(cr.test, fact, values, t)
            if why is None:  # when TRUE and the test decided the other branch
                why = Why(status, f"not ({' '.join(cr.test.text.split())})", None, None, (), ())
            bs.why = why
            (ev.unknown if status is Tri.UNKNOWN else ev.not_fired).append(bs)
    return ev


def rules_by_scope(selection: Selection) -> dict[str, list[CompiledRule]]:
    by_scope: dict[str, list[CompiledRule]] = {}
    for cr in selection.rules:
        by_scope.setdefault(cr.rule.scope, []).append(cr)
    return by_scope


class Engine:
    """The durable_rules back-end: the matcher and the compiled branches per regime selection."""

    def __init__(self) -> None:
        self.matcher = DurableMatcher()
        self._branches: dict[str, list[DurableBranch]] = {}

    def branches(self, selection: Selection) -> list[DurableBranch]:
        key = selection.key
        if key not in self._branches:
            out: list[DurableBranch] = []
            for cr in selection.rules:
                for b in cr.branches:
                    cond = compile_condition(b.root, selection.values)
                    if cond is False:
                        continue  # can never be TRUE on this date (e.g. a figure is unknown)
                    out.append(DurableBranch(b.id, cr.rule.scope, cond))
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


Observer = Callable[[Selection, list[FactEvaluation]], None]
_OBSERVERS: list[Observer] = []


def observe(observer: Observer) -> None:
    """Register a function called with (selection, evaluations) after every evaluate_all."""
    if observer not in _OBSERVERS:
        _OBSERVERS.append(observer)


def unobserve(observer: Observer) -> None:
    if observer in _OBSERVERS:
        _OBSERVERS.remove(observer)


def evaluate_all(selection: Selection, facts: list[dict], engine: Engine | None = None,
                 check: bool = True) -> list[FactEvaluation]:
    """Reference evaluation of every fact (in order), cross-checked against durable_rules."""
    by_scope = rules_by_scope(selection)
    batch = getattr(engine, "evaluate_facts", None)  # portfolio.SharedEngine: once per distinct fact
    evaluations = batch(selection, by_scope, facts) if batch else [
        evaluate_fact(by_scope.get(f["kind"], []), f, selection.values) for f in facts]
    if check:
        fired = (engine or default_engine()).fire(selection, facts)
        expected = {(bs.id, ev.fact["id"]) for ev in evaluations for bs in ev.fired}
        if fired != expected:
            raise EngineError(
                "durable_rules and the reference evaluator disagree: "
                f"only durable_rules fired {sorted(fired - expected)}; only the reference fired {sorted(expected - fired)}")
    for observer in tuple(_OBSERVERS):
        observer(selection, evaluations)
    return evaluations

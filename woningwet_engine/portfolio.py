"""Judging many components at once: each distinct fact is evaluated once, the trace stays per component.

A portfolio of thousands of components holds far fewer distinct kinds of fact: two homes whose
rents are both below the liberalisatiegrens, in the same kind of area, on the same kind of land,
fire the same rule branches. `SharedEngine` puts facts into classes that give every condition
atom the same value (see `Partition`), evaluates one fact per class once per regime selection,
both through durable_rules and through the reference evaluator, and hands every component the
shared evaluation with its own fact (own id, own values in the trace and the why-not list). The cross-check between durable_rules and the reference evaluator
still covers every class, and `judge` still builds each component's verdict, reasons,
why-not list and citations from that evaluation, so results are identical to `engine.judge`
with the default engine (tests/test_properties_portfolio.py holds the two to that).

Use `judge_portfolio(cases, rulebook)` for many cases (a portfolio larger than one case file
allows is several cases), or pass `SharedEngine()` as `engine=` to `engine.judge`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from bisect import bisect_left
from typing import Iterable, Iterator

from .case import Case
from .conditions.interval import Interval
from .conditions.nodes import Cmp, In, Param, atoms
from .engine import judge
from .evaluation import BranchState, Engine, FactEvaluation, evaluate_fact
from .facts import SCHEMAS
from .result import Result
from .rulebook.loader import Rulebook, Selection

MAX_SHAPES = 200_000  # evaluations kept per engine; beyond this the cache starts afresh
_MISSING = ("missing",)


class Partition:
    """Maps a fact to the outcome class of every atom the rules of its scope contain.

    Two facts with the same signature give every atom (and so every rule branch) the same value:
    numbers are classed by their position among the thresholds they are compared with (and
    whether they equal one), texts by which mentioned value they are (or none of them), and a
    missing fact is a class of its own. Fields no rule reads do not count.
    """

    def __init__(self, rules: Iterable, values: dict, schema) -> None:
        numbers: dict[str, set] = {}
        texts: dict[str, set] = {}
        for cr in rules:
            for root in (b.root for b in cr.branches):
                for atom in atoms(root):
                    name = atom.fact
                    ftype = schema[name].type
                    if isinstance(atom, Cmp):
                        rhs = values.get(atom.rhs.name) if isinstance(atom.rhs, Param) else atom.rhs.value
                        consts = [] if rhs is None else [rhs]
                        if isinstance(rhs, Interval):  # a bounded figure: its bounds are the thresholds
                            consts = [b for b in (rhs.lower, rhs.upper) if b is not None]
                    elif isinstance(atom, In):
                        consts = (values.get(atom.param) or []) if atom.param else [v.value for v in atom.values]
                    else:
                        consts = []
                    if ftype in ("eur", "bp", "int"):
                        numbers.setdefault(name, set()).update(consts)
                    else:
                        texts.setdefault(name, set()).update(consts)
        self.numbers = {n: (sorted(ts), frozenset(ts)) for n, ts in numbers.items()}
        self.texts = {n: frozenset(vs) for n, vs in texts.items()}
        self.fields = tuple(sorted(set(self.numbers) | set(self.texts)))

    def class_of(self, name: str, v) -> object:
        if v is None:
            return _MISSING
        num = self.numbers.get(name)
        if num is not None:
            return (bisect_left(num[0], v), v in num[1])
        if isinstance(v, bool) or v in self.texts.get(name, ()):
            return v
        return "~other"

    def signature(self, fact: dict, fields: tuple[str, ...] | None = None) -> tuple:
        get = fact.get
        return tuple([self.class_of(n, get(n)) for n in (self.fields if fields is None else fields)])



class SharedEngine(Engine):
    """An Engine that evaluates each rule once per class of equivalent values of the facts it reads,
    and fires durable_rules once per class of equivalent facts."""

    def __init__(self, max_shapes: int = MAX_SHAPES, compiled: bool = True) -> None:
        """compiled: evaluate with the compiled evaluator (default); False: the reference evaluator
        once per rule and class of the values it reads (the way this engine shared before)."""
        super().__init__(reference=not compiled)
        self.compiled = compiled
        self.max_shapes = max_shapes
        self._partitions: dict[tuple, Partition] = {}
        self._evals: dict[tuple, FactEvaluation] = {}  # per class of whole facts
        self._rule_evals: dict[tuple, FactEvaluation] = {}  # per rule and class of the facts it reads
        self._fired: dict[tuple, frozenset[str]] = {}
        self.stats = {"facts": 0, "evaluated": 0, "matched": 0}  # evaluated: rule evaluations made (not shared)

    def _partition(self, selection: Selection, kind: str) -> Partition:
        pkey = (selection.key, kind)
        part = self._partitions.get(pkey)
        if part is None:
            rules = [cr for cr in selection.rules if cr.rule.scope == kind]
            part = self._partitions[pkey] = Partition(rules, selection.values, SCHEMAS[kind])
        return part

    def _key(self, selection: Selection, fact: dict) -> tuple:
        return (selection.key, fact["kind"], self._partition(selection, fact["kind"]).signature(fact))

    def _room(self, cache: dict) -> None:
        if len(cache) >= self.max_shapes:
            cache.clear()

    def _rules(self, selection: Selection, kind: str, rules: list, part: Partition) -> list[tuple]:
        key = ("rules", selection.key, kind)
        found = self._partitions.get(key)
        if found is None:
            pos = {name: i for i, name in enumerate(part.fields)}
            found = self._partitions[key] = [(cr, tuple(pos[f] for f in cr.facts)) for cr in rules]
        return found

    def evaluate_facts(self, selection: Selection, by_scope: dict, facts: list[dict]) -> list[FactEvaluation]:
        if self.compiled:  # the compiled evaluator (evaluation.py) shares rule evaluations itself
            self.stats["facts"] += len(facts)
            before = self.evaluator.stats["evaluations"]
            out = self.evaluator.evaluate_facts(selection, by_scope, facts)
            self.stats["evaluated"] += self.evaluator.stats["evaluations"] - before
            return out
        return self._evaluate_shared(selection, by_scope, facts)

    def _evaluate_shared(self, selection: Selection, by_scope: dict, facts: list[dict]) -> list[FactEvaluation]:
        """Like engine.evaluate_fact per fact, but shared: a fact whose values are all in the same
        classes as an earlier fact's reuses that evaluation; otherwise each rule is evaluated once
        per class of the values of the facts it reads. Branch states that say why a rule did not
        fire are re-made with this fact's own value where it differs."""
        out = []
        for fact in facts:
            self.stats["facts"] += 1
            kind = fact["kind"]
            part = self._partition(selection, kind)
            full = part.signature(fact)
            key = (selection.key, kind, full)
            shared = self._evals.get(key)
            if shared is not None:
                out.append(FactEvaluation(fact, list(shared.fired), _own(shared.unknown, shared.fact, fact),
                                          _own(shared.not_fired, shared.fact, fact)))
                continue
            ev = FactEvaluation(fact)
            for cr, idx in self._rules(selection, kind, by_scope.get(kind, []), part):
                rkey = (selection.key, cr.rule.id, tuple([full[i] for i in idx]))
                one = self._rule_evals.get(rkey)
                if one is None:
                    self.stats["evaluated"] += 1
                    self._room(self._rule_evals)
                    one = self._rule_evals[rkey] = evaluate_fact([cr], fact, selection.values)
                ev.fired.extend(one.fired)
                ev.unknown.extend(_own(one.unknown, one.fact, fact))
                ev.not_fired.extend(_own(one.not_fired, one.fact, fact))
            self._room(self._evals)
            self._evals[key] = ev
            out.append(ev)
        return out

    def fire(self, selection: Selection, facts: list[dict]) -> set[tuple[str, str]]:
        self.branches(selection)
        todo: dict[tuple, dict] = {}
        keys = []
        for fact in facts:
            key = self._key(selection, fact)
            keys.append(key)
            if key not in self._fired and key not in todo:
                todo[key] = dict(fact, id=f"class:{len(todo)}")
        if todo:
            self.stats["matched"] += len(todo)
            by_id = {f["id"]: key for key, f in todo.items()}
            names: dict[tuple, set[str]] = {key: set() for key in todo}
            for branch, fid in self.matcher.match(selection.key, list(todo.values())):
                names[by_id[fid]].add(branch)
            self._room(self._fired)
            for key, found in names.items():
                self._fired[key] = frozenset(found)
        return {(branch, fact["id"]) for fact, key in zip(facts, keys) for branch in self._fired[key]}


def _own(states: list[BranchState], canon: dict, fact: dict) -> list[BranchState]:
    """The shared branch states, with the why-not showing this fact's own value where it differs."""
    out = []
    for bs in states:
        why = bs.why
        if why is not None and why.fact is not None and canon.get(why.fact) != fact.get(why.fact):
            bs = dataclasses.replace(bs, why=dataclasses.replace(why, seen=fact.get(why.fact)))
        out.append(bs)
    return out


def judge_portfolio(cases: Iterable[Case], rulebook: Rulebook, at: dt.date | None = None, lang: str = "nl",
                    engine: SharedEngine | None = None) -> Iterator[Result]:
    """Judge each case (full result and trace per component), sharing evaluations between them."""
    engine = engine or SharedEngine()
    for case in cases:
        yield judge(case, rulebook, at=at, lang=lang, engine=engine, source=case.case_id)

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

from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from .conditions.evaluator import Tri, Why, evaluate, explain
from .errors import EngineError
from .inference.durable_adapter import MAX_SELECTIONS, Branch as DurableBranch, DurableMatcher
from .rulebook.capacity import compile_branches
from .rulebook.loader import Branch, CompiledRule, Selection


@dataclass
class BranchState:
    """One rule branch on one fact, as the reference evaluator sees it."""

    rule: CompiledRule
    branch: str  # "then" | "else"
    status: Tri
    why: Why | None = None
    spec: Branch | None = field(default=None, repr=False, compare=False)

    # cached: later stages ask a shared state for these hundreds of times a judgement, and a state's
    # rule, branch and spec do not change after it is made
    @cached_property
    def definition(self) -> Branch:
        return self.spec or self.rule.branch(self.branch)

    @cached_property
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
    # the compiled evaluator's per rule, in rule order: the shared (fired, unknown, not fired) states
    # these lists are made of (None from other evaluators); later stages share work per such object
    parts: tuple | None = field(default=None, repr=False, compare=False)
    # the same, a run of consecutive rules at a time (CompiledEvaluator.RUN): the shared `Run` pieces
    # `parts` is the concatenation of (None from other evaluators)
    runs: tuple | None = field(default=None, repr=False, compare=False)


class Run:
    """The shared evaluation of a run of consecutive rules of a scope on one projection of a fact (the
    atom codes of those rules and the values their why-nots show): each rule's shared states
    (`parts`, as FactEvaluation.parts) and the states of the whole run by status, in rule order.
    Read-only; one object for every fact with that projection."""

    __slots__ = ("parts", "fired", "unknown", "not_fired")

    def __init__(self, parts: tuple) -> None:
        self.parts = parts
        self.fired = tuple(bs for p in parts for bs in p[0])
        self.unknown = tuple(bs for p in parts for bs in p[1])
        self.not_fired = tuple(bs for p in parts for bs in p[2])


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
    """The selection's rules by scope, in rule order; once per regime period (read-only)."""
    memo = selection.period_memo
    by_scope = memo.get("rules_by_scope")
    if by_scope is None:
        by_scope = {}
        for cr in selection.rules:
            by_scope.setdefault(cr.rule.scope, []).append(cr)
        memo["rules_by_scope"] = by_scope
    return by_scope


_CODE: dict[str, object] = {}  # sha256 of generated source -> code object


def compile_cached(source: str, name: str):
    """compile(), remembered by the source's hash in this process and on disk in the cache
    directory (marshal, through diskcache and its private-file rules), so that a CLI run does not
    spend its time compiling the same generated functions again."""
    import hashlib
    import marshal
    import sys
    from importlib.util import MAGIC_NUMBER

    # marshal's format and the bytecode belong to one interpreter: code from another Python version
    # may load without an error and crash the process when run, so the interpreter is in the key and
    # the file starts with its bytecode magic number
    digest = hashlib.sha256(MAGIC_NUMBER + sys.implementation.cache_tag.encode() + b"\0"
                            + source.encode("utf-8")).hexdigest()
    code = _CODE.get(digest)
    if code is not None:
        return code
    from . import diskcache

    cache_name = f"code-{digest[:32]}.marshal"
    data = diskcache.read(cache_name)
    if data is not None:
        try:
            code = marshal.loads(data[len(MAGIC_NUMBER):]) if data.startswith(MAGIC_NUMBER) else None
            if code is not None and code.co_filename != name:
                code = None
        except Exception:  # damaged or from another Python: compile instead
            code = None
    if code is None:
        code = compile(source, name, "exec")
        diskcache.write(cache_name, MAGIC_NUMBER + marshal.dumps(code))
    _CODE[digest] = code
    return code


class CompiledEvaluator:
    """The hot path: every rule of a scope compiled once per selection (conditions/compiled.py).

    One generated function per (selection, scope) gives each rule's atom codes on a fact and the
    Kleene values of its `when` and `test`. A rule's evaluation (branch statuses, and the why-not
    the reference evaluator would give: conditions.compiled.why_from_codes) is a function of those
    codes and of the one fact value its why-not shows, so it is made once per distinct (codes,
    value) and shared, read-only, by every fact that has them; no condition tree is walked on a
    fact. The reference evaluator is the oracle: `verify=True` evaluates every new (codes, value)
    with it as well and raises EngineError on any difference (the tests use it), and the
    conformance suite and the property tests hold the two equal. durable_rules still checks the
    fired branches on every judgement (evaluate_all)."""

    MAX_PER_RULE = 5_000  # shared evaluations kept per rule (and per run) and selection; beyond this that memo starts afresh
    # Rules are looked up a run of RUN consecutive rules at a time: a realistic portfolio of 10,000
    # components has ~25,000 distinct runs of 8 among 140,000 (and ~21,000 distinct rule evaluations
    # among 1,060,000), so a fact costs one lookup per run, not per rule (docs/benchmarks.md)
    RUN = 8

    def __init__(self, max_selections: int = MAX_SELECTIONS, verify: bool = False) -> None:
        self._programs: dict[tuple, tuple] = {}
        # programs are kept for the most recently used selections only, as in the durable_rules
        # matcher, so a process that keeps meeting new rulebook versions stays flat
        self._selections: OrderedDict[str, list[tuple]] = OrderedDict()
        self.max_selections = max_selections
        self.verify = verify
        self.stats = {"facts": 0, "evaluations": 0, "reference_calls": 0}

    def _program(self, selection: Selection, kind: str, rules: list[CompiledRule]):
        """(rules, the scope's generated function, one memo per rule: atom codes -> evaluation)."""
        # keyed by the rule objects too: another Rulebook object with the same selection key
        # (a replayed record's) gets its own program, so branch states point at its own rules
        key = (selection.key, kind, tuple(map(id, rules)))
        found = self._programs.get(key)
        keys = self._selections.get(selection.key)
        if keys is None:
            keys = self._selections[selection.key] = []
            while len(self._selections) > self.max_selections:
                for old in self._selections.popitem(last=False)[1]:
                    self._programs.pop(old, None)
        else:
            self._selections.move_to_end(selection.key)
        if found is None:
            keys.append(key)
            from .conditions.compiled import program

            roots = [[cr.when.root] + ([cr.test.root] if cr.test is not None else []) for cr in rules]
            runs = tuple((lo, min(lo + self.RUN, len(rules)), {}) for lo in range(0, len(rules), self.RUN))
            found = self._programs[key] = (tuple(rules), program(roots, selection.values, compile_cached),
                                           [{} for _ in rules], runs)
        return found

    def evaluate_facts(self, selection: Selection, by_scope: dict, facts: list[dict]) -> list[FactEvaluation]:
        out = []
        values = selection.values
        programs: dict = {}
        for fact in facts:
            kind = fact["kind"]
            prog = programs.get(kind)
            if prog is None:
                prog = programs[kind] = self._program(selection, kind, by_scope.get(kind, []))
            rules, codes_of, memos, runs = prog
            codes = codes_of(fact)  # per rule: atom codes, then Kleene values
            get = fact.get
            made = []
            parts: list = []
            fired: list = []
            unknown: list = []
            not_fired: list = []
            for lo, hi, run_memo in runs:
                key = codes[lo:hi]
                found = run_memo.get(key)
                if found is None:  # the run's rule entries on these codes, and the facts their why-nots show
                    if len(run_memo) >= self.MAX_PER_RULE:
                        run_memo.clear()
                    entries = tuple(self._entry(rules[i], memos[i], codes[i], values) for i in range(lo, hi))
                    found = run_memo[key] = (entries, tuple(e[0] for e in entries), {})
                entries, shown, by_seen = found
                seen = tuple(map(get, shown))  # get(None) is None: a rule whose why-not shows no fact
                try:
                    run = by_seen.get(seen)
                except TypeError:  # an unhashable value: this run's states made for this fact alone
                    run = self._run(rules, lo, entries, seen, fact, values)
                if run is None:
                    run = by_seen[seen] = self._run(rules, lo, entries, seen, fact, values)
                made.append(run)
                parts.extend(run.parts)
                if run.fired:
                    fired.extend(run.fired)
                if run.unknown:
                    unknown.extend(run.unknown)
                not_fired.extend(run.not_fired)
            out.append(FactEvaluation(fact, fired, unknown, not_fired, tuple(parts), tuple(made)))
        self.stats["facts"] += len(facts)
        return out

    def _run(self, rules: tuple, lo: int, entries: tuple, seen: tuple, fact: dict, values: dict) -> Run:
        """The run of rules from `lo` on these entries and the values their why-nots show."""
        return Run(tuple(self._shared(rules[lo + j], entry, shown, fact, values)
                         for j, (entry, shown) in enumerate(zip(entries, seen))))

    def _entry(self, cr: CompiledRule, memo: dict, codes: tuple, values: dict):
        """The rule's entry for these atom codes (made once per codes: _new_entry)."""
        entry = memo.get(codes)
        if entry is None:
            if len(memo) >= self.MAX_PER_RULE:
                memo.clear()
            entry = memo[codes] = self._new_entry(cr, codes, values)
        return entry

    def _shared(self, cr: CompiledRule, entry: tuple, seen, fact: dict, values: dict) -> tuple:
        """The rule's shared states for its entry and the value its why-not shows (made once per
        such pair, so every run holding them holds the same objects)."""
        why_fact, templates, by_seen = entry
        try:
            parts = by_seen.get(seen)
        except TypeError:  # an unhashable value: states made for this fact alone
            return self._parts(cr, templates, seen, fact, values)
        if parts is None:
            parts = by_seen[seen] = self._parts(cr, templates, seen, fact, values)
        return parts

    def _new_entry(self, cr: CompiledRule, codes: tuple, values: dict):
        """The rule's branches on these atom codes: (the fact its why-not shows, per branch (spec,
        status, why-not without the value seen), a memo value seen -> states)."""
        from .conditions.compiled import TRI, why_from_codes

        self.stats["evaluations"] += 1
        if cr.test is None:
            w, t = TRI[codes[-1]], None
        else:
            w, t = TRI[codes[-2]], TRI[codes[-1]]
        templates = []
        when_why = None  # both branches fail on `when` alike: explained once, as evaluate_fact does
        for b in cr.branches:
            status = b.status(w, t)
            if status is Tri.TRUE:
                why = None
            elif w is not Tri.TRUE or cr.test is None:
                why = when_why = when_why or (w, *why_from_codes(cr.when.root, codes, 0, w, values))
            elif t is Tri.TRUE:  # when TRUE and the test decided the other branch
                why = (status, f"not ({' '.join(cr.test.text.split())})", None, (), ())
            else:
                why = (t, *why_from_codes(cr.test.root, codes, len(codes) - 2 - _n_leaves(cr.test), t, values))
            templates.append((b, status, why))
        templates.sort(key=lambda item: item[0].name != "then")
        shown = {why[2] for _, _, why in templates if why is not None and why[2] is not None}
        if len(shown) > 1:  # cannot happen (one condition explains both branches); keep it exact
            raise EngineError(f"{cr.rule.id}: branches show different facts in their why-not")
        return (next(iter(shown)) if shown else None), tuple(templates), {}

    def _parts(self, cr: CompiledRule, templates: tuple, seen, fact: dict, values: dict) -> tuple:
        """The branch states of one (codes, value seen), as (fired, unknown, not fired)."""
        states = []
        whys: dict = {}
        for b, status, why in templates:
            made = None
            if why is not None:
                made = whys.get(id(why))
                if made is None:  # one Why object for branches that share their explanation
                    made = whys[id(why)] = Why(why[0], why[1], why[2], None if why[2] is None else seen,
                                               why[3], why[4])
            states.append(BranchState(cr, b.name, status, made, spec=b))
        if self.verify:
            self.stats["reference_calls"] += 1
            ev = evaluate_fact([cr], fact, values)
            want = sorted(ev.fired + ev.unknown + ev.not_fired, key=lambda bs: bs.branch != "then")
            if [(bs.branch, bs.status, bs.why) for bs in want] != [(bs.branch, bs.status, bs.why) for bs in states]:
                raise EngineError(f"the compiled evaluator and the reference disagree on {cr.rule.id} for fact "
                                  f"{fact.get('id')!r}: compiled {[(bs.branch, bs.status) for bs in states]}, "
                                  f"reference {[(bs.branch, bs.status) for bs in want]}")
        return _by_status(states)


def _n_leaves(cond) -> int:
    from .conditions.compiled import leaves

    return len(leaves(cond.root))


def _by_status(states) -> tuple[tuple, tuple, tuple]:
    """A rule's branch states as (fired, unknown, not fired), each in branch order."""
    return (tuple(bs for bs in states if bs.status is Tri.TRUE),
            tuple(bs for bs in states if bs.status is Tri.UNKNOWN),
            tuple(bs for bs in states if bs.status is Tri.FALSE))



class Engine:
    """The durable_rules back-end (the matcher and the compiled durable branches per regime
    selection) and the compiled evaluator used on the hot path (`reference=True`: the reference
    evaluator on every fact instead, as the benchmarks and the oracle tests use it)."""

    def __init__(self, reference: bool = False, max_selections: int = MAX_SELECTIONS) -> None:
        self.matcher = DurableMatcher(max_selections)
        self._branches: dict[str, list[DurableBranch]] = {}
        self.evaluator = None if reference else CompiledEvaluator(max_selections)

    def evaluate_facts(self, selection: Selection, by_scope: dict, facts: list[dict]) -> list[FactEvaluation]:
        if self.evaluator is None:
            return [evaluate_fact(by_scope.get(f["kind"], []), f, selection.values) for f in facts]
        return self.evaluator.evaluate_facts(selection, by_scope, facts)

    def branches(self, selection: Selection) -> list[DurableBranch]:
        key = selection.key
        out = self._branches.pop(key, None)
        if out is None:
            out = compile_branches(selection)
        self._branches[key] = out  # most recently used last; as many kept as the matcher keeps
        while len(self._branches) > self.matcher.max_selections:
            self._branches.pop(next(iter(self._branches)))
        self.matcher.prepare(key, out)  # registers it again if the matcher let it go
        return out

    def fire(self, selection: Selection, facts: list[dict]) -> set[tuple[str, str]]:
        self.branches(selection)
        # one fact per class a ruleset sees, and each class asked once per ruleset (durable_adapter)
        return self.matcher.match(selection.key, facts, classed=True)


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


def observed() -> bool:
    """Whether an observer is registered: work split over processes would hide evaluations from it."""
    return bool(_OBSERVERS)


def unobserve(observer: Observer) -> None:
    if observer in _OBSERVERS:
        _OBSERVERS.remove(observer)


def evaluate_all(selection: Selection, facts: list[dict], engine: Engine | None = None,
                 check: bool = True) -> list[FactEvaluation]:
    """Evaluation of every fact (in order) by the engine's evaluator (the compiled one unless the
    engine says otherwise), cross-checked against durable_rules (`check=False`: the caller does that
    with `cross_check`, e.g. for the facts of many cases at once)."""
    by_scope = rules_by_scope(selection)
    engine = engine or default_engine()
    evaluations = engine.evaluate_facts(selection, by_scope, facts)  # compiled, reference or portfolio.SharedEngine
    if check:
        disagreements = cross_check(selection, [evaluations], engine)
        if disagreements:
            raise EngineError(disagreements[0])
    for observer in tuple(_OBSERVERS):
        observer(selection, evaluations)
    return evaluations


def cross_check(selection: Selection, groups: list[list[FactEvaluation]], engine: Engine | None = None
                ) -> dict[int, str]:
    """durable_rules fires the selection's rules on the facts of every group (each group the
    evaluations of one case) at once: one session per ruleset, all facts asserted together. Every
    fact's fired branches must equal the evaluator's; returns {group index: what differs} for the
    groups where they do not (empty: all agree). With several groups each fact is given to
    durable_rules under its position in the batch as its id (ids repeat between cases); no rule
    reads the id (rulebook/capacity.check_capacity)."""
    engine = engine or default_engine()
    flat = [ev for evs in groups for ev in evs]
    if len(groups) == 1:
        labels = [ev.fact["id"] for ev in flat]
        facts = [ev.fact for ev in flat]
    else:
        labels = list(range(len(flat)))
        facts = [dict(ev.fact, id=n) for n, ev in enumerate(flat)]
    fired = engine.fire(selection, facts)
    expected = {(bs.id, label) for label, ev in zip(labels, flat) for bs in ev.fired}
    if fired == expected:
        return {}
    owner = {label: g for label, g in zip(labels, (g for g, evs in enumerate(groups) for _ in evs))}
    fact_id = {label: ev.fact["id"] for label, ev in zip(labels, flat)}
    out: dict[int, str] = {}
    for g in sorted({owner[label] for _, label in fired ^ expected}):
        durable_only = sorted((b, fact_id[label]) for b, label in fired - expected if owner[label] == g)
        evaluator_only = sorted((b, fact_id[label]) for b, label in expected - fired if owner[label] == g)
        out[g] = ("durable_rules and the reference evaluator disagree: "
                  f"only durable_rules fired {durable_only}; only the reference fired {evaluator_only}")
    return out

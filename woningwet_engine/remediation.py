"""Remediation: for every forbidden, undecided-by-approval or non-compliant component, the smallest
change that would clear the rule, derived from the rule's own condition.

How a move is derived, never hand-written per rule:

1. The negative branch that fired tells what must change: an `else` branch needs the rule's `test`
   to become true; a `then` branch needs the `test` (or, without a test, the `when`) to become false.
2. `alternatives()` walks that condition and lists the ways to flip it: each way is a set of atoms
   that must each take a given truth value (an `and` needs all of its failing parts, an `or` any one).
3. Every atom names a fact. rules/policy/remedies.yaml maps each changeable fact back to the case field it comes from
   (rent -> dwelling.rent, project_bog_floor_share -> this component's floor_area_m2,
   mv_third_party_share -> mv.third_party_floor_m2, sale_price_ratio_leegwaarde -> sale.price, ...).
   Numeric moves are solved exactly by bisection on the field with the fact rebuilt by facts.py, so
   shares, roundings and project totals are honoured: the result is the value closest to the current
   one at which the comparison holds (the boundary: rent down to the limit, floor area down to the
   share, price up to the ratio). Yes/no and choice facts try the values that satisfy the atom.
4. Each candidate is applied to the case and the component is re-evaluated with the reference
   evaluator; a remediation is `verified` when the rule's negative branch no longer fires. Among the
   verified ways the stage prefers one after which no rule forbids the component at all, then fewer
   changes.
Facts that describe the world rather than the plan (location, ownership history, the kind of object)
have no field: then the remedy is a transfer to the party of the split stage, or the approval the
rule's outcome names.
"""

from __future__ import annotations

import itertools
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, Mapping

from .case import Case, Component, Corporation, Land, PerformanceAgreement
from .conditions.evaluator import Tri, atom_value, evaluate
from .conditions.nodes import And, Cmp, In, Not, Or, Param, Present, atoms
from .evaluation import FactEvaluation
from .explain import citation
from .format import cents_of, human_value, json_value as _json
from .facts import (COMPONENT_FIELDS, LEEFBAARHEID_CATEGORIES, component_fact, component_fact_after, component_value,
                    derived_value, plan_fact, project_aggregates, stated_facts)
from .fieldinputs import ALL, component_inputs, feeds, project_inputs
from .result import Change, ComponentResult, Plan, Remediation
from .rulebook.loader import Rulebook, Selection
from .rulebook.model import bases_on
from .i18n import section, text as tr
from .split import KEEP, allocate

NEG = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
MAX_ALTERNATIVES = 16
MAX_REMEDIES_PER_RULE = 3
MAX_CENTS = 10**15
SHORTCUTS = True  # False: every trial the plain way (no shared alternatives, stated facts derived); tests compare


@dataclass(frozen=True)
class FieldRef:
    """The case field a fact comes from."""

    path: tuple[str, ...]  # within the component
    unit: str  # eur | int | bool | enum
    kind: str  # numeric | change | approval | procedure
    condition: str | None = None
    lo: int = 0  # lowest acceptable value for numeric moves (1: a size cannot drop to nothing)


def field_refs(selection: Selection) -> dict[str, FieldRef]:
    """The remedies map of rules/policy/remedies.yaml as FieldRefs (empty without the file)."""
    remedies = selection.policy.remedies
    if remedies is None:
        return {}
    memo = selection.memo
    if "remedy_fields" not in memo:
        memo["remedy_fields"] = {fact: FieldRef(tuple(ref.path.split(".")), ref.unit, ref.kind, ref.condition, ref.lo)
                                 for fact, ref in remedies.facts.items()}
    return memo["remedy_fields"]


# --- changing a case -------------------------------------------------------------------------------------

def _get(comp: Component, path: tuple[str, ...]):
    obj: Any = comp
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def _set_component(comp: Component, path: tuple[str, ...], value) -> Component:
    if len(path) == 1:
        return comp.model_copy(update={path[0]: value})
    block = getattr(comp, path[0])
    if block is None:
        if path[0] != "land":
            raise ValueError(f"component {comp.id} has no {path[0]} block")
        block = Land()
    return comp.model_copy(update={path[0]: _set_component(block, path[1:], value)})


def _with_component(case: Case, k: int, comp: Component) -> Case:
    comps = list(case.components)
    comps[k] = comp
    return case.model_copy(update={"components": comps})


def _set_path(target, parts: list[str], value) -> None:
    """Set `value` at the dotted path `parts` of JSON data (digits index lists, "+" appends)."""
    for name in parts[:-1]:
        if name.isdigit():
            target = target[int(name)]
        else:
            if target.get(name) is None:
                target[name] = {}
            target = target[name]
    if parts[-1] == "+":
        target.append(value)
    else:
        target[parts[-1]] = value


def apply_changes(case: Case, changes: list[Change]) -> Case:
    """The case with the changes applied, validated again through the case model."""
    data = case.model_dump(mode="json")
    index = {c["id"]: c for c in data["components"]}
    for ch in changes:
        _set_path(data if ch.component is None else index[ch.component], ch.field.split("."), ch.new)
    return Case.model_validate(data)


# --- evaluating ------------------------------------------------------------------------------------------

class _Trials:
    """What every trial of one component shares: the base (local) case, the set of components its
    agreements cover, and its project's totals kept as sums and counts of each member's share, so
    that a trial which changes only this component gets its fact in time independent of the size of
    the project (swap the component's share), instead of re-deriving the whole project."""

    def __init__(self, base: Case, k: int, totals: dict) -> None:
        self.base, self.k, self.totals = base, k, totals
        self.agreements = {cid for a in base.performance_agreements for cid in a.covers}
        self.ids = totals["ids"]
        self.own = _share(base.components[k])
        # a component no trial of k replaces (None: k is the only one, no other to compare)
        self.other = None if len(base.components) == 1 else 0 if k else len(base.components) - 1
        self.facts: dict[int, tuple] = {}  # id(case) -> (case, selection, fact) of the trials' facts made
        self.made: dict[int, tuple] = {}  # id(trial) -> (trial, case it was made from, field paths changed)
        self.fires: frozenset | None = None  # the negative branches (_negative_branches_of) fired on the base
        self.passes: dict[int, tuple] = {}  # id(trial) -> (trial, selection, component_passes of it)

    def covers(self, case: Case, k: int) -> bool:
        """`case` is a trial of this component: made from the base by _apply_local / _with_component,
        it differs from it only in component k, the corporation or the agreements (a case rebuilt by
        apply_changes has new objects for every component, which the identity check sees)."""
        b, other = self.base, self.other
        return (k == self.k and case.projects is b.projects and len(case.components) == len(b.components)
                and (other is None or case.components[other] is b.components[other]))

    def agreements_of(self, case: Case) -> set:
        if case.performance_agreements is self.base.performance_agreements:
            return self.agreements
        return {cid for a in case.performance_agreements for cid in a.covers}

    def projects(self, comp: Component) -> dict:
        pid = self.base.components[self.k].project
        if pid is None:
            return self.totals["aggregates"]
        sums, counts = self.totals["sums"].get(pid), self.totals["counts"].get(pid)
        new = _share(comp)
        if sums is None and new is None:
            return self.totals["aggregates"]
        agg = dict.fromkeys(self.totals["keys"], 0)
        n = {"members": 0, "floor_unknown": 0, "bog": 0}
        for part, sign in ((sums, 1), (self.own, -1), (new, 1)):
            if part is None:
                continue
            for key in ("floor", "bog_floor", "bog_cost", "cost"):
                agg[key] += sign * part[key]
        for part, sign in ((counts, 1), (_count(self.own), -1), (_count(new), 1)):
            if part is not None:
                for key in n:
                    n[key] += sign * part[key]
        out = dict(self.totals["aggregates"])
        if n["members"] == 0:
            out.pop(pid, None)
            return out
        agg["floor_known"] = n["floor_unknown"] == 0
        agg["has_bog"] = n["bog"] > 0
        out[pid] = agg
        return out


class _One:
    """A case holding one component: what project_aggregates needs to give that component's share."""

    def __init__(self, comp: Component) -> None:
        self.components = [comp]


def _share(comp: Component) -> dict | None:
    """The component's own share of its project's totals (project_aggregates of it alone), or None."""
    return project_aggregates(_One(comp)).get(comp.project) if comp.project is not None else None


def _count(share: dict | None) -> dict | None:
    if share is None:
        return None
    return {"members": 1, "floor_unknown": 0 if share["floor_known"] else 1, "bog": 1 if share["has_bog"] else 0}


def _project_totals(case: Case) -> dict:
    """Per project: the sums of the members' shares and the counts behind floor_known/has_bog."""
    sums: dict[str, dict] = {}
    counts: dict[str, dict] = {}
    keys = None
    for c in case.components:
        share = _share(c)
        if share is None:
            continue
        keys = keys or list(share)
        s = sums.setdefault(c.project, dict.fromkeys(("floor", "bog_floor", "bog_cost", "cost"), 0))
        for key in s:
            s[key] += share[key]
        n = counts.setdefault(c.project, {"members": 0, "floor_unknown": 0, "bog": 0})
        for key, v in _count(share).items():
            n[key] += v
    return {"sums": sums, "counts": counts, "aggregates": project_aggregates(case), "ids": {c.id for c in case.components},
            "keys": keys or ["floor", "bog_floor", "bog_cost", "cost", "floor_known", "has_bog"]}


_TRIALS: ContextVar[_Trials | None] = ContextVar("remediation_trials", default=None)


def _component_fact(case: Case, k: int, selection: Selection) -> dict:
    trials = _TRIALS.get()
    if trials is not None and trials.covers(case, k):
        found = trials.facts.get(id(case))  # a trial is asked for its fact more than once
        if found is not None and found[0] is case and found[1] is selection:
            return found[2]
        comp = case.components[k]
        made = trials.made.get(id(case))
        if made is not None and made[0] is case:  # changed in a few fields: derive only what they feed
            fact = component_fact_after(case, comp, trials.agreements_of(case), trials.projects(comp), selection,
                                        _component_fact(made[1], k, selection), made[2])
        else:
            fact = component_fact(case, comp, trials.agreements_of(case), trials.projects(comp), selection)
        trials.facts[id(case)] = (case, selection, fact)
        return fact
    agreements = {cid for a in case.performance_agreements for cid in a.covers}
    return component_fact(case, case.components[k], agreements, project_aggregates(case), selection)


def _component_value(case: Case, k: int, selection: Selection, name: str, stated: bool = True):
    """_component_fact(case, k, selection).get(name), deriving only that fact (facts.component_value;
    `stated=False`: `name` is not a stated fact of the component)."""
    trials = _TRIALS.get()
    if trials is not None and trials.covers(case, k):
        return component_value(case, case.components[k], trials.agreements_of(case),
                               trials.projects(case.components[k]), selection, name, stated)
    agreements = {cid for a in case.performance_agreements for cid in a.covers}
    return component_value(case, case.components[k], agreements, project_aggregates(case), selection, name)


_RULES_CACHE: dict[tuple[str, str], list] = {}


def _rules(selection: Selection, scope: str):
    key = (selection.key, scope)
    if key not in _RULES_CACHE:
        if len(_RULES_CACHE) > 64:
            _RULES_CACHE.clear()
        _RULES_CACHE[key] = [cr for cr in selection.rules if cr.rule.scope == scope]
    return _RULES_CACHE[key]


def _negative(outcome, strict_decision: bool = True) -> bool:
    return outcome.verdict == "forbidden" or outcome.violation or (strict_decision and outcome.verdict == "needs_decision")


def _branch_fires(branch, fact: dict, values: dict) -> bool:
    return evaluate(branch.root, fact, values) is Tri.TRUE


def component_passes(case: Case, k: int, selection: Selection) -> bool:
    """No component rule forbids the component, leaves it for a decision, or finds a violation
    (the negative branches' three-valued values from one compiled program per selection,
    conditions/compiled.py, equal to the reference evaluator's; no why-not tracing)."""
    trials = _TRIALS.get()
    if trials is not None and SHORTCUTS and trials.covers(case, k):
        known = trials.passes.get(id(case))  # _try_alternative asks of a chosen trial again
        if known is not None and known[0] is case and known[1] is selection:
            return known[2]
        found = _passes(case, k, selection, trials)
        trials.passes[id(case)] = (case, selection, found)
        return found
    return _passes(case, k, selection, trials)


def _passes(case: Case, k: int, selection: Selection, trials: "_Trials | None") -> bool:
    fact = _component_fact(case, k, selection)
    made = trials.made.get(id(case)) if trials is not None and SHORTCUTS else None
    if made is not None and made[0] is case and made[1] is trials.base and trials.fires is not None:
        found = _passes_after(fact, _component_fact(made[1], k, selection), trials.fires, selection)
        if found is not None:
            return found
    return not any(codes[-1] == 2 for codes in _negative_program(selection)(fact))  # 2: TRUE


def _negative_branches_of(selection: Selection) -> tuple[list, list[frozenset], dict[int, int]]:
    """The negative component branches (in the order of _negative_program), the facts each reads, and
    each branch's position by (rule id, branch name)."""
    found = selection.memo.get("negative reads")
    if found is None:
        named = [((cr.rule.id, b.name), b) for cr in selection.rules if cr.rule.scope == "component"
                 for b in cr.branches if _negative(b.outcome)]
        branches = [b for _, b in named]
        reads = [frozenset(f for atom in atoms(b.root) if (f := getattr(atom, "fact", None)) is not None)
                 for b in branches]
        found = selection.memo["negative reads"] = (branches, reads, {name: i for i, (name, _) in enumerate(named)})
    return found


def _fired_negative(ev: FactEvaluation, selection: Selection) -> frozenset | None:
    """Positions of the negative branches that fired in the component's evaluation (None if one is not
    among those of the selection)."""
    _, _, at = _negative_branches_of(selection)
    out = set()
    for bs in ev.fired:
        if _negative(bs.outcome):
            i = at.get((bs.rule.rule.id, bs.branch))
            if i is None:
                return None
            out.add(i)
    return frozenset(out)


def _passes_after(fact: dict, before: dict, fires: frozenset, selection: Selection) -> bool | None:
    """component_passes of a trial from what fired on the fact it was made from (`fires`: positions of
    the negative branches that fired on `before`): a branch that reads no changed fact fires as before,
    only those that read one are evaluated again. None when too many do (the whole program is cheaper)."""
    branches, _, _ = _negative_branches_of(selection)
    reading = _negative_readers(selection)
    again: set[int] = set()
    for name in _changed(before, fact):
        again.update(reading.get(name, ()))
    if not fires <= again:
        return False
    if len(again) > 4:
        return None
    return not any(evaluate(branches[i].root, fact, selection.values) is Tri.TRUE for i in sorted(again))


def _changed(before: Mapping, fact: Mapping) -> list[str]:
    """The names whose value differs between two facts (or is in one only); the trial's fact holds most
    values as the very objects of the fact it was made from, so identity settles most names."""
    get = before.get
    out = [n for n, v in fact.items() if (b := get(n, _NONE)) is not v and not _same(b, v)]
    out.extend(n for n in before if n not in fact)
    return out


def _negative_readers(selection: Selection) -> dict[str, tuple[int, ...]]:
    """Per fact name, the positions (in _negative_branches_of) of the negative branches that read it."""
    found = selection.memo.get("negative readers")
    if found is None:
        _, reads, _ = _negative_branches_of(selection)
        by: dict[str, list[int]] = {}
        for i, names in enumerate(reads):
            for name in names:
                by.setdefault(name, []).append(i)
        found = selection.memo["negative readers"] = {name: tuple(at) for name, at in by.items()}
    return found


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b


def _negative_program(selection: Selection):
    """One generated function of a fact -> per negative component branch its atom codes and value."""
    key = (selection.key, "negative")
    found = _RULES_CACHE.get(key)
    if found is None:
        from .conditions.compiled import program
        from .evaluation import compile_cached

        branches = [b for cr in _rules(selection, "component") for b in cr.branches if _negative(b.outcome)]
        found = _RULES_CACHE[key] = program([[b.root] for b in branches], selection.values, compile_cached)
    return found


def branch_cleared(case: Case, k: int, selection: Selection, rule_id: str, branch: str) -> bool:
    return not _branch_fires(selection.rule(rule_id).branch(branch), _component_fact(case, k, selection),
                             selection.values)


# --- deriving moves --------------------------------------------------------------------------------------

def alternatives(node, fact: dict, values: dict, want: bool) -> list[tuple]:
    """Ways to give `node` the truth value `want`: each a tuple of (atom, wanted truth value)."""
    goal = Tri.TRUE if want else Tri.FALSE
    status = evaluate(node, fact, values)
    if status is goal:
        return [()]
    if isinstance(node, Not):
        return alternatives(node.item, fact, values, not want)
    if isinstance(node, (And, Or)):
        conj = isinstance(node, And) == want  # all children must reach the goal
        if conj:
            options = [alternatives(item, fact, values, want) for item in node.items
                       if evaluate(item, fact, values) is not goal]
            if any(not o for o in options):
                return []
            out = []
            for combo in itertools.product(*[sorted(o, key=len)[:4] for o in options]):
                merged = tuple(dict.fromkeys(a for part in combo for a in part))
                out.append(merged)
                if len(out) >= MAX_ALTERNATIVES:
                    break
            return out
        out = []
        for item in node.items:
            out.extend(alternatives(item, fact, values, want))
        return sorted(dict.fromkeys(out), key=len)[:MAX_ALTERNATIVES]
    if status is Tri.UNKNOWN or isinstance(node, Present):
        return []
    return [((node, want),)]


_ALTERNATIVES_MAX = 20_000  # memo entries kept per selection; beyond this the memo starts afresh


def _alternatives_of(node, fact: dict, selection: Selection, want: bool) -> list[tuple]:
    """alternatives(node, fact, selection.values, want), once per node and values of its atoms: what
    alternatives() computes reads the fact only through the truth values of the atoms under `node`
    (and what they name), so components whose atoms agree share one (read-only) list."""
    values = selection.values
    if not SHORTCUTS:
        return alternatives(node, fact, values, want)
    memo = selection.memo.setdefault("remedy_alternatives", {})
    leaves = memo.get(id(node))
    if leaves is None or leaves[0] is not node:  # the node is held, so its id stays its own
        leaves = memo[id(node)] = (node, tuple(atoms(node)))
    key = (id(node), want, tuple([atom_value(a, fact, values) for a in leaves[1]]))
    found = memo.get(key)
    if found is None:
        if len(memo) >= _ALTERNATIVES_MAX:
            memo.clear()
            memo[id(node)] = leaves
        found = memo[key] = alternatives(node, fact, values, want)
    return found


def _atom_holds(node, want: bool, fact: dict, values: dict) -> bool:
    return atom_value(node, fact, values) is (Tri.TRUE if want else Tri.FALSE)


# Component facts that are a case field as stated (facts._component_base copies the value, no
# derivation changes it): the fact the numeric search tries is the value tried itself.
STATED = {"rent": ("dwelling", "rent"), "wws_points": ("dwelling", "wws_points"), "floor_area_m2": ("floor_area_m2",),
          "cost": ("cost",), "sale_price": ("sale", "price"), "lfb_amount": ("leefbaarheid", "annual_amount")}


def _stated(selection: Selection, name: str, path: tuple[str, ...]) -> bool:
    """`name` is the field at `path` as stated, and no derivation in force produces it."""
    if not SHORTCUTS or STATED.get(name) != path:
        return False
    memo = selection.memo
    if "derived_component_facts" not in memo:
        memo["derived_component_facts"] = frozenset(
            n for d in selection.derivations if d.scope == "component" for n in d.produces)
    return name not in memo["derived_component_facts"]


class _Changed:
    """A component (or block) with the field at `path` set to `value`, read only through attributes: the
    component a derivation body sees in a numeric search, made without a pydantic copy."""

    __slots__ = ("_of", "_name", "_value")

    def __init__(self, of, path: tuple[str, ...], value) -> None:
        self._of, self._name = of, path[0]
        self._value = value if len(path) == 1 else _Changed(getattr(of, path[0]), path[1:], value)

    def __getattr__(self, name: str):
        return self._value if name == self._name else getattr(self._of, name)


def _reads_one_component(selection: Selection, name: str) -> bool:
    """Every derivation producing `name` reads only the component's fields and the corporation (not the
    other components, nor the component handed on whole): a component that only answers attribute reads
    stands in for a trial case (fieldinputs)."""
    if not SHORTCUTS:
        return False
    memo = selection.memo.setdefault("remedy_one_component", {})
    if name not in memo:
        memo[name] = all(ALL not in component_inputs(d.function)
                         for d in selection.derivations if d.scope == "component" and name in d.produces)
    return memo[name]


def _solve_numeric(case: Case, k: int, ref: FieldRef, node, want: bool, selection: Selection) -> int | None:
    """The field value nearest to the current one at which the atom takes the wanted value."""
    comp = case.components[k]
    current = _get(comp, ref.path)
    if current is None:
        return None

    if _stated(selection, node.fact, ref.path):
        def holds(x: int) -> bool:  # the fact is the field itself: no case to change, nothing to derive
            return _atom_holds(node, want, {node.fact: x}, selection.values)
    else:
        # a value tried (never None) leaves the component's stated facts the same names
        stated = not SHORTCUTS or node.fact in stated_facts(case, comp)

        trials = _TRIALS.get()
        if _reads_one_component(selection, node.fact) and trials is not None and trials.covers(case, k) \
                and (len(ref.path) == 1 or _get(comp, ref.path[:-1]) is not None):
            agreements = trials.agreements_of(case)
            same = None if feeds(project_inputs(), ref.path) else trials.projects(comp)  # totals the field leaves
            derive = derived_value(selection, node.fact) if not stated else None

            def holds(x: int) -> bool:  # no trial case: the derivation reads the component with x in the field
                trial = _Changed(comp, ref.path, x)
                projects = trials.projects(trial) if same is None else same
                value = derive(case, trial, agreements, projects) if derive is not None else component_value(
                    case, trial, agreements, projects, selection, node.fact, stated)
                return _atom_holds(node, want, {node.fact: value}, selection.values)
        else:
            def holds(x: int) -> bool:  # the atom reads one fact: only that one is derived for each value tried
                trial = _with_component(case, k, _set_component(comp, ref.path, x))
                return _atom_holds(node, want, {node.fact: _component_value(trial, k, selection, node.fact, stated)},
                                   selection.values)

    hi_limit = MAX_CENTS if ref.unit == "eur" else 100_000_000
    lo_limit = ref.lo
    if holds(current):
        return current
    if current < hi_limit and holds(hi_limit):
        lo, hi = current, hi_limit  # holds(hi), not holds(lo): smallest x that holds
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if holds(mid) else (mid, hi)
        return hi
    if current > lo_limit and holds(lo_limit):
        lo, hi = lo_limit, current  # holds(lo), not holds(hi): largest x that holds
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if holds(mid) else (lo, mid)
        return lo
    return None


def _choices(node, want: bool, fact_name: str, values: dict) -> list:
    spec = COMPONENT_FIELDS[fact_name]
    if isinstance(node, Cmp):
        rhs = values.get(node.rhs.name) if isinstance(node.rhs, Param) else node.rhs.value
        op = node.op if want else NEG[node.op]
        if spec.type == "bool":
            return [rhs if op == "==" else (not rhs)]
        if op == "==":
            return [rhs]
        return [v for v in spec.values if v != rhs]
    if isinstance(node, In):
        options = values.get(node.param) if node.param else [lit.value for lit in node.values]
        inside = want != node.negated
        if options is None:
            return []
        return [v for v in spec.values if (v in options) == inside] if spec.type == "enum" else (
            list(options) if inside else [])
    return []


def _agreement_change(case: Case, comp: Component) -> Change:
    for i, pa in enumerate(case.performance_agreements):
        if pa.municipality == comp.location.municipality and pa.year == case.date.year:
            return Change(component=None, field=f"performance_agreements.{i}.covers", old=list(pa.covers),
                          new=list(pa.covers) + [comp.id])
    new = {"id": f"PA-{comp.location.municipality}-{case.date.year}", "municipality": comp.location.municipality,
           "year": case.date.year, "covers": [comp.id]}
    return Change(component=None, field="performance_agreements.+", old=None, new=new)


def _moves_for(case: Case, k: int, atom, want: bool, selection: Selection) -> list[tuple[list[Change], FieldRef]]:
    """Candidate change lists for one atom (several for choice facts), in preference order."""
    fact_name = atom.fact
    ref = field_refs(selection).get(fact_name)
    if ref is None:
        return []
    comp = case.components[k]
    if ref.path == ("~agreement",):
        return [([_agreement_change(case, comp)], ref)] if _choices(atom, want, fact_name, selection.values) == [True] else []
    if ref.path == ("~municipality",):
        if _choices(atom, want, fact_name, selection.values) != [True]:
            return []
        old = list(case.corporation.municipalities)
        return [([Change(component=None, field="corporation.municipalities", old=old,
                         new=old + [comp.location.municipality])], ref)]
    field = ".".join(ref.path)
    old = _get(comp, ref.path)
    if ref.kind == "numeric":
        x = _solve_numeric(case, k, ref, atom, want, selection)
        if x is None or x == old:
            return []
        return [([Change(component=comp.id, field=field, old=_json(old, ref.unit), new=_json(x, ref.unit))], ref)]
    values = _choices(atom, want, fact_name, selection.values)
    remedies = selection.policy.remedies
    pref = remedies.enum_preference.get(fact_name) if remedies is not None else None
    if pref:
        values = sorted(values, key=lambda v: pref.index(v) if v in pref else len(pref))
    return [([Change(component=comp.id, field=field, old=_json(old, ref.unit), new=v)], ref)
            for v in values if v != old][:8]


def _apply_engine(case: Case, changes: list[Change]) -> Case:
    """apply_changes; a trial of the component being remedied validates only what it changes (that
    component, the corporation, the agreements), not the whole case: the case-level checks (unique
    component ids, agreements cover known components) are checked here for what can change."""
    trials = _TRIALS.get()
    if trials is not None and trials.covers(case, trials.k):
        fast = _apply_local(case, changes, trials)
        if fast is not None:
            return fast
    return apply_changes(case, changes)


def _apply_local(case: Case, changes: list[Change], trials: "_Trials") -> Case | None:
    if SHORTCUTS:
        fast = _apply_fields(case, changes, trials)
        if fast is not None:
            return fast
    comp = case.components[trials.k]
    comp_data = None
    tops: dict = {}
    for ch in changes:
        parts = ch.field.split(".")
        if ch.component == comp.id and "+" not in parts:
            comp_data = comp_data or comp.model_dump(mode="json")
            _set_path(comp_data, parts, ch.new)
        elif ch.component is None and parts[0] in ("corporation", "performance_agreements") and len(parts) > 1:
            if parts[0] not in tops:
                tops[parts[0]] = case.corporation.model_dump(mode="json") if parts[0] == "corporation" else \
                    [pa.model_dump(mode="json") for pa in case.performance_agreements]
            _set_path(tops[parts[0]], parts[1:], ch.new)
        else:
            return None
    update: dict = {}
    if "corporation" in tops:
        update["corporation"] = Corporation.model_validate(tops["corporation"])
    if "performance_agreements" in tops:
        agreements = tops["performance_agreements"]
        if len(agreements) > 1000 or any(not isinstance(pa, dict) for pa in agreements):
            return None
        update["performance_agreements"] = [PerformanceAgreement.model_validate(pa) for pa in agreements]
        if any(cid not in trials.ids for pa in update["performance_agreements"] for cid in pa.covers):
            return None  # let the case model report it
    out = case.model_copy(update=update) if update else case
    if comp_data is not None:
        out = _with_component(out, trials.k, Component.model_validate(comp_data))
    return out


_NONE = object()


def _apply_fields(case: Case, changes: list[Change], trials: "_Trials") -> Case | None:
    """Changes of fields of the component itself: each new value validated alone by its field's type,
    the model checks of the changed objects run on them, no dump and validation of the whole component;
    the trial is recorded with the paths it changed, so that its fact derives only what they feed.
    None (the validating way decides) for anything else: another object, a list, a block not there."""
    comp = case.components[trials.k]
    paths = []
    for ch in changes:
        parts = tuple(ch.field.split("."))
        if ch.component != comp.id or any(p == "+" or p.isdigit() for p in parts):
            return None
        value = _field_value(comp, parts, ch.new)
        if value is _NONE:
            return None
        comp = _set_component(comp, parts, value)
        paths.append(parts)
    for parts in {p[:n] for p in paths for n in range(len(p))}:
        if not _model_checks(_get(comp, parts) if parts else comp):
            return None
    out = _with_component(case, trials.k, comp)
    trials.made[id(out)] = (out, case, tuple(paths))
    return out


_ADAPTERS: dict = {}


def _field_value(comp: Component, parts: tuple[str, ...], new):
    """`new` (JSON form) validated as the field at `parts` validates it, or _NONE where only the whole
    model can tell (a block not there, a field with a validator of its own, an invalid value)."""
    from .modelcache import type_validator

    owner = _get(comp, parts[:-1]) if len(parts) > 1 else comp
    if owner is None:
        return _NONE
    cls, name = type(owner), parts[-1]
    key = (cls, name)
    adapter = _ADAPTERS.get(key)
    if adapter is None:
        info = cls.model_fields.get(name)
        if info is None or any(name in v.info.fields or "*" in v.info.fields
                               for v in cls.__pydantic_decorators__.field_validators.values()):
            return _NONE
        kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        adapter = _ADAPTERS[key] = type_validator(kind, {"use_enum_values": True})
    try:
        return adapter.validate_python(new)
    except Exception:  # noqa: BLE001 (the validating way reports it)
        return _NONE


def _model_checks(obj) -> bool:
    """The model's own checks (after-validators) hold for `obj`, made by model_copy; False for a model
    with checks of another kind, or a failing one (then the validating way reports it)."""
    for v in type(obj).__pydantic_decorators__.model_validators.values():
        if v.info.mode != "after":
            return False
        try:
            v.func(obj)
        except Exception:
            return False
    return True


@dataclass
class Candidate:
    changes: list[Change]
    refs: list[FieldRef]
    cleared: bool
    passes: bool


def _try_alternative(case: Case, k: int, alt: tuple, selection: Selection, rule_id: str,
                     branch: str) -> Candidate | None:
    """Apply the atoms of one alternative in turn (each solved on the case as changed so far)."""
    work = case
    changes: list[Change] = []
    refs: list[FieldRef] = []
    for atom, want in alt:
        options = _moves_for(work, k, atom, want, selection)
        if not options:
            return None
        chosen = None
        for chs, ref in options:
            trial = _apply_engine(work, chs)
            if _atom_holds(atom, want, _component_fact(trial, k, selection), selection.values):
                if chosen is None:
                    chosen = (chs, ref, trial)
                if len(options) == 1 or component_passes(trial, k, selection):
                    chosen = (chs, ref, trial)
                    break
        if chosen is None:
            return None
        chs, ref, work = chosen
        changes += chs
        refs.append(ref)
    return Candidate(changes, refs, branch_cleared(work, k, selection, rule_id, branch),
                     component_passes(work, k, selection))


def _field_label(ch: Change, lang: str) -> str:
    from .terms import field_label

    what = field_label(ch.field, lang)
    return what if ch.component is None else f"{ch.component}, {what}"


# Fields that classify what a thing is (the kind of spending, the kind of tenant, whether a building serves
# the wijk). Changing them in the case file changes no fact: such a remedy is a condition of fact, ranked last.
CLASSIFICATION = {("mv", "tenant_type"), ("leefbaarheid", "category"), ("location", "wijk_function"),
                  ("leefbaarheid", "near_own_property_or_tenants"), ("land", "contributes_to_daeb")}


def _relabels(cand: "Candidate") -> bool:
    return bool(cand.refs) and all(ref.path in CLASSIFICATION for ref in cand.refs)


def _show(value, unit: str, lang: str) -> str:
    if unit == "eur" and value is not None:
        return human_value(cents_of(value), "eur", lang)
    if unit == "enum" and value is not None:
        return human_value(value, "enum", lang)
    if isinstance(value, bool) or value is None:
        return human_value(value, "bool" if isinstance(value, bool) else "code", lang)
    return human_value(value, "int" if isinstance(value, int) else "code", lang)


def _describe(cand: Candidate, rule, lang: str, book: Rulebook) -> tuple[str, str, str | None]:
    kinds = {r.kind for r in cand.refs}
    kind = "approval" if "approval" in kinds else "procedure" if "procedure" in kinds else \
        "numeric" if kinds == {"numeric"} else "change"
    cond = next((r.condition for r in cand.refs if r.condition), None)
    pieces = []
    if _relabels(cand):
        facts = "; ".join(f"{_field_label(ch, lang)}: {_show(ch.new, ref.unit, lang)}"
                          for ch, ref in zip(cand.changes, cand.refs))
        was = "; ".join(_show(ch.old, ref.unit, lang) for ch, ref in zip(cand.changes, cand.refs))
        return kind, tr(lang, "remediation.fact_condition", facts=facts, old=was), cond
    for ch, ref in zip(cand.changes, cand.refs):
        if ref.path == ("~agreement",):
            pieces.append(book.conditions["prestatieafspraken"].title.__getattribute__(lang))
            continue
        if ref.path == ("~municipality",):
            pieces.append(tr(lang, "remediation.no_objection", municipality=ch.new[-1]))
            continue
        t = section(lang, "remediation")["numeric" if ref.kind == "numeric" else "set"]
        pieces.append(t.format(field=_field_label(ch, lang), old=_show(ch.old, ref.unit, lang),
                               new=_show(ch.new, ref.unit, lang)))
    text = "; ".join(pieces)
    if cond and cond in book.conditions:
        text = tr(lang, "remediation.approval_cond", title=getattr(book.conditions[cond].title, lang)) + " " + text
    return kind, text, cond


def _negative_branches(ev: FactEvaluation):
    for bs in ev.fired:
        if _negative(bs.outcome):
            yield bs, bs.outcome


def component_remediation(case: Case, k: int, ev: FactEvaluation, result: ComponentResult, party: str,
                          selection: Selection, book: Rulebook, lang: str) -> list[Remediation]:
    out: list[Remediation] = []
    relabels: list[Remediation] = []
    fact = ev.fact
    for bs, outcome in _negative_branches(ev):
        cr = bs.rule
        rule = cr.rule
        cite = citation(bases_on(rule.legal_basis, selection.date)[0], selection.date, lang)
        # the branch must stop firing: what decides it (its test part, or `when`) must become false
        alts = _alternatives_of(bs.definition.decisive, fact, selection, want=False)
        found: list[Candidate] = []
        for alt in alts:
            if not alt:
                continue
            cand = _try_alternative(case, k, alt, selection, rule.id, bs.branch)
            if cand is None or not cand.cleared:
                continue
            if any(c.changes == cand.changes for c in found):
                continue
            found.append(cand)
        # preferred first: the component passes outright, then fewer changes; ties keep the rule's own order
        # real changes first; a remedy that only relabels a classification is a condition of fact, last
        found.sort(key=lambda c: (_relabels(c), not c.passes, len(c.changes)))
        best = found[0] if found else None
        for cand in found[:MAX_REMEDIES_PER_RULE]:
            kind, text, cond = _describe(cand, rule, lang, book)
            rcite = citation(bases_on(book.conditions[cond].legal_basis, selection.date)[0], selection.date, lang) \
                if cond and cond in book.conditions else cite
            out.append(Remediation(rule=rule.id, kind=kind, text=text, changes=cand.changes, condition=cond,
                                   citation=rcite, verified=True))
            if _relabels(cand):
                relabels.append(out[-1])
        if outcome.verdict == "needs_decision":
            for cid in outcome.conditions:
                cdef = book.conditions.get(cid)
                if cdef is None or cdef.kind != "approval" or any(r.condition == cid for r in out):
                    continue
                out.append(Remediation(
                    rule=rule.id, kind="approval", condition=cid,
                    text=tr(lang, "remediation.approval_cond", title=getattr(cdef.title, lang)),
                    citation=citation(bases_on(cdef.legal_basis, selection.date)[0], selection.date, lang), verified=False))
        is_sale = case.components[k].activity == "sell"  # a sale is itself the transfer
        # a transfer whenever the split hands the component over, or no change makes it pass
        if outcome.verdict in ("forbidden", "needs_decision") and not is_sale \
                and (best is None or not best.passes or party not in KEEP):
            target = party if party not in KEEP else (outcome.party or None)
            if target and target not in KEEP and not any(r.kind == "transfer" for r in out):
                out.append(Remediation(
                    rule=rule.id, kind="transfer", party=target,
                    text=tr(lang, "remediation.transfer", party=section(lang, "party")[target]),
                    citation=cite, verified=True))
    return [r for r in out if not any(r is x for x in relabels)] + relabels  # conditions of fact last


# --- plan checks -----------------------------------------------------------------------------------------

def _lfb_members(case: Case) -> list[int]:
    return [k for k, c in enumerate(case.components)
            if c.leefbaarheid is not None and c.leefbaarheid.category in LEEFBAARHEID_CATEGORIES]


def _with_lfb_total(case: Case, members: list[int], total: int) -> Case:
    amounts = allocate(total, [case.components[k].leefbaarheid.annual_amount for k in members])
    if sum(case.components[k].leefbaarheid.annual_amount for k in members) == 0:
        amounts = allocate(total, [1] * len(members))
    for k, amount in zip(members, amounts):
        comp = case.components[k]
        case = _with_component(case, k, _set_component(comp, ("leefbaarheid", "annual_amount"), amount))
    return case


def plan_remediation(case: Case, plan: Plan, plan_evs: list[FactEvaluation], selection: Selection,
                     lang: str) -> dict[tuple[str, str], list[Remediation]]:
    """Failing plan checks on the leefbaarheid cap get the plan budget that meets it (numeric, derived);
    keyed by the check's (rule, subject)."""
    out: dict[tuple[str, str], list[Remediation]] = {}
    plan_ev = next((ev for ev in plan_evs if ev.fact.get("kind") == "plan"), None)
    if plan_ev is None:
        return out
    for bs in plan_ev.fired:
        if not bs.outcome.violation or bs.definition.needs_test is not False:
            continue  # a failing check is the `else` branch of its test
        alts = alternatives(bs.definition.decisive, plan_ev.fact, selection.values, want=False)
        members = _lfb_members(case)
        for alt in alts:
            if len(alt) != 1 or alt[0][0].fact != "lfb_per_daeb_home" or not members:
                continue
            atom, want = alt[0]

            light = case.model_copy(update={"lettings": []})  # the leefbaarheid figures do not read lettings

            def holds(total: int) -> bool:
                pf = plan_fact(_with_lfb_total(light, members, total), selection)
                return _atom_holds(atom, want, pf, selection.values)

            current = sum(case.components[k].leefbaarheid.annual_amount for k in members)
            if not holds(0):
                continue
            lo, hi = 0, current
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if holds(mid) else (lo, mid)
            changed = _with_lfb_total(case, members, lo)
            changes = [Change(component=case.components[k].id, field="leefbaarheid.annual_amount",
                              old=_json(case.components[k].leefbaarheid.annual_amount, "eur"),
                              new=_json(changed.components[k].leefbaarheid.annual_amount, "eur"))
                       for k in members if changed.components[k].leefbaarheid.annual_amount
                       != case.components[k].leefbaarheid.annual_amount]
            cap = selection.values.get(atom.rhs.name) if isinstance(atom.rhs, Param) else atom.rhs.value
            text = tr(lang, "remediation.lfb", total=human_value(lo, "eur", lang), per=human_value(cap, "eur", lang))
            cite = citation(bases_on(bs.rule.rule.legal_basis, selection.date)[0], selection.date, lang)
            for check in plan.checks:
                if check.rule == bs.rule.rule.id and check.status == "fail":
                    out.setdefault((check.rule, check.subject), []).append(Remediation(
                        rule=bs.rule.rule.id, kind="numeric", text=text, changes=changes, citation=cite,
                        verified=True))
            break
    return out


def _covers_at(case: Case) -> list[dict[str, list[int]]]:
    """Per agreement: each component id it covers -> the positions in its `covers` list."""
    out = []
    for pa in case.performance_agreements:
        at: dict[str, list[int]] = {}
        for i, cid in enumerate(pa.covers):
            at.setdefault(cid, []).append(i)
        out.append(at)
    return out


def _local_case(case: Case, k: int, members_of: dict, covers_at: list[dict[str, list[int]]],
                projects_of: dict[str, list]) -> tuple[Case, int]:
    """The part of the case one component's facts depend on: its project, its agreements, no lettings.
    Keeps every trial evaluation proportional to the project, not to the whole plan (`covers_at`:
    _covers_at(case), `projects_of`: the case's projects by id, so that making it takes time of the
    project, not of the case)."""
    comp = case.components[k]
    members = members_of.get(comp.project, [k]) if comp.project else [k]
    ids = {case.components[i].id for i in members}
    agreements = []
    for pa, at in zip(case.performance_agreements, covers_at):
        keep = sorted(i for cid in ids for i in at.get(cid, ()))
        agreements.append(pa.model_copy(update={"covers": [pa.covers[i] for i in keep]}))
    local = case.model_copy(update={
        "components": [case.components[i] for i in members], "lettings": [],
        "projects": projects_of.get(comp.project, []), "performance_agreements": agreements})
    return local, members.index(k)


def _to_full(case: Case, changes: list[Change]) -> list[Change]:
    """Agreement changes were made on the local case: restate them against the full case."""
    out = []
    for ch in changes:
        if ch.field.startswith("performance_agreements.") and ch.field.endswith(".covers"):
            full = list(case.performance_agreements[int(ch.field.split(".")[1])].covers)
            added = [c for c in ch.new if c not in ch.old]
            ch = ch.model_copy(update={"old": full, "new": full + added})
        out.append(ch)
    return out


def _restated(case: Case, rem: Remediation) -> Remediation:
    """The remediation with its changes against the full case; itself where none was an agreement's
    (a remediation is made for one component and not shared, so no copy is needed then)."""
    full = _to_full(case, rem.changes)
    if all(a is b for a, b in zip(full, rem.changes)):
        return rem
    return rem.model_copy(update={"changes": full})


@dataclass(frozen=True)
class Remedies:
    """The remedies stage's output: per component id, and per plan check (rule, subject)."""

    components: dict[str, list[Remediation]]
    checks: dict[tuple[str, str], list[Remediation]]


def remediate(case: Case, judged: Mapping, parties, plan: Plan, plan_evs: list[FactEvaluation],
              selection: Selection, book: Rulebook, lang: str) -> Remedies:
    """Remedies for every forbidden, needs-decision or non-compliant component (`judged`: component id ->
    pipeline.Judged), for failing plan checks, and the hand-overs of the split stage's selections
    (`parties`: its SplitOutcome)."""
    members_of: dict[str, list[int]] = {}
    for k, c in enumerate(case.components):
        if c.project is not None:
            members_of.setdefault(c.project, []).append(k)
    components: dict[str, list[Remediation]] = {}
    local_of: dict = {}  # one local case (and its project totals) per project, not one per component
    covers_at = _covers_at(case)
    projects_of: dict[str, list] = {}
    for p in case.projects:
        projects_of.setdefault(p.id, []).append(p)
    for k, c in enumerate(case.components):
        j = judged[c.id]
        res = j.verdict
        if res.verdict in ("forbidden", "needs_decision") or not res.compliant:
            pid = c.project
            if pid is not None and pid in local_of:
                local, totals, index = local_of[pid]
                i = index[c.id]
            else:
                local, i = _local_case(case, k, members_of, covers_at, projects_of)
                totals = _project_totals(local)
                if pid is not None:
                    local_of[pid] = (local, totals, {m.id: n for n, m in enumerate(local.components)})
            trials = _Trials(local, i, totals)
            if SHORTCUTS:  # the local case is the part of the case the fact depends on: its fact is the one judged
                trials.facts[id(local)] = (local, selection, j.evaluation.fact)
                trials.fires = _fired_negative(j.evaluation, selection)
            token = _TRIALS.set(trials)
            try:
                found = component_remediation(local, i, j.evaluation, res, parties.parties.get(res.id, res.party),
                                              selection, book, lang)
            finally:
                _TRIALS.reset(token)
            components[c.id] = [_restated(case, rem) for rem in found]
    checks = plan_remediation(case, plan, plan_evs, selection, lang)
    for key, items in selection_remediation(plan, parties.splits.selections, lang).items():
        checks[key] = checks.get(key, []) + items
    return Remedies(components, checks)


def selection_remediation(plan: Plan, selections, lang: str) -> dict[tuple[str, str], list[Remediation]]:
    """A failing project check that a hand-over selection resolves gets that hand-over as its remedy."""
    out: dict[tuple[str, str], list[Remediation]] = {}
    by_scope = {sel.scope: sel for sel in selections}
    for check in plan.checks:
        sel = by_scope.get(check.subject)
        if check.status != "fail" or sel is None or not sel.handed_over or not sel.feasible:
            continue
        cite = sel.limits[0].citation if sel.limits else check.citation
        text = tr(lang, "remediation.hand_over_selection", handed=", ".join(sel.handed_over),
                  kept=", ".join(sel.kept) or tr(lang, "remediation.nothing"))
        out.setdefault((check.rule, check.subject), []).append(Remediation(
            rule=check.rule, kind="transfer", party="market", text=text, citation=cite, verified=True))
    return out

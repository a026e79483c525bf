"""Reference evaluator: three-valued (Kleene) logic in pure Python.

A fact that is absent, or a parameter whose value is unknown on the case date, makes the atoms
that read it UNKNOWN. A rule fires only when its condition is TRUE, which is exactly what the
compiled durable_rules condition matches; the differential tests hold the two to that.
The evaluator also says why a condition is not TRUE: the first atom that failed, with the value
it saw, and which facts or parameters were missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping

from .interval import Interval, compare as compare_interval
from .nodes import And, Cmp, Condition, Const, In, Not, Or, Param, Present

MISSING = object()


class Tri(str, Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


def _cmp(op: str, a, b) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _fact(facts: Mapping, name: str):
    value = facts.get(name, MISSING)
    return MISSING if value is None else value


NOT = {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}


def tri_not(a: Tri) -> Tri:
    return NOT[a]


def tri_and(a: Tri, b: Tri) -> Tri:
    if Tri.FALSE in (a, b):
        return Tri.FALSE
    if Tri.UNKNOWN in (a, b):
        return Tri.UNKNOWN
    return Tri.TRUE


def atom_value(node, facts: Mapping, params: Mapping) -> Tri:
    """The value of one leaf (comparison, membership, present/missing, constant)."""
    if isinstance(node, Const):
        return Tri.TRUE if node.value else Tri.FALSE
    if isinstance(node, Present):
        present = _fact(facts, node.fact) is not MISSING
        return Tri.TRUE if present != node.negated else Tri.FALSE
    value = _fact(facts, node.fact)
    if isinstance(node, Cmp):
        rhs = params.get(node.rhs.name) if isinstance(node.rhs, Param) else node.rhs.value
        if value is MISSING or rhs is None:
            return Tri.UNKNOWN
        if isinstance(rhs, Interval):  # a bounded figure: decided only when every value agrees
            decided = compare_interval(node.op, value, rhs)
            return Tri.UNKNOWN if decided is None else Tri.TRUE if decided else Tri.FALSE
        return Tri.TRUE if _cmp(node.op, value, rhs) else Tri.FALSE
    if isinstance(node, In):
        if node.param is not None:
            options = params.get(node.param)
            if options is None:
                return Tri.UNKNOWN
        else:
            options = [lit.value for lit in node.values]
        if value is MISSING:
            return Tri.UNKNOWN
        return Tri.TRUE if (value in options) != node.negated else Tri.FALSE
    raise TypeError(f"not an atom: {node!r}")


def _eval(node, facts: Mapping, params: Mapping, atom=atom_value) -> Tri:
    """Kleene and/or/not over the tree; `atom` decides the leaves (the normal one by default)."""
    if isinstance(node, And):
        result = Tri.TRUE
        for item in node.items:
            r = _eval(item, facts, params, atom)
            if r is Tri.FALSE:
                return Tri.FALSE
            if r is Tri.UNKNOWN:
                result = Tri.UNKNOWN
        return result
    if isinstance(node, Or):
        result = Tri.FALSE
        for item in node.items:
            r = _eval(item, facts, params, atom)
            if r is Tri.TRUE:
                return Tri.TRUE
            if r is Tri.UNKNOWN:
                result = Tri.UNKNOWN
        return result
    if isinstance(node, Not):
        return NOT[_eval(node.item, facts, params, atom)]
    return atom(node, facts, params)


def evaluate_restricted(node, facts: Mapping, params: Mapping, facts_read: frozenset[str]) -> Tri:
    """Evaluate with every atom on a fact outside `facts_read` taken as UNKNOWN (constants stay)."""
    def atom(leaf, f, p):
        if isinstance(leaf, Const) or getattr(leaf, "fact", None) in facts_read:
            return atom_value(leaf, f, p)
        return Tri.UNKNOWN
    return _eval(node, facts, params, atom)


def evaluate(cond: Condition | object, facts: Mapping, params: Mapping, atom=atom_value) -> Tri:
    """The public evaluator: the three-valued value of a condition (or any node of one) on `facts`
    (fact name -> value; absent or None is unknown) and `params` (parameter id -> value; None is
    unknown). `atom` may replace how leaves are decided (see evaluate_restricted)."""
    root = cond.root if isinstance(cond, Condition) else cond
    return _eval(root, facts, params, atom)


def evaluate_kept(kept: dict, key, cond: Condition, facts: Mapping, params: Mapping) -> Tri:
    """evaluate(cond, facts, params), kept in `kept` under `key` and the values of the facts `cond`
    reads (all it reads besides `params`): for callers that hand one `kept` the same `params` on
    every call (a regime period's figures), and ask for one condition on many facts alike."""
    try:
        k = (key, *[facts.get(name) for name in cond.facts])
        found = kept.get(k)
    except TypeError:  # a value that cannot be a key (a list): not kept
        return evaluate(cond, facts, params)
    if found is None:
        found = evaluate(cond, facts, params)
        if len(kept) >= 50_000:
            kept.clear()
        kept[k] = found
    return found


def render(node) -> str:
    """Readable text of a (sub)condition, in the rule-file syntax."""
    if isinstance(node, Condition):
        return render(node.root)
    if isinstance(node, Const):
        return "true" if node.value else "false"
    if isinstance(node, Present):
        return f"{'missing' if node.negated else 'present'}({node.fact})"
    if isinstance(node, Cmp):
        rhs = f"param.{node.rhs.name}" if isinstance(node.rhs, Param) else node.rhs.text
        return f"{node.fact} {node.op} {rhs}"
    if isinstance(node, In):
        rhs = f"param.{node.param}" if node.param else "[" + ", ".join(v.text for v in node.values) + "]"
        return f"{node.fact} {'not in' if node.negated else 'in'} {rhs}"
    if isinstance(node, And):
        return " and ".join(_paren(i) for i in node.items)
    if isinstance(node, Or):
        return " or ".join(_paren(i) for i in node.items)
    if isinstance(node, Not):
        return f"not {_paren(node.item)}"
    raise TypeError(node)


def _paren(node) -> str:
    text = render(node)
    return f"({text})" if isinstance(node, (And, Or)) else text


@dataclass(frozen=True)
class Why:
    """Why a condition is not TRUE: the deciding atom, what it saw, and what was missing."""

    status: Tri
    atom: str
    fact: str | None
    seen: object  # fact value (None when missing)
    missing_facts: tuple[str, ...]
    unknown_params: tuple[str, ...]


def _first(node, facts, params, want: Tri):
    """First atom (depth first) whose value is `want` and that helps decide the node."""
    if isinstance(node, (And, Or)):
        for item in node.items:
            if _eval(item, facts, params) is want:
                found = _first(item, facts, params, want)
                if found is not None:
                    return found
        return None
    if isinstance(node, Not):
        return _first(node.item, facts, params, NOT[want])
    return node if atom_value(node, facts, params) is want else None


def _unknowns(node, facts, params, out_facts: list, out_params: list) -> None:
    if isinstance(node, (And, Or)):
        for item in node.items:
            _unknowns(item, facts, params, out_facts, out_params)
        return
    if isinstance(node, Not):
        _unknowns(node.item, facts, params, out_facts, out_params)
        return
    if isinstance(node, (Cmp, In)) and atom_value(node, facts, params) is Tri.UNKNOWN:
        if _fact(facts, node.fact) is MISSING and node.fact not in out_facts:
            out_facts.append(node.fact)
        pname = node.rhs.name if isinstance(node, Cmp) and isinstance(node.rhs, Param) else getattr(node, "param", None)
        if pname and (params.get(pname) is None or isinstance(params.get(pname), Interval)) \
                and pname not in out_params:
            out_params.append(pname)


def explain(cond: Condition, facts: Mapping, params: Mapping, status: Tri | None = None) -> Why | None:
    """None when the condition is TRUE; otherwise the first failing (or unknown) atom.
    `status`: the condition's value on these facts when the caller has just evaluated it."""
    if status is None:
        status = evaluate(cond, facts, params)
    if status is Tri.TRUE:
        return None
    atom = _first(cond.root, facts, params, status)
    mf: list = []
    up: list = []
    if status is Tri.UNKNOWN:
        _unknowns(cond.root, facts, params, mf, up)
    fact = getattr(atom, "fact", None)
    seen = None if fact is None else facts.get(fact)
    return Why(status, render(atom) if atom is not None else render(cond), fact, seen, tuple(mf), tuple(up))

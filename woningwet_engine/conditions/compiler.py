"""Compile a condition to the durable_rules JSON condition grammar.

The condition is put in negation normal form first; each atom then maps to one durable_rules
test. Parameter values are substituted as literals (they are fixed for the date's ruleset).
An atom whose parameter is unknown can never be TRUE, so it compiles to the constant False and
is simplified away; a condition that simplifies to False is not registered at all.
Missing facts: durable_rules never matches a comparison on an absent property, which is the
'not TRUE' half of Kleene logic; `!=` and `not in` get an explicit existence guard for the same
reason.
"""

from __future__ import annotations

from typing import Mapping

from .interval import Interval, true_region
from .nodes import And, Cmp, Condition, Const, In, Not, Or, Param, Present

_NEG = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_DR_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}


def _nnf(node, negate: bool = False):
    if isinstance(node, Not):
        return _nnf(node.item, not negate)
    if isinstance(node, And):
        items = tuple(_nnf(i, negate) for i in node.items)
        return Or(items) if negate else And(items)
    if isinstance(node, Or):
        items = tuple(_nnf(i, negate) for i in node.items)
        return And(items) if negate else Or(items)
    if not negate:
        return node
    if isinstance(node, Const):
        return Const(not node.value)
    if isinstance(node, Present):
        return Present(node.fact, not node.negated)
    if isinstance(node, Cmp):
        return Cmp(node.fact, _NEG[node.op], node.rhs)
    if isinstance(node, In):
        return In(node.fact, node.values, node.param, not node.negated)
    raise TypeError(node)


def negation_normal_form(node):
    """The same condition with every `not` pushed down onto the atoms."""
    return _nnf(node)


def _exists(fact: str) -> dict:
    return {"$ex": {fact: 1}}


def _atom(node, params: Mapping):
    """durable_rules JSON for one atom, or True/False when it is constant."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Present):
        return {"$nex": {node.fact: 1}} if node.negated else _exists(node.fact)
    if isinstance(node, Cmp):
        rhs = params.get(node.rhs.name) if isinstance(node.rhs, Param) else node.rhs.value
        if rhs is None:
            return False
        if isinstance(rhs, Interval):  # the comparisons that make the atom TRUE for every value
            if node.op == "!=":
                sides = [t for t in ((["<", rhs.lower]), ([">", rhs.upper])) if t[1] is not None]
                tests = [{_DR_OP[op]: {node.fact: b}} for op, b in sides]
                return False if not tests else tests[0] if len(tests) == 1 else {"$or": tests}
            region = true_region(node.op, rhs)
            if region is None:
                return False
            op, bound = region[0]
            return {node.fact: bound} if op == "==" else {_DR_OP[op]: {node.fact: bound}}
        if node.op == "==":
            return {node.fact: rhs}
        if node.op == "!=":
            return {"$and": [_exists(node.fact), {"$neq": {node.fact: rhs}}]}
        return {_DR_OP[node.op]: {node.fact: rhs}}
    if isinstance(node, In):
        options = params.get(node.param) if node.param else [v.value for v in node.values]
        if options is None:
            return False
        options = list(dict.fromkeys(options))
        if not node.negated:
            if not options:
                return False
            tests = [{node.fact: v} for v in options]
            return tests[0] if len(tests) == 1 else {"$or": tests}
        return {"$and": [_exists(node.fact)] + [{"$neq": {node.fact: v}} for v in options]}
    raise TypeError(node)


def _build(node, params: Mapping):
    if isinstance(node, (And, Or)):
        parts = []
        for item in node.items:
            built = _build(item, params)
            if built is True:
                if isinstance(node, Or):
                    return True
                continue
            if built is False:
                if isinstance(node, And):
                    return False
                continue
            parts.append(built)
        if not parts:
            return isinstance(node, And)
        if len(parts) == 1:
            return parts[0]
        return {"$and" if isinstance(node, And) else "$or": parts}
    return _atom(node, params)


def compile_condition(cond: Condition | object, params: Mapping, extra: list[dict] | None = None):
    """durable_rules condition dict for `cond` AND all `extra` tests; False if it can never hold."""
    root = cond.root if isinstance(cond, Condition) else cond
    built = _build(_nnf(root), params)
    if built is False:
        return False
    parts = list(extra or [])
    if built is not True:
        parts.append(built)
    if not parts:
        raise ValueError("a compiled rule needs at least one test")
    return parts[0] if len(parts) == 1 else {"$and": parts}

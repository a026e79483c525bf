"""Compiled evaluation: conditions turned into generated Python code, once per regime selection.

The reference evaluator (evaluator.py) walks the condition tree for every fact. Here each
condition is compiled once, with the selection's parameter values as constants, into the source
of a Python function; the generated code gives the same three-valued (Kleene) values.

Two layers:
- Atom codes. Every leaf becomes an expression giving a small int: 0 FALSE, 2 TRUE, 1 UNKNOWN
  because the fact is missing, 3 UNKNOWN because the figure is unknown on this date while the fact
  is present (the reference's why-not tells these apart: a missing fact is named, a present one is
  not). `program()` compiles every atom of every rule of one scope into one function of a fact
  that returns, per rule, the tuple of its atom codes (each distinct atom computed once).
- Kleene values. `kleene_source()` writes and/or/not over atom codes as int arithmetic
  (FALSE 0 < UNKNOWN 1 < TRUE 2: `and` is min, `or` is max, `not` is 2 - x) with the reference's
  short-circuits; `compile_kleene()` makes it a function of a code tuple, `compile_node()` a
  function of a fact dict (for the conformance suite and the property tests).

Everything a rule concludes on a fact (branch statuses, and the why-not of the reference) is a
function of its atom codes (and, for the why-not, of the one value it shows), which is what lets
evaluation.CompiledEvaluator reuse one rule's evaluation for every fact with the same codes.
`why_from_codes()` computes that why-not from the codes alone (the same first deciding atom, missing
facts and unknown parameters as evaluator.explain), so the hot path never walks the tree on a fact.
"""

from __future__ import annotations

from typing import Callable, Mapping

from .evaluator import NOT, Tri, render
from .interval import Interval, code as interval_code
from .nodes import And, Cmp, Condition, Const, In, Not, Or, Param, Present

TRI = (Tri.FALSE, Tri.UNKNOWN, Tri.TRUE)
KLEENE = (0, 1, 2, 1)  # atom code -> Kleene int
_PY_OP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_SMALL = 8  # option lists up to this size are tuples, longer ones frozensets


def leaves(node) -> list:
    """The leaves of a condition (atoms and constants), depth first, as the Kleene code indexes them."""
    if isinstance(node, (And, Or)):
        return [leaf for item in node.items for leaf in leaves(item)]
    if isinstance(node, Not):
        return leaves(node.item)
    return [node]


class _Consts:
    def __init__(self) -> None:
        self.values: list = []

    def ref(self, value) -> str:
        self.values.append(value)
        return f"K[{len(self.values) - 1}]"


def atom_source(node, params: Mapping, var: str, consts: _Consts) -> str:
    """Python expression for the atom code of `node`, reading the fact value from local `var`."""
    if isinstance(node, Const):
        return "2" if node.value else "0"
    if isinstance(node, Present):
        present, absent = ("0", "2") if node.negated else ("2", "0")
        return f"({absent} if {var} is None else {present})"
    if isinstance(node, Cmp):
        rhs = params.get(node.rhs.name) if isinstance(node.rhs, Param) else node.rhs.value
        if rhs is None:
            return f"(1 if {var} is None else 3)"
        if isinstance(rhs, Interval):  # interval.py decides; 3 when the bounds leave it open
            return f"(1 if {var} is None else {consts.ref(interval_code(node.op, rhs))}({var}))"
        return f"(1 if {var} is None else 2 if {var} {_PY_OP[node.op]} {consts.ref(rhs)} else 0)"
    if isinstance(node, In):
        options = params.get(node.param) if node.param is not None else [lit.value for lit in node.values]
        if options is None:
            return f"(1 if {var} is None else 3)"
        options = list(options)
        try:
            container = tuple(options) if len(options) <= _SMALL else frozenset(options)
        except TypeError:  # unhashable options: keep the list (same `in` as the reference)
            container = options
        hit, miss = ("0", "2") if node.negated else ("2", "0")
        return f"(1 if {var} is None else {hit} if {var} in {consts.ref(container)} else {miss})"
    raise TypeError(f"not an atom: {node!r}")


def kleene_source(node, leaf_expr: Callable[[int], str]) -> str:
    """Python expression (ints 0/1/2) of the Kleene value of `node`; `leaf_expr(i)` is the Kleene
    value of the i-th leaf (depth first). And/or stop at the first FALSE/TRUE, as the reference."""
    counter = [0]
    temps = [0]

    def walk(n) -> str:
        if isinstance(n, And) or isinstance(n, Or):
            parts = [walk(item) for item in n.items]
            return _chain(parts, isinstance(n, And))
        if isinstance(n, Not):
            return f"(2 - {walk(n.item)})"
        i = counter[0]
        counter[0] += 1
        return leaf_expr(i)

    def _chain(parts: list[str], conj: bool) -> str:
        if not parts:
            return "2" if conj else "0"
        if len(parts) == 1:
            return parts[0]
        temps[0] += 1
        t = f"_t{temps[0]}"
        rest = _chain(parts[1:], conj)
        if conj:  # FALSE (0) is falsy: stop there; else the smaller of this and the rest
            return f"(({t} := {parts[0]}) and min({t}, {rest}))"
        return f"(2 if ({t} := {parts[0]}) == 2 else max({t}, {rest}))"

    return walk(node)


_KLEENE: dict[int, tuple] = {}  # id(node) -> (node, function): the same in every selection


def compile_kleene(node) -> Callable[[tuple], int]:
    """Function of a tuple of atom codes (one per leaf of `node`, depth first) -> Kleene int.
    It does not depend on parameter values, so it is made once per condition, not per selection."""
    found = _KLEENE.get(id(node))
    if found is not None and found[0] is node:
        return found[1]
    if len(_KLEENE) > 20_000:
        _KLEENE.clear()
    body = kleene_source(node, lambda i: f"KL[c[{i}]]")
    ns: dict = {"KL": KLEENE, "min": min, "max": max}
    exec(compile(f"def kleene(c):\n    return {body}\n", "<compiled kleene>", "exec"), ns)
    _KLEENE[id(node)] = (node, ns["kleene"])
    return ns["kleene"]


def compile_node(cond: Condition | object, params: Mapping) -> Callable[[Mapping], Tri]:
    """The condition as one generated function of a fact mapping -> Tri (same value as evaluate())."""
    root = cond.root if isinstance(cond, Condition) else cond
    consts = _Consts()
    found = leaves(root)
    names: dict[str, str] = {}
    lines = []
    for leaf in found:
        fact = getattr(leaf, "fact", None)
        if fact is not None and fact not in names:
            names[fact] = f"v{len(names)}"
            lines.append(f"    {names[fact]} = get({fact!r})")
    exprs = [atom_source(leaf, params, names.get(getattr(leaf, "fact", None), "None"), consts) for leaf in found]
    body = kleene_source(root, lambda i: f"KL[{exprs[i]}]")
    src = "def evaluate(facts):\n    get = facts.get\n" + "\n".join(lines) + ("\n" if lines else "") + \
        f"    return TRI[{body}]\n"
    ns: dict = {"K": tuple(consts.values), "KL": KLEENE, "TRI": TRI, "min": min, "max": max}
    exec(compile(src, "<compiled condition>", "exec"), ns)
    return ns["evaluate"]


def program(conditions: list[list], params: Mapping,
            compile_source: Callable[[str, str], object] | None = None) -> Callable[[Mapping], tuple]:
    """One function of a fact -> per entry of `conditions` (a list of condition roots, e.g. a rule's
    when and test) the tuple of the atom codes of all their leaves, depth first, followed by the
    Kleene value (0/1/2) of each root. Each distinct atom is computed once per fact, each fact
    value read once; the whole scope is one compiled function.

    Made once per regime period and scope in every process (part of the first judgement of every
    `check`), so each leaf is hashed once (a leaf is a frozen dataclass: its hash walks its fields
    in Python) and a root that is a single leaf gets its Kleene text directly (_kleene_text)."""
    consts = _Consts()
    names: dict[str, str] = {}
    atom_vars: dict = {}
    lines = ["def codes(fact):", "    get = fact.get"]
    add = lines.append
    groups = []
    for roots in conditions:
        refs: list[str] = []
        kleene = []
        for root in roots:
            mine: list[str] = []
            for leaf in leaves(root):
                try:
                    key = leaf
                    var = atom_vars.get(key)
                except TypeError:  # unhashable: its own atom (as _leaf_key)
                    key = id(leaf)
                    var = atom_vars.get(key)
                if var is None:
                    fact = getattr(leaf, "fact", None)
                    if fact is None:
                        fvar = "None"
                    else:
                        fvar = names.get(fact)
                        if fvar is None:
                            fvar = names[fact] = f"v{len(names)}"
                            add(f"    {fvar} = get({fact!r})")
                    var = atom_vars[key] = f"a{len(atom_vars)}"
                    add(f"    {var} = {atom_source(leaf, params, fvar, consts)}")
                mine.append(var)
            refs += mine
            kleene.append(_kleene_text(root, mine))
        groups.append("(" + "".join(f"{r}, " for r in refs + kleene) + ")")
    add("    return (" + "".join(f"{g}, " for g in groups) + ")")
    ns: dict = {"K": tuple(consts.values), "KL": KLEENE, "min": min, "max": max}
    source = "\n".join(lines) + "\n"  # constants are in K, not in the text: equal rules give equal text
    code = (compile_source or _compile)(source, "<compiled program>")
    exec(code, ns)
    return ns["codes"]


def _kleene_text(root, refs: list[str]) -> str:
    """kleene_source(root, lambda i: f"KL[{refs[i]}]"): the same text, without the walk for a root
    that is one leaf."""
    kind = type(root)
    if kind is not And and kind is not Or and kind is not Not:
        return f"KL[{refs[0]}]"  # a single leaf (the common `when` of one atom)
    return kleene_source(root, lambda i: f"KL[{refs[i]}]")


class _Span:
    """A node of a condition with the positions of its leaves among the depth-first leaves."""

    __slots__ = ("node", "start", "end", "items", "kind")

    def __init__(self, node, start: int) -> None:
        self.node = node
        self.start = start
        if isinstance(node, (And, Or)):
            self.kind = "and" if isinstance(node, And) else "or"
            self.items = []
            at = start
            for item in node.items:
                child = _Span(item, at)
                self.items.append(child)
                at = child.end
            self.end = at
        elif isinstance(node, Not):
            self.kind = "not"
            self.items = [_Span(node.item, start)]
            self.end = self.items[0].end
        else:
            self.kind = "leaf"
            self.items = []
            self.end = start + 1

    def value(self, kl) -> int:
        """Kleene int of this node from the Kleene ints of all leaves (`kl`, indexed like the codes)."""
        if self.kind == "leaf":
            return kl[self.start]
        if self.kind == "not":
            return 2 - self.items[0].value(kl)
        if self.kind == "and":
            return min((item.value(kl) for item in self.items), default=2)
        return max((item.value(kl) for item in self.items), default=0)

    def first(self, kl, want: Tri):
        """The first leaf (depth first) whose value is `want` and that helps decide the node, exactly
        as evaluator._first walks it."""
        if self.kind == "leaf":
            return self.node if TRI[kl[self.start]] is want else None
        if self.kind == "not":
            return self.items[0].first(kl, NOT[want])
        for item in self.items:
            if TRI[item.value(kl)] is want:
                found = item.first(kl, want)
                if found is not None:
                    return found
        return None

    def leaves(self):
        if self.kind == "leaf":
            yield self
        for item in self.items:
            yield from item.leaves()


_SPANS: dict[int, tuple] = {}  # id(root) -> (root, span, leaf spans)
_TEXTS: dict[int, tuple] = {}  # id(atom) -> (atom, rendered text)


def _span(root) -> tuple:
    found = _SPANS.get(id(root))
    if found is not None and found[0] is root:
        return found
    if len(_SPANS) > 20_000:
        _SPANS.clear()
    span = _Span(root, 0)
    found = _SPANS[id(root)] = (root, span, tuple(span.leaves()))
    return found


def _text(atom) -> str:
    found = _TEXTS.get(id(atom))
    if found is not None and found[0] is atom:
        return found[1]
    if len(_TEXTS) > 50_000:
        _TEXTS.clear()
    text = render(atom)
    _TEXTS[id(atom)] = (atom, text)
    return text


def why_from_codes(root, codes, offset: int, status: Tri, params: Mapping):
    """What evaluator.explain says of the condition `root` with value `status` (not TRUE), from
    the atom codes of its leaves (`codes[offset:]`, depth first) instead of the fact:
    (atom text, the atom's fact or None, missing facts, unknown parameters). The value the atom
    saw is the caller's to add (it is the one thing that is not a function of the codes)."""
    _, span, leaf_spans = _span(root)
    kl = [KLEENE[c] for c in codes[offset:offset + span.end]]
    atom = span.first(kl, status)
    missing: list = []
    unknown: list = []
    if status is Tri.UNKNOWN:
        for leaf in leaf_spans:
            node = leaf.node
            if not isinstance(node, (Cmp, In)) or kl[leaf.start] != 1:
                continue
            if codes[offset + leaf.start] == 1 and node.fact not in missing:  # 1: the fact is missing
                missing.append(node.fact)
            pname = node.rhs.name if isinstance(node, Cmp) and isinstance(node.rhs, Param) \
                else getattr(node, "param", None)
            if pname and pname not in unknown:
                value = params.get(pname)
                if value is None or isinstance(value, Interval):
                    unknown.append(pname)
    fact = getattr(atom, "fact", None)
    # the whole condition's text only when no atom decides (rare): rendering every root a process
    # meets is part of its first judgement
    return (_text(atom if atom is not None else root), fact, tuple(missing), tuple(unknown))


def _compile(source: str, name: str):
    return compile(source, name, "exec")


def _leaf_key(leaf):
    """Equal leaves (frozen dataclasses) share one computed code; unhashable ones are their own."""
    try:
        hash(leaf)
        return leaf
    except TypeError:
        return id(leaf)


__all__ = ["TRI", "KLEENE", "compile_kleene", "compile_node", "kleene_source", "leaves", "program",
           "why_from_codes"]

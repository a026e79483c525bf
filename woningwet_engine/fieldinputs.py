"""Which case fields each component derivation reads, found in its body (derivations.py) once.

rules/derivations.yaml declares what a derivation produces and the figures it reads, not the case
fields: those are read from the body itself, by walking its syntax tree. Every attribute chain on the
component (`c.dwelling.rent`, also through a local name such as `d = c.dwelling`, through helpers of
derivations.py it passes the component or a block to, and through `ctx["projects"]`, the project
totals project_aggregates makes of each member) is an input. Where the walk cannot follow a use (the
component handed to something else, a name it cannot resolve), the derivation reads everything, so the
answer is never smaller than the truth. The remediation stage uses it to re-derive, for a trial that
changes one field, only the facts that field feeds.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import marshal
import textwrap
from functools import lru_cache

from . import derivations

ALL = ("*",)  # reads the whole component (or something the walk could not follow)
CASE = "~case"  # first element of a chain on the case outside the component
PROJECTS = "~projects"  # (in the cache) what project_aggregates reads of a member


def _chain(node, names: dict) -> tuple | None:
    """The chain an expression stands for: ('c', 'dwelling', 'rent'), or None."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, str):
            parts.append("[" + node.slice.value + "]")
            node = node.value
        elif isinstance(node, ast.Name):
            base = names.get(node.id)
            return None if base is None else base + tuple(reversed(parts))
        else:
            return None


class _Walk(ast.NodeVisitor):
    """Collects the chains a function body reads, rooted as `names` says."""

    def __init__(self, names: dict, depth: int) -> None:
        self.names, self.depth, self.reads = dict(names), depth, set()

    def _read(self, chain: tuple) -> None:
        self.reads.add(chain)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        chain = _chain(node.value, self.names)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if chain is not None:
                    self.names[target.id] = chain
                else:
                    self.names.pop(target.id, None)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        chain = _chain(node.value, self.names)
        if chain is not None:
            self.names[node.target.id] = chain

    def visit_For(self, node: ast.For) -> None:
        self._loop(node.target, node.iter)
        for item in node.body + node.orelse:
            self.visit(item)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._loop(node.target, node.iter)
        for cond in node.ifs:
            self.visit(cond)

    def _loop(self, target, iterable) -> None:
        chain = _chain(iterable, self.names)
        if chain == ("case", "components") and isinstance(target, ast.Name):
            self.names[target.id] = ("c",)  # each member as a component (project_aggregates)
        else:
            self.visit(iterable)
            if chain is not None and isinstance(target, ast.Name):
                self.names[target.id] = chain

    def visit_Attribute(self, node) -> None:
        chain = _chain(node, self.names)
        if chain is not None:
            self._read(chain)
        else:
            self.generic_visit(node)

    visit_Subscript = visit_Attribute

    def visit_Name(self, node: ast.Name) -> None:
        chain = self.names.get(node.id)
        if chain is not None:
            self._read(chain)

    def visit_Call(self, node: ast.Call) -> None:
        fn = getattr(derivations, node.func.id, None) if isinstance(node.func, ast.Name) else None
        if fn is not None and inspect.isfunction(fn) and fn.__module__ == derivations.__name__ and self.depth < 8:
            params = list(inspect.signature(fn).parameters)
            bound = {}
            for name, arg in zip(params, node.args):
                chain = _chain(arg, self.names)
                if chain is not None:
                    bound[name] = chain
                else:
                    self.visit(arg)
            for kw in node.keywords:
                self.visit(kw.value)
            self.reads |= _reads_of(fn, tuple(sorted(bound.items())), self.depth + 1)
            return
        self.generic_visit(node)  # a chain handed to anything else is read whole (visit_Name/Attribute)


@lru_cache(maxsize=None)
def _reads_of(fn, bound: tuple, depth: int = 0) -> frozenset:
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    body = tree.body[0]
    walk = _Walk(dict(bound), depth)
    for item in body.body:
        walk.visit(item)
    return frozenset(walk.reads)


def project_inputs() -> frozenset:
    """The field paths of a member that its project's totals (derivations.project_aggregates) read."""
    return _known()[PROJECTS]


def _project_inputs() -> frozenset:
    return _component_paths(_reads_of(derivations.project_aggregates, (("case", ("case",)),)))


def _component_paths(reads: frozenset) -> frozenset:
    """Chains on the component as field paths; the project totals as what they read of a member."""
    out = set()
    for chain in reads:
        if chain[0] == "c":
            out.add(chain[1:] or ALL)
        elif chain[:2] == ("ctx", "[projects]"):
            out |= _project_inputs()
        elif chain[0] == "ctx" and len(chain) == 1:
            out.add(ALL)
        elif chain[0] == "case":
            if chain[1:2] == ("components",) or len(chain) == 1:
                out.add(ALL)
            else:
                out.add((CASE,) + chain[1:])
    return frozenset(out)


@lru_cache(maxsize=None)
def component_inputs(function: str) -> frozenset:
    """The field paths (within the component; `~case` first for the rest of the case) a component
    derivation's body reads; ('*',) among them when it may read anything."""
    found = _known().get(function)
    return _analyse(function) if found is None else found


def _analyse(function: str) -> frozenset:
    fn = derivations.FUNCTIONS[function]
    params = list(inspect.signature(fn).parameters)  # (case, component, env, ctx)
    if len(params) != 4:
        return frozenset([ALL])  # not a component body
    roots = {params[0]: ("case",), params[1]: ("c",), params[3]: ("ctx",)}
    return _component_paths(_reads_of(fn, tuple(sorted(roots.items()))))


@lru_cache(maxsize=1)
def _known() -> dict:
    """Every registered body's inputs, kept in the cache directory for the source of derivations.py and
    of this walk (parsing the bodies again takes longer than a whole judgement)."""
    from pathlib import Path

    from . import diskcache

    source = Path(derivations.__file__).read_bytes() + Path(__file__).read_bytes()
    name = f"fieldinputs-{hashlib.sha256(source).hexdigest()[:20]}.marshal"
    data = diskcache.read(name)
    if data is not None:
        try:
            found = marshal.loads(data)
            if isinstance(found, dict) and PROJECTS in found:
                return found
        except (EOFError, ValueError, TypeError):
            pass
    found = {function: _analyse(function) for function in derivations.FUNCTIONS}
    found[PROJECTS] = _project_inputs()
    diskcache.write(name, marshal.dumps(found))
    diskcache.prune("fieldinputs-", ".marshal", 2, keep=name)
    return found


def feeds(inputs: frozenset, path: tuple) -> bool:
    """A change of the field at `path` (within the component) can change what reads `inputs`."""
    return ALL in inputs or any(p[:len(path)] == path or path[:len(p)] == p for p in inputs)

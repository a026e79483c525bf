"""The package's modules import each other one way only: no import cycle, read from the source.

Every `import` and `from ... import` counts, also those inside functions and under TYPE_CHECKING:
a late import hides a cycle from Python, not from the design. Importing a package counts as
importing its `__init__`; `from . import x` counts as importing the module `x` when it is one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "woningwet_engine"
ROOT = PACKAGE.name


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Package modules that `name` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()

    def add(target: str) -> None:
        # the module itself, else the closest enclosing package that exists
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                    add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1] if node.level > 1 else list(here)
                prefix = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == ROOT or node.module.startswith(ROOT + ".")):
                prefix = node.module
            else:
                continue
            for alias in node.names:
                sub = f"{prefix}.{alias.name}"
                add(sub if sub in known else prefix)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_graph_is_read_from_the_source():
    graph = import_graph()
    # a few edges that must be there, so the reader cannot silently read nothing
    assert f"{ROOT}.conditions.nodes" in graph[f"{ROOT}.conditions.evaluator"]
    assert f"{ROOT}.rulebook.loader" in graph[f"{ROOT}.rulebook.cache"]
    assert sum(len(v) for v in graph.values()) > 60


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_package():
    found = cycles(import_graph())
    if found:
        pytest.fail("import cycles among woningwet_engine modules:\n" + "\n".join(" <-> ".join(c) for c in found))


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_evaluation_sits_below_every_stage_and_coverage_only_observes():
    graph = import_graph()
    below = _reaches(graph, f"{ROOT}.evaluation")
    stages = {f"{ROOT}.{m}" for m in ("engine", "verdict", "plan", "decision", "split", "remediation", "route",
                                      "coverage", "portfolio", "compare")}
    assert not below & stages, f"evaluation depends on stages: {sorted(below & stages)}"
    # the engine and its stages never call the coverage recorder; it registers itself as an observer
    for mod in stages - {f"{ROOT}.coverage", f"{ROOT}.compare"}:
        assert f"{ROOT}.coverage" not in _reaches(graph, mod), f"{mod} reaches coverage"

"""Conformance suite: every evaluation back-end gives the same value to the same condition.

The cases are data, in tests/conformance/*.yaml. Each file declares a small synthetic fact
schema (`fields`: name -> int | eur | bp | bool | code | {enum: [...]}), the units of the
figures it uses (`params`: name -> eur | ratio | count | codes | ...), and a list of `cases`:
`{condition, facts, params, expect}` where `expect` is true, false or unknown. Fact and figure
values are in engine units (money in cents, shares in basis points); a figure given as null is
unknown on that date. A failure here is an engine bug, never a change in the law.

Back-end interface. A back-end is an object with

    name: str              shown in test ids
    three_valued: bool     True: it tells TRUE, FALSE and UNKNOWN apart; False: it only says
                           whether the condition holds (returns Tri.TRUE, or Tri.FALSE for "not
                           TRUE"), as a matcher such as durable_rules does
    run(items: list[Item]) -> list[Tri]
                           the value of each item's condition on its facts and params, in order

`Item` carries the parsed `condition` (conditions.nodes.Condition, with `.root`), the `facts`
(fact name -> engine value; an absent name is unknown), the `params` (parameter id -> value;
None is unknown), the `schema` and `param_units` it was parsed with, and `where` (file and
index, for messages). `run` gets all cases of one file at once so that a back-end that works
in batches (a compiled ruleset, a SQL table) can. To add a back-end, write such a class and
add one line to BACKENDS.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from woningwet_engine.conditions.interval import Interval

from woningwet_engine.conditions.compiler import compile_condition
from woningwet_engine.conditions.evaluator import Tri, evaluate
from woningwet_engine.conditions.nodes import Condition, FieldSpec, parse_condition
from woningwet_engine.inference.durable_adapter import Branch, DurableMatcher

from duckdb_backend import DuckDBBackend

HERE = Path(__file__).resolve().parent
EXPECT = {True: Tri.TRUE, False: Tri.FALSE, "unknown": Tri.UNKNOWN}


@dataclass(frozen=True)
class Item:
    where: str
    text: str
    condition: Condition
    facts: dict
    params: dict
    schema: dict
    param_units: dict
    expect: Tri


class ReferenceBackend:
    """The pure-Python three-valued evaluator (conditions/evaluator.py)."""

    name = "reference"
    three_valued = True

    def run(self, items: list[Item]) -> list[Tri]:
        return [evaluate(item.condition, item.facts, item.params) for item in items]


class DurableBackend:
    """The durable_rules compiler and adapter: one ruleset per file, one scope per case."""

    name = "durable_rules"
    three_valued = False
    _matcher: DurableMatcher | None = None
    _counter = itertools.count()

    def run(self, items: list[Item]) -> list[Tri]:
        if DurableBackend._matcher is None:
            DurableBackend._matcher = DurableMatcher()
        matcher = DurableBackend._matcher
        branches, facts = [], []
        for i, item in enumerate(items):
            scope = f"c{i}"
            compiled = compile_condition(item.condition, item.params, extra=[{"kind": scope}])
            if compiled is not False:
                branches.append(Branch(f"case{i}", scope, compiled))
            facts.append(dict(item.facts, id=f"f{i}", kind=scope))
        key = f"conformance-{next(self._counter)}"
        fired: set = set()
        if branches:
            matcher.prepare(key, branches)
            fired = matcher.match(key, facts)
        return [Tri.TRUE if (f"case{i}", f"f{i}") in fired else Tri.FALSE for i in range(len(items))]


class CompiledBackend:
    """The generated-code evaluator of the hot path (conditions/compiled.py), both of its forms: a
    whole condition as one function of the facts, and the atom codes + Kleene function per rule
    that evaluation.CompiledEvaluator uses; the two must agree with each other as well."""

    name = "compiled"
    three_valued = True

    def run(self, items: list[Item]) -> list[Tri]:
        from woningwet_engine.conditions.compiled import TRI, compile_kleene, compile_node, program

        out = []
        for item in items:
            whole = compile_node(item.condition, item.params)(item.facts)
            codes = program([[item.condition.root]], item.params)(item.facts)[0]
            split = TRI[compile_kleene(item.condition.root)(codes[:-1])]  # from the atom codes alone
            inline = TRI[codes[-1]]  # the Kleene value the scope program computes itself
            out.append(whole if whole is split is inline else None)
        return out


# One line per back-end.
BACKENDS = [
    ReferenceBackend(),
    DurableBackend(),
    CompiledBackend(),
    DuckDBBackend(),  # woningwet stock: conditions compiled to SQL (tests/conformance/duckdb_backend.py)
]


def _field(spec) -> FieldSpec:
    if isinstance(spec, dict):
        return FieldSpec("enum", tuple(spec["enum"]))
    return FieldSpec(spec)


def load_items(path: Path) -> list[Item]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = {name: _field(spec) for name, spec in data["fields"].items()}
    units = dict(data.get("params") or {})
    items = []
    for i, case in enumerate(data["cases"]):
        where = f"{path.name}#{i}"
        assert set(case) <= {"condition", "facts", "params", "expect"}, f"{where}: unknown keys {sorted(case)}"
        assert case["expect"] in EXPECT, f"{where}: expect must be true, false or unknown"
        cond = parse_condition(case["condition"], schema, units)
        params = {name: None for name in units}
        for name, value in (case.get("params") or {}).items():  # {lower, upper}: a bounded figure
            params[name] = Interval(value.get("lower"), value.get("upper")) if isinstance(value, dict) else value
        items.append(Item(where, case["condition"], cond, dict(case.get("facts") or {}), params, schema, units,
                          EXPECT[case["expect"]]))
    return items


FILES = sorted(HERE.glob("*.yaml"))


def test_the_suite_is_there_and_covers_all_three_values():
    items = [item for path in FILES for item in load_items(path)]
    assert len(FILES) >= 3 and len(items) >= 80
    assert {item.expect for item in items} == {Tri.TRUE, Tri.FALSE, Tri.UNKNOWN}


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_backend_conforms(backend, path):
    items = load_items(path)
    got = backend.run(items)
    assert len(got) == len(items), f"{backend.name} returned {len(got)} values for {len(items)} cases"
    wrong = []
    for item, value in zip(items, got):
        want = item.expect if backend.three_valued else (Tri.TRUE if item.expect is Tri.TRUE else Tri.FALSE)
        if value is not want:
            wrong.append(f"{item.where}: {item.text!r} on facts {item.facts} params "
                         f"{ {k: v for k, v in item.params.items() if v is not None} }: "
                         f"expected {want.value}, got {getattr(value, 'value', value)}")
    assert not wrong, f"{backend.name} disagrees with the suite:\n" + "\n".join(wrong)


def test_a_wrong_backend_is_caught():
    """The runner fails a back-end that confuses unknown with false (so the suite can fail)."""

    class Confused(ReferenceBackend):
        def run(self, items):
            return [Tri.FALSE if v is Tri.UNKNOWN else v for v in super().run(items)]

    with pytest.raises(AssertionError, match="disagrees"):
        test_backend_conforms(Confused(), HERE / "kleene.yaml")

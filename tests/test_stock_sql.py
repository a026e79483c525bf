"""The stock path's SQL: every rule branch of the rulebook, compiled once per regime selection, gives in
DuckDB the value the reference evaluator gives (TRUE, FALSE, UNKNOWN = NULL) on random facts, with
facts missing, figures unknown and numbers exactly on the thresholds."""

from __future__ import annotations

import datetime as dt
import random

import duckdb
import pytest

from woningwet_engine.conditions.evaluator import Tri, evaluate
from woningwet_engine.conditions.nodes import parse_condition
from woningwet_engine.facts import COMPONENT_FIELDS
from woningwet_engine.portfolio import Partition
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.stock.judge import compile_selection, component_rules
from woningwet_engine.stock.sql import NULL_BOOL, SQL_TYPE, literal, quote_ident, to_sql

DATES = [dt.date(2015, 7, 1), dt.date(2016, 6, 1), dt.date(2018, 3, 1), dt.date(2022, 6, 1), dt.date(2025, 6, 1)]


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


def random_facts(rng: random.Random, part: Partition, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        f = {}
        for name, spec in COMPONENT_FIELDS.items():
            if rng.random() < 0.25:
                continue  # missing
            if spec.type == "bool":
                f[name] = rng.random() < 0.5
            elif spec.type == "enum":
                f[name] = rng.choice(spec.values)
            elif spec.type == "code":
                known = sorted(part.texts.get(name, ())) or ["GM0344"]
                f[name] = rng.choice(known + ["ZZZ"])
            else:
                ts = part.numbers.get(name, ([0], None))[0] or [0]
                t = rng.choice(ts)
                f[name] = max(0, t + rng.choice((-1, 0, 1, -1000, 1000, 0)))
        out.append(f)
    return out


@pytest.mark.parametrize("day", DATES, ids=str)
def test_every_branch_in_sql_equals_the_reference(book, day):
    selection = book.at(day)
    branches = compile_selection(selection)
    assert len(branches) == sum(len(cr.branches) for cr in component_rules(selection)) > 50
    part = Partition(component_rules(selection), selection.values, COMPONENT_FIELDS)
    facts = random_facts(random.Random(day.toordinal()), part, 250)
    names = list(COMPONENT_FIELDS)
    rows = []
    for i, f in enumerate(facts):
        cells = [str(i)] + [f"CAST(NULL AS {SQL_TYPE[COMPONENT_FIELDS[n].type]})" if f.get(n) is None else
                            f"CAST({literal(f[n])} AS {SQL_TYPE[COMPONENT_FIELDS[n].type]})" for n in names]
        rows.append("(" + ", ".join(cells) + ")")
    cols = ", ".join(["i"] + [quote_ident("f_" + n) for n in names])
    query = (f"SELECT i, {', '.join(b.sql for b in branches)} FROM (VALUES {', '.join(rows)}) AS t({cols}) "
             "ORDER BY i")
    got = duckdb.connect().execute(query).fetchall()
    seen = set()
    wrong = []
    for row, f in zip(got, facts):
        for b, value in zip(branches, row[1:]):
            want = evaluate(b.root, f, selection.values)
            sql = Tri.UNKNOWN if value is None else (Tri.TRUE if value else Tri.FALSE)
            seen.add(want)
            if sql is not want:
                wrong.append(f"{b.id} on {f}: reference {want.value}, SQL {sql.value}")
    assert not wrong, "\n".join(wrong[:5])
    assert seen == {Tri.TRUE, Tri.FALSE, Tri.UNKNOWN}


def test_unknown_figure_and_empty_list_follow_kleene():
    schema = {"n": COMPONENT_FIELDS["units"], "c": COMPONENT_FIELDS["mv_code"]}
    units = {"limit": "count", "codes": "codes"}
    con = duckdb.connect()

    def value(text, facts, params):
        cond = parse_condition(text, schema, units)
        sql = to_sql(cond, params, lambda f: quote_ident("f_" + f))
        n = "NULL" if facts.get("n") is None else str(facts["n"])
        c = "NULL" if facts.get("c") is None else literal(facts["c"])
        got = con.execute(f"SELECT {sql} FROM (SELECT CAST({n} AS BIGINT) AS f_n, CAST({c} AS VARCHAR) AS f_c)").fetchone()[0]
        ref = evaluate(cond, facts, params)
        assert (Tri.UNKNOWN if got is None else Tri.TRUE if got else Tri.FALSE) is ref, text
        return ref

    assert value("n >= param.limit", {"n": 3}, {"limit": None}) is Tri.UNKNOWN
    assert value("n >= param.limit or c == 'X'", {"n": 3, "c": "X"}, {"limit": None}) is Tri.TRUE
    assert value("c in param.codes", {"c": "X"}, {"codes": []}) is Tri.FALSE
    assert value("c not in param.codes", {"c": "X"}, {"codes": []}) is Tri.TRUE
    assert value("c in param.codes", {}, {"codes": []}) is Tri.UNKNOWN
    assert value("c in param.codes", {"c": "X"}, {"codes": None}) is Tri.UNKNOWN
    assert value("missing(c) and not (n > 2)", {"n": 1}, {}) is Tri.TRUE
    assert NULL_BOOL in to_sql(parse_condition("n < param.limit", schema, units), {"limit": None})

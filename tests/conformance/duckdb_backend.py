"""The stock path's back-end for the conformance suite: conditions compiled to SQL (stock/sql.py) and
evaluated by DuckDB over a table with one row per case, NULL for an absent fact."""

from __future__ import annotations

import duckdb

from woningwet_engine.conditions.evaluator import Tri
from woningwet_engine.stock.sql import SQL_TYPE, literal, quote_ident, to_sql


class DuckDBBackend:
    name = "duckdb_sql"
    three_valued = True

    def run(self, items) -> list[Tri]:
        if not items:
            return []
        schema = items[0].schema
        names = sorted(schema)
        types = [SQL_TYPE[schema[n].type] for n in names]
        rows = []
        for i, item in enumerate(items):
            cells = [str(i)]
            for n, t in zip(names, types):
                v = item.facts.get(n)
                cells.append(f"CAST(NULL AS {t})" if v is None else f"CAST({literal(v)} AS {t})")
            rows.append("(" + ", ".join(cells) + ")")
        cols = ", ".join(["i"] + [quote_ident("f_" + n) for n in names])
        table = f"(VALUES {', '.join(rows)}) AS t({cols})"
        parts = [f"SELECT i, {to_sql(item.condition, item.params, lambda f: quote_ident('f_' + f))} AS v "
                 f"FROM {table} WHERE i = {i}" for i, item in enumerate(items)]
        con = duckdb.connect()
        try:
            got = dict(con.execute(" UNION ALL ".join(parts)).fetchall())
        finally:
            con.close()
        return [Tri.UNKNOWN if got[i] is None else (Tri.TRUE if got[i] else Tri.FALSE) for i in range(len(items))]

"""Compile a condition to a SQL boolean expression: Kleene logic is SQL's NULL logic.

A fact is a column, NULL when the fact is absent; a parameter value is a literal, NULL when the
figure is unknown on the date. SQL's AND, OR and NOT over TRUE, FALSE and NULL are exactly Kleene's
conjunction, disjunction and negation, and a comparison or IN with a NULL operand is NULL, as the
reference evaluator's atom is UNKNOWN. So the compiled expression is TRUE, FALSE or NULL where
`conditions.evaluator.evaluate` says TRUE, FALSE or UNKNOWN (tests/test_stock_sql.py and the
conformance suite hold the two to that). The output is plain ANSI SQL, so the same text runs on
DuckDB here and on Spark SQL or DuckDB over partitioned Parquet elsewhere (docs/stock.md).
"""

from __future__ import annotations

from typing import Callable, Mapping

from ..conditions.interval import Interval, regions
from ..conditions.nodes import And, Cmp, Condition, Const, In, Not, Or, Param, Present

NULL_BOOL = "CAST(NULL AS BOOLEAN)"
_OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {value!r}")


def to_sql(node, params: Mapping, column: Callable[[str], str] = quote_ident) -> str:
    """SQL for a condition tree; `column` names the column that holds a fact."""
    if isinstance(node, Condition):
        node = node.root
    if isinstance(node, And):
        return "(" + " AND ".join(to_sql(i, params, column) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(to_sql(i, params, column) for i in node.items) + ")"
    if isinstance(node, Not):
        return f"(NOT {to_sql(node.item, params, column)})"
    if isinstance(node, Const):
        return "TRUE" if node.value else "FALSE"
    col = column(node.fact)
    if isinstance(node, Present):
        return f"({col} IS NULL)" if node.negated else f"({col} IS NOT NULL)"
    if isinstance(node, Cmp):
        rhs = params.get(node.rhs.name) if isinstance(node.rhs, Param) else node.rhs.value
        if rhs is None:
            return NULL_BOOL
        if isinstance(rhs, Interval):  # decided only where every value of the interval agrees
            true_alts, false_alts = regions(node.op, rhs)
            cases = [f"WHEN {col} IS NULL THEN {NULL_BOOL}"]
            cases += [f"WHEN {col} {_OPS[op]} {literal(b)} THEN TRUE" for op, b in true_alts]
            cases += [f"WHEN {col} {_OPS[op]} {literal(b)} THEN FALSE" for op, b in false_alts]
            return f"(CASE {' '.join(cases)} ELSE {NULL_BOOL} END)"
        return f"({col} {_OPS[node.op]} {literal(rhs)})"
    if isinstance(node, In):
        options = params.get(node.param) if node.param else [v.value for v in node.values]
        if options is None:
            return NULL_BOOL
        options = list(dict.fromkeys(options))
        if not options:  # x in [] is FALSE for a present x and UNKNOWN for a missing one
            return f"(CASE WHEN {col} IS NULL THEN {NULL_BOOL} ELSE {'TRUE' if node.negated else 'FALSE'} END)"
        body = ", ".join(literal(v) for v in options)
        return f"({col} {'NOT IN' if node.negated else 'IN'} ({body}))"
    raise TypeError(f"not a condition node: {node!r}")


SQL_TYPE = {"eur": "BIGINT", "bp": "BIGINT", "int": "BIGINT", "bool": "BOOLEAN", "enum": "VARCHAR", "code": "VARCHAR"}

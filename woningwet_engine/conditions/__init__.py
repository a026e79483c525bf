"""The condition language of rule files: parse, type-check, evaluate (reference) and compile (durable_rules).

A condition is a boolean expression over the facts of one component, project or plan and the
parameters in force on the case date, written in a small Python-like syntax, for example

    object == "dwelling" and tenure == "rent" and rent <= param.liberalisatiegrens

It is parsed with Python's `ast` module into our own node types; nothing is ever evaluated as
Python. Allowed: `and`, `or`, `not`, parentheses, comparisons `== != < <= > >=` between a fact
and a literal or parameter, `x in [...]`, `x not in [...]`, `x in param.list`,
`present(x)`, `missing(x)`, and the constants `true`/`false`.
"""

from .nodes import Condition, parse_condition
from .evaluator import Tri, evaluate, explain
from .compiler import compile_condition

__all__ = ["Condition", "parse_condition", "Tri", "evaluate", "explain", "compile_condition"]

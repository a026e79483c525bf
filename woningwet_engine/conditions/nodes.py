"""Condition syntax tree, parser and type checker."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Union

from ..units import euros_to_cents, ratio_to_bp, to_decimal

MAX_CONDITION_CHARS = 4000
MAX_NODES = 400

# Field types: eur (integer cents), bp (basis points), int, bool, enum (str from a closed set), code (str)
ORDERED_TYPES = {"eur", "bp", "int"}
PARAM_UNIT_FOR_TYPE = {"eur": "eur", "bp": "ratio", "int": ("count", "weeks", "points")}


@dataclass(frozen=True)
class FieldSpec:
    type: str
    values: tuple[str, ...] = ()
    doc: str = ""


class ConditionError(ValueError):
    """A condition is not valid; the message says what and where."""


@dataclass(frozen=True)
class Fact:
    name: str


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class Lit:
    value: object  # already converted to the field's representation (cents, bp, int, bool, str)
    text: str


Operand = Union[Param, Lit]


@dataclass(frozen=True)
class Cmp:
    fact: str
    op: str  # == != < <= > >=
    rhs: Operand


@dataclass(frozen=True)
class In:
    fact: str
    values: tuple[Lit, ...] | None
    param: str | None
    negated: bool


@dataclass(frozen=True)
class Present:
    fact: str
    negated: bool  # True: missing(x)


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


Node = Union[Cmp, In, Present, Const, And, Or, Not]


def atoms(node):
    """The comparison, membership and presence atoms of a condition tree, depth first."""
    if isinstance(node, (And, Or)):
        for item in node.items:
            yield from atoms(item)
    elif isinstance(node, Not):
        yield from atoms(node.item)
    elif isinstance(node, (Cmp, In, Present)):
        yield node

_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class Condition:
    """A parsed, type-checked condition with the facts and parameters it reads."""

    text: str
    root: Node
    facts: tuple[str, ...] = field(default=())
    params: tuple[str, ...] = field(default=())


class _Parser:
    def __init__(self, text: str, schema: Mapping[str, FieldSpec], param_units: Mapping[str, str]):
        self.text = text
        self.source = " ".join(text.split())  # what ast parsed (literal source segments come from it)
        self.schema = schema
        self.param_units = param_units
        self.facts: list[str] = []
        self.params: list[str] = []
        self.count = 0

    def fail(self, node: ast.AST | None, msg: str) -> ConditionError:
        col = getattr(node, "col_offset", None)
        where = f" at column {col + 1}" if col is not None else ""
        return ConditionError(f"{msg}{where} in condition: {self.text}")

    def _fact(self, node: ast.AST) -> str:
        if not isinstance(node, ast.Name) or node.id in ("true", "false", "param"):
            raise self.fail(node, "expected a fact name")
        if node.id not in self.schema:
            raise self.fail(node, f"unknown fact '{node.id}'")
        if node.id not in self.facts:
            self.facts.append(node.id)
        return node.id

    def _param_name(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "param":
            name = node.attr
            if name not in self.param_units:
                raise self.fail(node, f"unknown parameter '{name}'")
            if name not in self.params:
                self.params.append(name)
            return name
        return None

    def _literal(self, node: ast.AST, fact: str) -> Lit:
        spec = self.schema[fact]
        if isinstance(node, ast.Name) and node.id in ("true", "false"):
            value: object = node.id == "true"
            text = node.id
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool):
            value = node.value
            text = repr(node.value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
                and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
            value = -node.operand.value
            text = repr(value)
        else:
            raise self.fail(node, "expected a literal (number, string, true/false) or param.NAME")
        if spec.type == "bool":
            if not isinstance(value, bool):
                raise self.fail(node, f"fact '{fact}' is true/false, got {text}")
            return Lit(value, text)
        if isinstance(value, bool):
            raise self.fail(node, f"fact '{fact}' is not true/false")
        if spec.type in ("enum", "code"):
            if not isinstance(value, str):
                raise self.fail(node, f"fact '{fact}' holds text, got {text}")
            if spec.type == "enum" and value not in spec.values:
                raise self.fail(node, f"'{value}' is not a value of '{fact}' (one of {', '.join(spec.values)})")
            return Lit(value, text)
        if isinstance(value, str):
            raise self.fail(node, f"fact '{fact}' is a number, got {text}")
        if isinstance(value, float):  # the literal as written: 710.675 or 1e999 is refused, never rounded
            text = ast.get_source_segment(self.source, node) or text
        try:
            number = to_decimal(text if isinstance(value, float) else value)
            if spec.type == "eur":
                return Lit(euros_to_cents(number), text)
            if spec.type == "bp":
                return Lit(ratio_to_bp(number), text)
        except ValueError as exc:
            raise self.fail(node, f"literal {text} for fact '{fact}': {exc}") from None
        if isinstance(value, float):
            raise self.fail(node, f"fact '{fact}' is a whole number, got {text}")
        return Lit(value, text)

    def _check_param_unit(self, node: ast.AST, fact: str, param: str, membership: bool) -> None:
        unit = self.param_units[param]
        ftype = self.schema[fact].type
        if membership:
            if unit != "codes" or ftype not in ("code", "enum"):
                raise self.fail(node, f"'in param.{param}' needs a code-list parameter and a text fact")
            return
        expected = PARAM_UNIT_FOR_TYPE.get(ftype)
        ok = unit == expected or (isinstance(expected, tuple) and unit in expected)
        if not ok:
            raise self.fail(node, f"parameter '{param}' ({unit}) cannot be compared with fact '{fact}' ({ftype})")

    def node(self, node: ast.AST) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"condition has more than {MAX_NODES} parts")
        if isinstance(node, ast.BoolOp):
            items = tuple(self.node(v) for v in node.values)
            return And(items) if isinstance(node.op, ast.And) else Or(items)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return Not(self.node(node.operand))
        if isinstance(node, ast.Name) and node.id in ("true", "false"):
            return Const(node.id == "true")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in ("present", "missing") \
                    or len(node.args) != 1 or node.keywords:
                raise self.fail(node, "the only functions are present(fact) and missing(fact)")
            return Present(self._fact(node.args[0]), negated=node.func.id == "missing")
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1:
                raise self.fail(node, "chained comparisons are not allowed; use 'and'")
            op_node, left, right = node.ops[0], node.left, node.comparators[0]
            if isinstance(op_node, (ast.In, ast.NotIn)):
                fact = self._fact(left)
                negated = isinstance(op_node, ast.NotIn)
                param = self._param_name(right)
                if param is not None:
                    self._check_param_unit(right, fact, param, membership=True)
                    return In(fact, None, param, negated)
                if not isinstance(right, (ast.List, ast.Tuple)) or not right.elts:
                    raise self.fail(right, "'in' needs a non-empty [list] or a code-list parameter")
                values = tuple(self._literal(e, fact) for e in right.elts)
                if len({v.value for v in values}) != len(values):
                    raise self.fail(right, "duplicate value in list")
                return In(fact, values, None, negated)
            if type(op_node) not in _OPS:
                raise self.fail(node, "unsupported comparison")
            op = _OPS[type(op_node)]
            if not isinstance(left, ast.Name) or left.id in ("true", "false"):
                left, right, op = right, left, _FLIP[op]
            fact = self._fact(left)
            spec = self.schema[fact]
            if op not in ("==", "!=") and spec.type not in ORDERED_TYPES:
                raise self.fail(node, f"'{op}' needs a number; fact '{fact}' is {spec.type}")
            param = self._param_name(right)
            if param is not None:
                self._check_param_unit(right, fact, param, membership=False)
                return Cmp(fact, op, Param(param))
            return Cmp(fact, op, self._literal(right, fact))
        raise self.fail(node, f"unsupported expression ({type(node).__name__})")


def parse_condition(text: str, schema: Mapping[str, FieldSpec], param_units: Mapping[str, str]) -> Condition:
    """Parse and type-check `text` against the fact schema and parameter units."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("condition is empty")
    if len(text) > MAX_CONDITION_CHARS:
        raise ConditionError(f"condition longer than {MAX_CONDITION_CHARS} characters")
    try:
        tree = ast.parse(" ".join(text.split()), mode="eval")  # == _Parser.source
    except SyntaxError as exc:
        raise ConditionError(f"syntax error at column {exc.offset}: {exc.msg} in condition: {text}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError(f"condition too deeply nested: {text[:80]}") from None
    parser = _Parser(text, schema, param_units)
    try:
        root = parser.node(tree.body)
    except RecursionError:
        raise ConditionError(f"condition too deeply nested: {text[:80]}") from None
    return Condition(text, root, tuple(parser.facts), tuple(parser.params))

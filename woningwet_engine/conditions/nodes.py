"""Condition syntax tree, parser and type checker."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Union

from ..errors import EnglishOnly, Say
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
    """A condition is not valid. The message says what and where, in English (programs, logs);
    `says` says the same as sentences of the catalogue (errors.Say, section input_error.condition)
    for people."""

    def __init__(self, message: str, says: tuple = ()):
        super().__init__(message)
        self.says = says

    @classmethod
    def of(cls, key: str, /, condition: str | None = None, column: int | None = None, **fields) -> ConditionError:
        """The sentence `key` with `fields`, and where: the column in the condition's text."""
        what = Say.of(f"condition.{key}", **fields)
        message, says = str(what), (what,)
        if column is not None:
            message += f" at column {column}"
        if condition is not None:
            message += f" in condition: {condition}"
            says += (Say.of("condition.at", column=column, condition=condition) if column is not None
                     else Say.of("condition.in", condition=condition),)
        return cls(message, says)

    def closest(self, word: str, names) -> ConditionError:
        """This error with 'did you mean' the name closest to `word`, if one is close."""
        import difflib

        found = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
        if not found:
            return self
        hint = Say.of("hint.did_you_mean", name=found[0])
        return ConditionError(f"{self}; {hint}", self.says + (hint,))


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

    def fail(self, node: ast.AST | None, key: str, **fields) -> ConditionError:
        col = getattr(node, "col_offset", None)
        return ConditionError.of(key, self.text, col + 1 if col is not None else None, **fields)

    def _fact(self, node: ast.AST) -> str:
        if not isinstance(node, ast.Name) or node.id in ("true", "false", "param"):
            raise self.fail(node, "fact_name")
        if node.id not in self.schema:
            raise self.fail(node, "unknown_fact", name=node.id).closest(node.id, self.schema)
        if node.id not in self.facts:
            self.facts.append(node.id)
        return node.id

    def _param_name(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "param":
            name = node.attr
            if name not in self.param_units:
                raise self.fail(node, "unknown_param", name=name).closest(name, self.param_units)
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
            raise self.fail(node, "literal")
        if spec.type == "bool":
            if not isinstance(value, bool):
                raise self.fail(node, "bool_got", fact=fact, got=text)
            return Lit(value, text)
        if isinstance(value, bool):
            raise self.fail(node, "not_bool", fact=fact)
        if spec.type in ("enum", "code"):
            if not isinstance(value, str):
                raise self.fail(node, "text_got", fact=fact, got=text)
            if spec.type == "enum" and value not in spec.values:
                raise self.fail(node, "not_a_value", value=value, fact=fact, values=", ".join(spec.values))
            return Lit(value, text)
        if isinstance(value, str):
            raise self.fail(node, "number_got", fact=fact, got=text)
        if isinstance(value, float):  # the literal as written: 710.675 or 1e999 is refused, never rounded
            text = ast.get_source_segment(self.source, node) or text
        try:
            number = to_decimal(text if isinstance(value, float) else value)
            if spec.type == "eur":
                return Lit(euros_to_cents(number), text)
            if spec.type == "bp":
                return Lit(ratio_to_bp(number), text)
        except ValueError as exc:
            raise self.fail(node, "bad_literal", literal=text, fact=fact, reason=EnglishOnly(str(exc))) from None
        if isinstance(value, float):
            raise self.fail(node, "whole_got", fact=fact, got=text)
        return Lit(value, text)

    def _check_param_unit(self, node: ast.AST, fact: str, param: str, membership: bool) -> None:
        unit = self.param_units[param]
        ftype = self.schema[fact].type
        if membership:
            if unit != "codes" or ftype not in ("code", "enum"):
                raise self.fail(node, "in_codes", param=param)
            return
        expected = PARAM_UNIT_FOR_TYPE.get(ftype)
        ok = unit == expected or (isinstance(expected, tuple) and unit in expected)
        if not ok:
            raise self.fail(node, "unit_mismatch", param=param, unit=unit, fact=fact, type=ftype)

    def node(self, node: ast.AST) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, "too_many_parts", n=MAX_NODES)
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
                raise self.fail(node, "functions")
            return Present(self._fact(node.args[0]), negated=node.func.id == "missing")
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1:
                raise self.fail(node, "chained")
            op_node, left, right = node.ops[0], node.left, node.comparators[0]
            if isinstance(op_node, (ast.In, ast.NotIn)):
                fact = self._fact(left)
                negated = isinstance(op_node, ast.NotIn)
                param = self._param_name(right)
                if param is not None:
                    self._check_param_unit(right, fact, param, membership=True)
                    return In(fact, None, param, negated)
                if not isinstance(right, (ast.List, ast.Tuple)) or not right.elts:
                    raise self.fail(right, "in_list")
                values = tuple(self._literal(e, fact) for e in right.elts)
                if len({v.value for v in values}) != len(values):
                    raise self.fail(right, "duplicate_value")
                return In(fact, values, None, negated)
            if type(op_node) not in _OPS:
                raise self.fail(node, "comparison")
            op = _OPS[type(op_node)]
            if not isinstance(left, ast.Name) or left.id in ("true", "false"):
                left, right, op = right, left, _FLIP[op]
            fact = self._fact(left)
            spec = self.schema[fact]
            if op not in ("==", "!=") and spec.type not in ORDERED_TYPES:
                raise self.fail(node, "needs_number", op=op, fact=fact, type=spec.type)
            param = self._param_name(right)
            if param is not None:
                self._check_param_unit(right, fact, param, membership=False)
                return Cmp(fact, op, Param(param))
            return Cmp(fact, op, self._literal(right, fact))
        raise self.fail(node, "expression", kind=type(node).__name__)


def parse_condition(text: str, schema: Mapping[str, FieldSpec], param_units: Mapping[str, str]) -> Condition:
    """Parse and type-check `text` against the fact schema and parameter units."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError.of("empty")
    if len(text) > MAX_CONDITION_CHARS:
        raise ConditionError.of("too_long", n=MAX_CONDITION_CHARS)
    try:
        tree = ast.parse(" ".join(text.split()), mode="eval")  # == _Parser.source
    except SyntaxError as exc:
        raise ConditionError.of("syntax", text, column=exc.offset or None, reason=EnglishOnly(exc.msg)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError.of("too_deep", text[:80]) from None
    parser = _Parser(text, schema, param_units)
    try:
        root = parser.node(tree.body)
    except RecursionError:
        raise ConditionError.of("too_deep", text[:80]) from None
    return Condition(text, root, tuple(parser.facts), tuple(parser.params))

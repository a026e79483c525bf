"""The PyYAML side of yamlio: the YAML 1.2 loader with line numbers (yamlio.py says what it accepts).

Kept apart so that a command whose inputs are all read back from the cache directory (a `check` of
a case parsed before: yamlio.load_yaml_bytes_cached) never imports PyYAML; yamlio.load_yaml_text
imports this module when something is parsed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .errors import InputError, Problem, Say

MAX_DEPTH = 40
MAX_DIGITS = 40  # digits in one integer literal; field models set the real bounds
MAX_FLOAT_DIGITS = 15  # significant digits of a number with a fraction: what a float holds exactly (DBL_DIG)

_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
                   r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
                   r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$")


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema (plus dates, which the file formats use); nothing from YAML 1.1."""


for _tag, _regexp, _first in (
        ("bool", _BOOL, "tTfF"),
        ("int", _INT, "-+0123456789"),
        ("float", _FLOAT, "-+0123456789."),
        ("null", _NULL, ["~", "n", "N", ""]),
        ("timestamp", _DATE, "0123456789")):
    _Resolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _regexp, list(_first))


try:  # libyaml's parser (C) under PyYAML's own composer: the same nodes and marks, ~5x faster
    _Parser = yaml._yaml.CParser  # type: ignore[attr-defined]
except AttributeError:  # PyYAML built without libyaml
    _Parser = None


if _Parser is not None:
    class _Base(yaml.composer.Composer, _Parser, yaml.constructor.SafeConstructor, _Resolver):
        """CParser for events; the Python composer (so that compose_node below keeps refusing
        aliases, tags and deep nesting before any node is built: libyaml's own composer recurses in C
        and crashes the process on a deeply nested document)."""

        def __init__(self, stream: str):
            _Parser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)
else:  # pragma: no cover
    class _Base(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                yaml.constructor.SafeConstructor, _Resolver):
        def __init__(self, stream: str):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)


class _LineLoader(_Base):
    def __init__(self, stream: str, filename: str):
        super().__init__(stream)
        self.filename = filename
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark, "yaml.alias")
        event = self.peek_event()
        tag = getattr(event, "tag", None)
        if tag is not None:
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(event.start_mark, "yaml.tag", tag=repr(tag))
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(event.start_mark, "yaml.depth", n=MAX_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _Refused(key_node.start_mark, "yaml.key_not_scalar") from None
            if key in seen:
                raise _Refused(key_node.start_mark, "yaml.duplicate_key", key=repr(key))
            seen.add(key)
        return super().construct_mapping(node, deep=True)


class _Refused(yaml.constructor.ConstructorError):
    """A value this loader refuses, with what is wrong as a catalogue sentence (errors.Say)."""

    def __init__(self, mark, key: str, /, **fields):
        self.say = Say.of(key, **fields)
        super().__init__(None, None, str(self.say), mark)


def _fail(node, key: str, /, **fields):
    return _Refused(node.start_mark, key, **fields)


def _int(loader, node):
    text = node.value
    digits = text.lstrip("+-")
    if len(digits) > MAX_DIGITS:
        raise _fail(node, "yaml.long_number", n=MAX_DIGITS)
    if digits.startswith(("0o", "0x")):
        return int(digits[2:], 8 if digits[1] == "o" else 16)
    return int(text, 10)


def _float(loader, node):
    """A float that holds exactly the number written (so `repr` gives its digits back, and units.py
    reads amounts and shares from that): at most MAX_FLOAT_DIGITS significant digits, and within
    the range of a float, else refused here with its line (`1e999999999` is not infinity, `1e-999999999`
    is not zero). `.inf` and `.nan` are read as such; the fields refuse them."""
    text = node.value
    if text.lower().lstrip("+-") in (".inf", ".nan"):
        return yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    try:
        exact = Decimal(text)
    except InvalidOperation:
        raise _fail(node, "yaml.not_number", text=repr(text)) from None
    if len("".join(map(str, exact.as_tuple().digits)).strip("0")) > MAX_FLOAT_DIGITS:
        raise _fail(node, "yaml.too_many_digits", text=text, n=MAX_FLOAT_DIGITS)
    value = float(text)
    if value in (float("inf"), float("-inf")) or (value == 0 and exact != 0):
        raise _fail(node, "yaml.out_of_range", text=text)
    return value


def _timestamp(loader, node):
    """YAML dates such as 2016-02-30 fail inside PyYAML with a bare ValueError: give it a line."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise _fail(node, "yaml.bad_date", text=repr(node.value)) from None


def _refused(loader, node):
    raise _fail(node, "yaml.type", tag=repr(node.tag))


_LineLoader.yaml_constructors = {}  # only what is listed here; everything else is refused
for _tag, _constructor in (
        ("null", yaml.constructor.SafeConstructor.construct_yaml_null),
        ("bool", yaml.constructor.SafeConstructor.construct_yaml_bool),
        ("int", _int),
        ("float", _float),
        ("timestamp", _timestamp),
        ("str", yaml.constructor.SafeConstructor.construct_yaml_str),
        ("seq", yaml.constructor.SafeConstructor.construct_yaml_seq),
        ("map", yaml.constructor.SafeConstructor.construct_yaml_map)):
    _LineLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _constructor)
_LineLoader.add_constructor(None, _refused)


def _record_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int], at: dict[tuple, tuple]) -> None:
    """lines: field path -> line; at: (line, column) of each value node -> its field path."""
    lines[path] = node.start_mark.line + 1
    at[(node.start_mark.line, node.start_mark.column)] = path
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"  # refused when constructed
            lines[path + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, path + (key,), lines, at)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, path + (i,), lines, at)


# what the YAML reader (libyaml) says, in words of the catalogue (input_error.yaml.*); anything else
# is said generically to people and kept as written in the English message
_PARSER_PROBLEMS = {
    "found character that cannot start any token": "bad_character",
    "found unexpected end of stream": "unexpected_end",
    "mapping values are not allowed in this context": "colon_in_value",
    "mapping values are not allowed here": "colon_in_value",
    "did not find expected key": "indentation",
    "did not find expected '-' indicator": "list_item",
    "did not find expected ',' or ']'": "open_list",
    "did not find expected ',' or '}'": "open_mapping",
    "could not find expected ':'": "no_colon",
    "found a tab character that violates indentation": "bad_character",
    "control characters are not allowed": "control_character",
}


def _yaml_problem(filename: str, path: str, exc: yaml.YAMLError, line: int | None) -> Problem:
    """A YAML error as a problem: this loader's own refusals carry their sentence; the reader's are
    looked up in _PARSER_PROBLEMS."""
    say = getattr(exc, "say", None)
    problem = getattr(exc, "problem", None) or ""
    if say is None:
        key = _PARSER_PROBLEMS.get(problem) or next(
            (k for text, k in _PARSER_PROBLEMS.items() if problem.startswith(text)), "syntax")
        say = Say.of(f"yaml.{key}")
        english = problem or " ".join(str(exc).replace('in "<unicode string>",', "at").split())
    else:
        english = str(say)
    return Problem(filename, path, f"invalid YAML: {english}", line, (Say.of("invalid_yaml", what=say),))


def parse_text(text: str, filename: str) -> tuple[Any, dict[tuple, int]]:
    """yamlio.load_yaml_text once the size is checked: the data and the line of each field path."""
    try:
        loader = _LineLoader(text, filename)
    except yaml.YAMLError as exc:  # the reader refuses control characters such as NUL up front
        raise InputError([_yaml_problem(filename, "", exc, None)]) from None
    lines: dict[tuple, int] = {}
    at: dict[tuple, tuple] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError.of(filename, "", "empty_file")
        _record_lines(node, (), lines, at)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        field = at.get((mark.line, mark.column), ()) if mark is not None else ()
        raise InputError([_yaml_problem(filename, ".".join(map(str, field)), exc, line)]) from None
    except yaml.YAMLError as exc:
        raise InputError([_yaml_problem(filename, "", exc, None)]) from None
    except RecursionError:
        raise InputError.of(filename, "", "invalid_yaml", what=Say.of("yaml.depth", n=MAX_DEPTH)) from None
    except (ValueError, OverflowError, ArithmeticError) as exc:  # last resort; constructors give lines
        raise InputError([Problem(filename, "", f"invalid YAML value: {exc}",
                                  says=(Say.of("invalid_yaml", what=Say.of("yaml.bad_value")),))]) from None
    finally:
        loader.dispose()
    return data, lines

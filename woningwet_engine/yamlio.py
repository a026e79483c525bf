"""Safe YAML loading with line numbers.

PyYAML's SafeLoader already refuses arbitrary tags; on top of that this loader refuses aliases
(no exponential 'billion laughs' expansion), duplicate keys, documents nested deeper than
MAX_DEPTH, and files larger than MAX_BYTES. It records the line of every mapping key so that
validation errors can point at the line of the offending field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 40


try:  # libyaml's parser (C) under PyYAML's own composer: the same nodes and marks, ~5x faster
    _Parser = yaml._yaml.CParser  # type: ignore[attr-defined]
except AttributeError:  # PyYAML built without libyaml
    _Parser = None


if _Parser is not None:
    class _Base(yaml.composer.Composer, _Parser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """CParser for events; the Python composer (so that compose_node below keeps refusing
        aliases and deep nesting before any node is built: libyaml's own composer recurses in C
        and crashes the process on a deeply nested document)."""

        def __init__(self, stream: str):
            _Parser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)
else:  # pragma: no cover
    _Base = yaml.SafeLoader


class _LineLoader(_Base):
    def __init__(self, stream: str, filename: str):
        super().__init__(stream)
        self.filename = filename
        self.lines: dict[tuple, int] = {}
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases are not allowed in woningwet files", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.constructor.ConstructorError(
                    None, None, f"document nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
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
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be plain scalars", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=True)


def _timestamp(loader, node):
    """YAML dates such as 2016-02-30 fail inside PyYAML with a bare ValueError: give it a line."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"not a valid date: {node.value!r} ({exc})", node.start_mark) from None


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _record_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, path + (i,), lines)


class LoadedYaml:
    """A parsed YAML document plus the line of each field path."""

    def __init__(self, data: Any, lines: dict[tuple, int], filename: str):
        self.data = data
        self.lines = lines
        self.filename = filename

    def line_of(self, path: tuple) -> int | None:
        """Line of the deepest known prefix of `path` (pydantic paths may go below YAML nodes)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def load_yaml_text(text: str, filename: str) -> LoadedYaml:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError([Problem(filename, "", f"file larger than {MAX_BYTES} bytes")])
    try:
        loader = _LineLoader(text, filename)
    except yaml.YAMLError as exc:  # the reader refuses control characters such as NUL up front
        raise InputError([Problem(filename, "", f"invalid YAML: {exc}")]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError([Problem(filename, "", "the file is empty")])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or str(exc)
        raise InputError([Problem(filename, "", f"invalid YAML: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(filename, "", f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(filename, "", "document nested too deeply")]) from None
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp such as 2016-02-30
        raise InputError([Problem(filename, "", f"invalid YAML value: {exc}")]) from None
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    _record_lines(node, (), lines)
    return LoadedYaml(data, lines, filename)


def load_yaml_file(path: Path | str) -> LoadedYaml:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read file: {exc.strerror}")]) from None
    return load_yaml_bytes(raw, str(path))


def load_yaml_bytes(raw: bytes, filename: str) -> LoadedYaml:
    """The bytes of a file (or of an HTTP request body) named `filename` in problems."""
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(filename, "", f"file larger than {MAX_BYTES} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(filename, "", f"not UTF-8 text (byte {exc.start})")]) from None
    return load_yaml_text(text, filename)


def pydantic_problems(exc, loaded: LoadedYaml, model=None) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error, with line numbers and, where one
    helps, a hint (hints.py: did you mean, date and amount formats); `model` is the validated class."""
    from .hints import hint_for

    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        # discriminated unions add the tag name to the location; drop non-field parts
        path = ".".join(str(p) for p in loc)
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (not part of the format)"
        elif err.get("type") == "missing":
            msg = "required field is missing"
        else:
            value = err.get("input")
            if not isinstance(value, (dict, list)):
                shown = value.isoformat() if hasattr(value, "isoformat") else repr(value)
                if len(shown) > 60:
                    shown = shown[:57] + "..."
                msg += f" (got {shown})"
        hint = hint_for(err, model)
        if hint:
            msg += f"; {hint}"
        problems.append(Problem(loaded.filename, path, msg, loaded.line_of(loc)))
    return problems

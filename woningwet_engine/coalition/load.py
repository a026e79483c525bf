"""Reading a case file of either kind: a coalition case names `corporations`, a single-corporation
case names `corporation` (case.py, unchanged)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..case import Case, parse_case
from ..errors import InputError
from ..yamlio import LoadedYaml, load_yaml_bytes, load_yaml_file, pydantic_problems


def is_coalition_data(data: Any) -> bool:
    return isinstance(data, dict) and "corporations" in data


def parse_coalition(data: Any, loaded: LoadedYaml, book=None):
    """Validate a coalition case: shape (pydantic), then references, sums and, given the rulebook,
    that every judging date lies in its coverage. Every problem has file, line and field."""
    from .model import CoalitionCase, check_refs

    try:
        case = CoalitionCase.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, loaded, CoalitionCase)) from None
    coverage = (book.meta.coverage_from, book.meta.coverage_to) if book is not None else None
    problems = check_refs(case, loaded, coverage)
    if problems:
        raise InputError(problems)
    return case


def load_any_case(path: Path | str, book=None):
    """A case.Case or a coalition.model.CoalitionCase, by what the file names."""
    return parse_any(load_yaml_file(path), book)


def load_any_case_bytes(raw: bytes, filename: str, book=None):
    """The same for the bytes of a case file (an upload); `filename` only names it in problems."""
    return parse_any(load_yaml_bytes(raw, filename), book)


def parse_any(loaded: LoadedYaml, book=None):
    if is_coalition_data(loaded.data):
        if "corporation" in loaded.data:
            raise InputError.of(loaded.filename, "corporation", "coalition.one_corporation_key",
                                loaded.line_of(("corporation",)))
        return parse_coalition(loaded.data, loaded, book)
    return parse_case(loaded.data, loaded)


def is_coalition(case) -> bool:
    return not isinstance(case, Case)

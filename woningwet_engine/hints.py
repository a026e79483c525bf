"""Hints for input errors: what the writer probably meant, and how to write it.

A validation error says what is wrong; a hint says how to put it right: the field name or code the
writer probably meant (did you mean `floor_area_m2`?), the date format (`01-06-2024`: write
2024-06-01) and the amount format (`"€ 1.000"`: write 1000). yamlio.pydantic_problems adds them.
"""

from __future__ import annotations

import difflib
import re
import typing

from pydantic import BaseModel

_DUTCH_DATE = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")
_MONEY_SIGNS = re.compile(r"[€$]|\bEUR\b|,-\s*$", re.I)


def _unwrap(annotation):
    """The model or enum class inside Optional[...], list[...], Annotated[...]."""
    seen = 0
    while seen < 8:
        seen += 1
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (list, tuple, set, typing.Union) or str(origin) in ("types.UnionType", "<class 'types.UnionType'>"):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if not args:
                return None
            annotation = args[0]
            continue
        if origin is not None and type(None) in typing.get_args(annotation):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
            continue
        break
    return annotation


def model_at(root: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the field at `loc` (the location minus its last part)."""
    model = root
    for part in loc[:-1]:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        inner = _unwrap(field.annotation)
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return model


def _closest(word: str, choices) -> str | None:
    found = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return found[0] if found else None


def hint_for(err: dict, root: type[BaseModel] | None = None) -> str | None:
    """A hint for one pydantic error (as from `errors()`), or None."""
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    value = err.get("input")
    if kind == "extra_forbidden" and loc:
        model = model_at(root, loc)
        if model is not None:
            best = _closest(loc[-1], model.model_fields)
            if best:
                return f"did you mean '{best}'?"
        return None
    if kind == "enum":
        expected = (err.get("ctx") or {}).get("expected", "")
        options = re.findall(r"'([^']*)'", expected)
        best = _closest(value, options) if isinstance(value, str) else None
        return f"did you mean '{best}'?" if best else None
    if isinstance(value, str) and kind.startswith(("date", "datetime")):
        m = _DUTCH_DATE.match(value)
        if m:
            day, month, year = (int(x) for x in m.groups())
            return f"write dates as YYYY-MM-DD, e.g. {year:04d}-{month:02d}-{day:02d}"
        return "write dates as YYYY-MM-DD"
    if isinstance(value, str) and (_MONEY_SIGNS.search(value) or re.search(r"\d\.\d{3}(?!\d)", value)):
        digits = re.sub(r"[^\d,.]", "", value)
        if "," in digits and digits.rfind(",") > digits.rfind("."):  # Dutch: 1.000,50
            plain = digits.replace(".", "").replace(",", ".")
        else:
            plain = digits.replace(",", "")
            if re.fullmatch(r"\d{1,3}(\.\d{3})+", plain):  # 1.000 = one thousand
                plain = plain.replace(".", "")
        plain = plain.rstrip(".") or "1000"
        return f"write amounts as a plain number of euros, without € or thousands separators, e.g. {plain}"
    return None


"""Validation errors in words, with hints: what is wrong, what the writer probably meant, how to write it.

A pydantic error type becomes a sentence of the catalogue (section `input_error.value`, in the
reader's language; `error_says`); a hint says how to put it right: the field name or code the
writer probably meant (did you mean `floor_area_m2`?), the date format (`01-06-2024`: write
2024-06-01) and the amount format (`"€ 1.000"`: write 1000). yamlio.pydantic_problems uses both.
The English `hint_for` stays for programs (the problem's English message).
"""

from __future__ import annotations

import difflib
import re
import typing
from decimal import Decimal

from pydantic import BaseModel

from .errors import EnglishOnly, Say

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


def hint_says(err: dict, root: type[BaseModel] | None = None) -> Say | None:
    """A hint for one pydantic error (as from `errors()`) as a catalogue sentence, or None."""
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    value = err.get("input")
    if kind == "extra_forbidden" and loc:
        model = model_at(root, loc)
        if model is not None:
            best = _closest(loc[-1], model.model_fields)
            if best:
                return Say.of("hint.did_you_mean", name=best)
        return None
    if kind in ("enum", "literal_error"):
        best = _closest(value, _allowed(err)) if isinstance(value, str) else None
        return Say.of("hint.did_you_mean", name=best) if best else None
    if isinstance(value, str) and kind.startswith(("date", "datetime")):
        m = _DUTCH_DATE.match(value)
        if m:
            day, month, year = (int(x) for x in m.groups())
            return Say.of("hint.date_example", example=f"{year:04d}-{month:02d}-{day:02d}")
        return Say.of("hint.date")
    if isinstance(value, str) and (_MONEY_SIGNS.search(value) or re.search(r"\d\.\d{3}(?!\d)", value)):
        digits = re.sub(r"[^\d,.]", "", value)
        if "," in digits and digits.rfind(",") > digits.rfind("."):  # Dutch: 1.000,50
            plain = digits.replace(".", "").replace(",", ".")
        else:
            plain = digits.replace(",", "")
            if re.fullmatch(r"\d{1,3}(\.\d{3})+", plain):  # 1.000 = one thousand
                plain = plain.replace(".", "")
        plain = plain.rstrip(".") or "1000"
        return Say.of("hint.amount", example=plain)
    return None


def hint_for(err: dict, root: type[BaseModel] | None = None) -> str | None:
    """The hint for one pydantic error in English (for programs), or None."""
    say = hint_says(err, root)
    return str(say) if say is not None else None


def _allowed(err: dict) -> list[str]:
    """The values a literal, enum or tagged union allows, from pydantic's context."""
    ctx = err.get("ctx") or {}
    expected = str(ctx.get("expected") or ctx.get("expected_tags") or "")
    return re.findall(r"'([^']*)'", expected)


class Choices:
    """The allowed values of a field, each with its words in the reader's language when it has them
    ("'build' (bouwen)"): the writer must type the code, and reads what it means."""

    def __init__(self, values: list[str]):
        self.values = tuple(values)

    def render(self, lang: str) -> str:
        from .terms import value_label

        out = []
        for v in self.values:
            words = value_label(v, lang)
            out.append(f"'{v}' ({words})" if words != v else f"'{v}'")
        return ", ".join(out)

    def __str__(self) -> str:
        return self.render("en")


class Euros:
    """An amount in cents, written as the reader's language writes money (€ 39.000,00 / EUR 39,000.00)."""

    def __init__(self, cents: int):
        self.cents = cents

    def render(self, lang: str) -> str:
        from .format import format_eur

        return format_eur(self.cents, lang)

    def __str__(self) -> str:
        return self.render("en")


def shown(value) -> str | Say:
    """A refused value as the problem quotes it: as written, at most 60 characters (a mapping or a
    list: what it is, in words)."""
    if isinstance(value, dict):
        return Say.of("value.a_mapping")
    if isinstance(value, list):
        return Say.of("value.a_list")
    if hasattr(value, "isoformat"):
        text = value.isoformat()
    elif isinstance(value, Decimal):  # a Decimal as written
        text = str(value)
    else:
        text = repr(value)
    return text[:57] + "..." if len(text) > 60 else text


# pydantic error types -> the catalogue's sentence (input_error.value.<key>); the bounds take the
# limit from pydantic's context
_TYPES = {
    "missing": "missing", "extra_forbidden": "extra",
    "int_parsing": "number", "int_type": "number", "float_parsing": "number", "float_type": "number",
    "decimal_parsing": "number", "decimal_type": "number", "int_from_float": "whole_number",
    "finite_number": "finite", "decimal_max_digits": "digits", "decimal_max_places": "digits",
    "decimal_whole_digits": "digits",
    "bool_parsing": "bool", "bool_type": "bool",
    "string_type": "text", "string_unicode": "text",
    "dict_type": "mapping", "model_type": "mapping", "model_attributes_type": "mapping",
    "list_type": "list", "tuple_type": "list", "set_type": "list",
    "string_pattern_mismatch": "pattern",
    "greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le", "less_than": "lt",
    "string_too_short": "text_short", "string_too_long": "text_long", "too_short": "list_short",
    "too_long": "list_long",
    "enum": "choice", "literal_error": "choice", "union_tag_invalid": "choice",
    "union_tag_not_found": "tag_missing",
}
_LIMITS = {"ge": "ge", "gt": "gt", "le": "le", "lt": "lt", "text_short": "min_length", "text_long": "max_length",
           "list_short": "min_length", "list_long": "max_length"}


def error_says(err: dict, root: type[BaseModel] | None = None) -> list[Say]:
    """One pydantic error in words: what is wrong (with the value given), then the hint, if any."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind.startswith("woningwet.") and isinstance(ctx.get("say"), Say):  # errors.invalid in a validator
        out = [ctx["say"]]
    elif kind.startswith(("date", "datetime")):
        out = [Say.of("value.date", got=shown(err.get("input")))]
    else:
        key = _TYPES.get(kind, "invalid")
        fields = {} if key in ("missing", "extra", "tag_missing") else {"got": shown(err.get("input"))}
        if key in _LIMITS:
            fields["limit"] = ctx.get(_LIMITS[key])
        if key == "choice":
            fields["allowed"] = Choices(_allowed(err))
        if key == "tag_missing":
            fields["tag"] = ctx.get("discriminator", "")
        if key == "invalid":
            msg = str(err.get("msg") or "")
            fields["reason"] = EnglishOnly(msg.removeprefix("Value error, ") if kind == "value_error" else "")
        out = [Say.of(f"value.{key}", **fields)]
    hint = hint_says(err, root)
    return out + ([hint] if hint is not None else [])

"""Dated parameters: each value has a validity period, a source and a confidence.

`source` is the provenance an auditor traces (in the result's inputs, as written). Where it holds
more than references (prose, review notes, where a table was archived), `source_text` says it for
people: one text when it is the same in Dutch and English (names of publications), else `{nl, en}`.
Memos and sentences show `source_text` in their language (`reader_source`), else `source`.

A value of null is a known gap: the figure is not known for that period, and any rule that needs
it cannot decide (its atoms are UNKNOWN). Amounts become integer cents, ratios basis points.
A table of amounts by WWS points (`eur_by_points`, the huurprijstabel) becomes a tuple of
(points, cents) pairs; only derivations read tables, conditions never compare with one.
"""

# No `from __future__ import annotations` here: pydantic would then parse every annotation string
# when the models are defined, which slows down every start of the CLI (docs/benchmarks.md).

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..conditions.interval import Interval
from ..errors import EnglishOnly, invalid
from ..units import euros_to_cents, ratio_to_bp
from .model import Bilingual, Confidence, LegalBasis

NO_VALUE = "no value defined for this date"  # the source of a figure no entry covers
Unit = Literal["eur", "ratio", "count", "weeks", "points", "codes", "eur_by_points"]


SourceText = Annotated[str, Field(min_length=1, max_length=1000)] | Bilingual


class Bound(BaseModel):
    """One bound of a figure the law bounds but does not fix, with its own source."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, defer_build=True)

    value: Any
    confidence: Confidence
    source: Annotated[str, Field(min_length=1, max_length=1000)]
    source_text: SourceText | None = None


class IntervalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, defer_build=True)

    lower: Bound | None = None
    upper: Bound | None = None

    @model_validator(mode="after")
    def _some(self):
        if self.lower is None and self.upper is None:
            raise invalid("rules.interval_bounds")
        return self


class ParamValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, defer_build=True)

    valid_from: dt.date
    valid_to: dt.date | None = None
    value: Any = None
    interval: IntervalSpec | None = Field(None, description="bounds when the law bounds the figure but no source fixes it")
    confidence: Confidence
    source: Annotated[str, Field(min_length=1, max_length=1000)]
    source_text: SourceText | None = None
    url: Annotated[str, Field(max_length=500)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise invalid("rules.dates_reversed")
        if self.interval is not None and self.value is not None:
            raise invalid("rules.value_and_interval")
        return self


class ParameterFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, defer_build=True)

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Bilingual
    unit: Unit
    per: Literal["month", "year", "dwelling", "investment"] | None = None
    legal_basis: list[LegalBasis] = Field(min_length=1)
    values: list[ParamValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _values(self):
        for i, entry in enumerate(self.values):
            if entry.value is not None:
                try:
                    convert(self.unit, entry.value)
                except (ValueError, TypeError) as exc:
                    raise invalid("rules.param_value", i=i, unit=self.unit, reason=EnglishOnly(str(exc))) from None
            if entry.interval is not None:
                if self.unit not in ("eur", "ratio", "count", "weeks", "points"):
                    raise invalid("rules.interval_unit", i=i, unit=self.unit)
                try:
                    interval_of(self.unit, entry.interval)
                except (ValueError, TypeError) as exc:
                    raise invalid("rules.param_interval", i=i, reason=EnglishOnly(str(exc))) from None
        ordered = sorted(self.values, key=lambda v: v.valid_from)
        if ordered != list(self.values):
            raise invalid("rules.values_order")
        for prev, nxt in zip(ordered, ordered[1:]):
            if prev.valid_to is None or prev.valid_to >= nxt.valid_from:
                raise invalid("rules.values_overlap", first=prev.valid_from, second=nxt.valid_from)
        return self

    def entry_on(self, day: dt.date) -> ParamValue | None:
        for entry in self.values:
            if entry.valid_from <= day and (entry.valid_to is None or day <= entry.valid_to):
                return entry
        return None

    def covers(self, start: dt.date, end: dt.date | None) -> list[tuple[dt.date, dt.date | None]]:
        """Periods within [start, end] that no entry covers (end None = open)."""
        gaps = []
        cursor: dt.date | None = start
        for entry in self.values:
            if cursor is None:
                break
            if entry.valid_to is not None and entry.valid_to < cursor:
                continue
            if end is not None and entry.valid_from > end:
                break
            if entry.valid_from > cursor:
                gaps.append((cursor, entry.valid_from - dt.timedelta(days=1)))
            cursor = None if entry.valid_to is None else entry.valid_to + dt.timedelta(days=1)
        if cursor is not None and (end is None or cursor <= end):
            gaps.append((cursor, end))
        return gaps


def convert(unit: str, value: Any):
    """File value -> engine value (cents, basis points, int, list of codes)."""
    if unit == "eur":
        if isinstance(value, bool):
            raise ValueError("expected an amount")
        return euros_to_cents(value)
    if unit == "ratio":
        if isinstance(value, bool):
            raise ValueError("expected a ratio")
        return ratio_to_bp(value)
    if unit in ("count", "weeks", "points"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number for unit {unit}")
        return value
    if unit == "codes":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("expected a list of codes")
        return sorted(set(value))
    if unit == "eur_by_points":
        if not isinstance(value, dict) or not value:
            raise ValueError("expected a table of WWS points to amounts")
        rows = []
        for points, amount in value.items():
            if isinstance(points, bool) or not isinstance(points, int) or points < 0:
                raise ValueError(f"table key {points!r} is not a whole number of points")
            if isinstance(amount, bool):
                raise ValueError(f"points {points}: expected an amount")
            rows.append((points, euros_to_cents(amount)))
        return tuple(sorted(rows))
    raise ValueError(f"unknown unit {unit}")


def interval_of(unit: str, spec: IntervalSpec) -> Interval:
    lo = None if spec.lower is None else convert(unit, spec.lower.value)
    hi = None if spec.upper is None else convert(unit, spec.upper.value)
    return Interval(lo, hi)


@dataclass(frozen=True)
class ResolvedParam:
    """A parameter's value on one date, with its provenance."""

    id: str
    unit: str
    value: Any  # engine value or None when unknown
    confidence: str
    source: str
    url: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    defined: bool  # False: no entry at all covers the date
    title: Bilingual | None = None  # the parameter's name for people
    # for an interval: (("lower"|"upper", engine value, confidence, source, source_text), ...)
    bounds: tuple = ()
    source_text: "str | Bilingual | None" = None  # the source for people (module docstring)

    def as_dict(self) -> dict:
        return {
            "id": self.id, "unit": self.unit, "value": self.value, "confidence": self.confidence,
            "source": self.source, "url": self.url,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


def resolve(param: ParameterFile, day: dt.date) -> ResolvedParam:
    entry = param.entry_on(day)
    if entry is None:
        from ..i18n import text

        words = Bilingual(nl=text("nl", "assumptions.no_value"), en=text("en", "assumptions.no_value"))
        return ResolvedParam(param.id, param.unit, None, "unverified", NO_VALUE, None, None, None, False,
                             param.title, source_text=words)
    value = None if entry.value is None else convert(param.unit, entry.value)
    bounds: tuple = ()
    if entry.interval is not None:
        value = interval_of(param.unit, entry.interval)
        bounds = tuple((name, convert(param.unit, b.value), b.confidence, b.source, b.source_text)
                       for name, b in (("lower", entry.interval.lower), ("upper", entry.interval.upper)) if b is not None)
    return ResolvedParam(param.id, param.unit, value, entry.confidence, entry.source, entry.url,
                         entry.valid_from, entry.valid_to, True, param.title, bounds, entry.source_text)


def reader_source(source: str, source_text: "str | Bilingual | None", lang: str) -> str:
    """What people read for a source in `lang`: its `source_text`, else the source as written."""
    if source_text is None:
        return source
    return source_text if isinstance(source_text, str) else getattr(source_text, lang)

"""The one place that writes money, shares, counts and dates as text: exact strings for the JSON
result, and words for people (separators, currency and month names per language from the catalogue,
i18n/). The engine's stages, the memo, the terminal and the comparison all format through here.

Engine values are integers: money in cents, shares in basis points (units.py). JSON gets unit-free
decimal strings ("1234.50", "0.25"); people get "€ 1.234,50" / "EUR 1,234.50" and "25%". The memo
works from the JSON result, so `fmt_value` reads those strings back and says them the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .i18n import section, text as tr
from .units import BP

# parameter unit -> value type as the formatter knows it
PARAM_TYPE = {"eur": "eur", "ratio": "ratio", "count": "int", "weeks": "int", "points": "int", "codes": "codes",
              "eur_by_points": "eur_by_points"}


def json_money(cents: int | None) -> str | None:
    return None if cents is None else f"{Decimal(cents) / 100:.2f}"


def json_ratio(bp: int | None) -> str | None:
    return None if bp is None else f"{(Decimal(bp) / BP).normalize():f}"


def json_value(value, type_: str):
    """Exact, unit-free representation for JSON: euros and ratios as decimal strings; a bounded
    figure as "lower..upper" (an open end left empty)."""
    if value is None:
        return None
    if not isinstance(value, (int, str)) and _is_interval(value):
        lo = "" if value.lower is None else json_value(value.lower, type_)
        hi = "" if value.upper is None else json_value(value.upper, type_)
        return f"{lo}..{hi}"
    if type_ == "eur":
        return json_money(value)
    if type_ in ("bp", "ratio"):
        return json_ratio(value)
    if type_ == "eur_by_points":  # the huurprijstabel, every row exact: "40=235.96 41=241.87 ..."
        return " ".join(f"{points}={json_money(cents)}" for points, cents in value)
    return value


def _is_interval(value) -> bool:
    """Whether `value` is a bounded figure; asked only of values that are not an int or a text (most
    are), as the import on every call cost as much as formatting the value."""
    from .conditions.interval import Interval  # here, as before: format.py does not import the conditions package

    return isinstance(value, Interval)


def cents_of(money: str | int | None) -> int | None:
    """A JSON money string ("12.34") back to cents."""
    return None if money is None else int(Decimal(str(money)) * 100)


def _grouped(whole: int, lang: str) -> str:
    return f"{whole:,}".replace(",", section(lang, "format")["thousands"])


def format_eur(cents: int, lang: str = "nl") -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    f = section(lang, "format")
    return f"{sign}{f['currency']}{_grouped(whole, lang)}{f['decimal']}{frac:02d}"


def format_bp(bp: int, lang: str = "nl") -> str:
    text = f"{(Decimal(bp) / 100).normalize():f}"
    return text.replace(".", section(lang, "format")["decimal"]) + "%"


def format_int(n: int, lang: str) -> str:
    return ("-" if n < 0 else "") + _grouped(abs(n), lang)


def format_date(day: dt.date) -> str:
    """Dates in sentences and JSON: ISO 8601 in both languages (unambiguous, sortable)."""
    return day.isoformat()


INTERVAL_WORDS = {"nl": ("ten minste", "ten hoogste", "tussen", "en"), "en": ("at least", "at most", "between", "and")}


def table_summary(rows: list[tuple[int, int]], lang: str) -> str:
    """A points table in one line for people: its range of points and of amounts."""
    (p_lo, c_lo), (p_hi, c_hi) = rows[0], rows[-1]
    return tr(lang, "values.points_table", first=p_lo, last=p_hi, low=format_eur(c_lo, lang),
              high=format_eur(c_hi, lang))


def human_value(value, type_: str, lang: str) -> str:
    """A value as people read it: money, percentage, yes/no, a count with separators, or the text."""
    if value is None:
        return tr(lang, "values.unknown")
    if not isinstance(value, (int, str)) and _is_interval(value):  # a figure the law bounds but no source fixes
        lo = None if value.lower is None else human_value(value.lower, type_, lang)
        hi = None if value.upper is None else human_value(value.upper, type_, lang)
        words = INTERVAL_WORDS[lang if lang in INTERVAL_WORDS else "en"]
        if hi is None:
            return f"{words[0]} {lo}"
        if lo is None:
            return f"{words[1]} {hi}"
        return f"{words[2]} {lo} {words[3]} {hi}"
    if type_ == "eur":
        return format_eur(value, lang)
    if type_ in ("bp", "ratio"):
        return format_bp(value, lang)
    if type_ == "bool":
        return tr(lang, "values.answer_yes" if value else "values.answer_no")
    if type_ == "enum":  # a code of the case format: the reader gets the word (terms.py)
        from .terms import value_label

        return value_label(value, lang)
    if type_ == "eur_by_points":
        return table_summary([(p, c) for p, c in value], lang)
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, int):
        return format_int(value, lang)
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# the same words from the JSON result's strings (the memo, the terminal, the comparison)


def fmt_int(n: int | None, lang: str) -> str:
    return "" if n is None else format_int(n, lang)


def fmt_eur(cents: int | None, lang: str) -> str:
    return "" if cents is None else format_eur(cents, lang)


def fmt_eur_short(cents: int, lang: str) -> str:
    """Compact money for chart labels: € 36,0 mln / EUR 36.0m."""
    euros = Decimal(cents) / 100
    f = section(lang, "format")
    if abs(euros) >= 1_000_000:
        text = f"{euros / 1_000_000:.1f}".replace(".", f["decimal"])
        return f"{f['currency']}{text}{f['million']}"
    if abs(euros) >= 1_000:
        return f"{f['currency']}{euros / 1_000:.0f}k"
    return fmt_eur(cents, lang)


def fmt_date(iso, lang: str) -> str:
    """An ISO date (or a date) as people write it: "1 juli 2016" / "1 July 2016"."""
    if not iso:
        return ""
    try:
        d = iso if isinstance(iso, dt.date) else dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.day} {section(lang, 'format')['months'][d.month - 1]} {d.year}"


def _engine_value(value, type_: str):
    """A value of the JSON result back in the engine's units (cents, basis points; intervals)."""
    if type_ == "eur":
        return cents_of(value)
    if type_ in ("bp", "ratio"):
        return int((Decimal(str(value)) * BP).to_integral_value())
    return value


def fmt_value(value, type_: str, lang: str) -> str:
    """A fact or parameter value as the JSON result gives it ("710.68", "0.25", "125.00.."), for people:
    exactly what human_value says of the engine value."""
    if value is None:
        return tr(lang, "assumptions.figure_unknown")
    if isinstance(value, bool):
        return human_value(value, "bool", lang)
    if type_ == "eur_by_points" and isinstance(value, str):  # the huurprijstabel, in one line
        rows = [row.split("=", 1) for row in value.split()]
        return table_summary(sorted((int(p), _engine_value(a, "eur")) for p, a in rows), lang)
    if isinstance(value, str) and ".." in value and type_ in ("eur", "bp", "ratio"):
        from .conditions.interval import Interval

        lo, hi = value.split("..", 1)
        return human_value(Interval(_engine_value(lo, type_) if lo else None,
                                    _engine_value(hi, type_) if hi else None), type_, lang)
    if type_ in ("eur", "bp", "ratio"):
        return human_value(_engine_value(value, type_), type_, lang)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return human_value(value, type_, lang)

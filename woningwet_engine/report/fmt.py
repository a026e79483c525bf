"""Labels and number, money and date formats of the memo, per language (shared by model.py and board.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..terms import value_label
from ..format import format_bp, format_eur
from ..units import BP

LANGS = ("nl", "en")
VERDICT_ORDER = ("daeb", "non_daeb", "needs_decision", "forbidden", "undetermined")
PARTY_ORDER = ("corporation", "corporation_non_daeb", "municipality", "care_or_welfare", "market")
GROUP_ORDER = ("as_is", "conditions", "forbidden", "undetermined")
DECISIVE_EFFECTS = ("verdict", "violation", "undetermined")
NOT_RESTING = ("overridden", "not_in_force")  # reasons the outcome does not rest on


@lru_cache(maxsize=None)
def strings(lang: str) -> dict:
    """The label table of one language (templates/strings.<lang>.yaml)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    text = resources.files("woningwet_engine.report").joinpath("templates", f"strings.{lang}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


# ---------------------------------------------------------------------------------------------
# formatting


def cents_of(value) -> int | None:
    """'36000000.00' (the result's euro strings) -> integer cents."""
    if value is None:
        return None
    return int(Decimal(str(value)) * 100)


def fmt_int(n: int | None, lang: str) -> str:
    if n is None:
        return ""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "nl" else text


def fmt_eur(cents: int | None, lang: str) -> str:
    return "" if cents is None else format_eur(cents, lang)


def fmt_eur_short(cents: int, lang: str) -> str:
    """Compact money for chart labels: € 36,0 mln / EUR 36.0m."""
    euros = Decimal(cents) / 100
    if abs(euros) >= 1_000_000:
        text = f"{euros / 1_000_000:.1f}"
        return f"€ {text.replace('.', ',')} mln" if lang == "nl" else f"EUR {text}m"
    if abs(euros) >= 1_000:
        text = f"{euros / 1_000:.0f}"
        return f"€ {text}k" if lang == "nl" else f"EUR {text}k"
    return fmt_eur(cents, lang)


def fmt_date(iso: str | None, lang: str) -> str:
    if not iso:
        return ""
    try:
        d = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    month = strings(lang)["months"][d.month - 1]
    return f"{d.day} {month} {d.year}"


def fmt_value(value: Any, type_: str, lang: str) -> str:
    """A fact or parameter value as the result gives it (euro and ratio strings), for people."""
    t = strings(lang)
    if value is None:
        return t["assumptions"]["unknown"]
    if isinstance(value, str) and ".." in value and type_ in ("eur", "bp", "ratio"):
        # a bounded figure ("125.00.." = at least 125): both ends as people read them
        from ..format import INTERVAL_WORDS

        lo, hi = value.split("..", 1)
        words = INTERVAL_WORDS[lang if lang in INTERVAL_WORDS else "en"]
        lo_t = fmt_value(lo, type_, lang) if lo else None
        hi_t = fmt_value(hi, type_, lang) if hi else None
        if hi_t is None:
            return f"{words[0]} {lo_t}"
        if lo_t is None:
            return f"{words[1]} {hi_t}"
        return f"{words[2]} {lo_t} {words[3]} {hi_t}"
    if type_ == "eur":
        return fmt_eur(cents_of(value), lang)
    if type_ in ("bp", "ratio"):
        return format_bp(int((Decimal(str(value)) * BP).to_integral_value()), lang)
    if type_ == "bool" or isinstance(value, bool):
        return t["word_yes"] if value else t["word_no"]
    if type_ == "enum":
        return value_label(value, lang)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int):
        return fmt_int(value, lang)
    return str(value)

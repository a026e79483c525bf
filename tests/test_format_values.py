"""json_value and human_value ask whether a value is a bounded figure only when it is not an int or a
text: an Interval still formats as its bounds, every other value as its type says (the shortcut
skips nothing it should not)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, strategies as st

from woningwet_engine.conditions.interval import Interval
from woningwet_engine.format import format_bp, format_eur, human_value, json_value

bounds = st.one_of(st.none(), st.integers(-10**9, 10**9))


@given(lo=bounds, hi=bounds, kind=st.sampled_from(["eur", "bp", "ratio"]))
def test_interval_formats_as_its_bounds(lo, hi, kind):
    if lo is None and hi is None or lo is not None and hi is not None and lo > hi:
        return
    value = Interval(lo, hi)
    assert json_value(value, kind) == f"{'' if lo is None else json_value(lo, kind)}..{'' if hi is None else json_value(hi, kind)}"
    words = human_value(value, kind, "en")
    for bound in (lo, hi):
        if bound is not None:
            assert (format_eur(bound, "en") if kind == "eur" else format_bp(bound, "en")) in words


@given(cents=st.integers(-10**12, 10**12), lang=st.sampled_from(["nl", "en"]))
def test_plain_values_as_their_type_says(cents, lang):
    assert json_value(cents, "eur") == f"{Decimal(cents) / 100:.2f}"
    assert json_value(cents, "int") == cents
    assert json_value("BUU", "text") == "BUU"
    assert human_value(cents, "eur", lang) == format_eur(cents, lang)
    assert human_value(cents, "bp", lang) == format_bp(cents, lang)

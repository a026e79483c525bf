"""Exact units: money as integer cents, ratios as integer basis points (1/10,000).

durable_rules compares numbers through JSON, and floats such as 1e-05 break its parser, so every
number a rule sees is an integer. Case and rule files write euros and fractions as decimals.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from .errors import invalid

BP = 10_000  # basis points per 1.0
# Bounds on any number read from a file, before any arithmetic (Decimal arithmetic would overflow or
# round silently beyond them); the field types set tighter bounds.
MAX_MAGNITUDE = 18  # |value| < 10**18
MAX_SIGNIFICANT = 20  # significant digits, trailing zeros not counted
_NUMBER_TEXT = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,12})?$")


def to_decimal(value) -> Decimal:
    """A finite Decimal within MAX_MAGNITUDE and MAX_SIGNIFICANT, or ValueError saying what is wrong."""
    if isinstance(value, bool):
        raise invalid("number.boolean")
    if isinstance(value, Decimal):
        dec = value
    elif isinstance(value, int):
        if abs(value) >= 10**MAX_MAGNITUDE:
            raise invalid("number.too_large", n=MAX_MAGNITUDE)
        dec = Decimal(value)
    else:
        text = repr(value) if isinstance(value, float) else str(value).strip()
        if isinstance(value, float) and value != value or text in ("inf", "-inf"):
            raise invalid("number.not_finite")
        if not _NUMBER_TEXT.match(text):
            raise invalid("number.not_number", got=repr(value))
        try:
            dec = Decimal(text)
        except (InvalidOperation, ValueError):
            raise invalid("number.not_number", got=repr(value)) from None
    if not dec.is_finite():
        raise invalid("number.not_finite")
    if dec and dec.adjusted() >= MAX_MAGNITUDE:
        raise invalid("number.too_large", n=MAX_MAGNITUDE)
    if dec and dec.adjusted() < -MAX_MAGNITUDE:
        raise invalid("number.too_small", n=MAX_MAGNITUDE)
    if len("".join(map(str, dec.as_tuple().digits)).strip("0")) > MAX_SIGNIFICANT:
        raise invalid("number.digits", n=MAX_SIGNIFICANT)
    return dec


def euros_to_cents(value) -> int:
    dec = to_decimal(value)
    if dec.as_tuple().exponent < -2 and dec != dec.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN):
        raise invalid("number.cents", got=str(value))
    return int(dec.scaleb(2))


def ratio_to_bp(value) -> int:
    """0.25 -> 2500. Ratios are exact to 0.01 basis point at most; round half even beyond 1 bp."""
    dec = to_decimal(value) * BP
    try:
        return int(dec.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except InvalidOperation:  # too many digits for the decimal context (e.g. 1e24): not a share
        raise invalid("number.ratio_range", got=repr(value)) from None


def share_bp(part: int, whole: int) -> int | None:
    """part/whole in basis points, rounded half-even; None when whole is 0."""
    if whole == 0:
        return None
    return int((Decimal(part) * BP / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

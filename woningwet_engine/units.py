"""Exact units: money as integer cents, ratios as integer basis points (1/10,000).

durable_rules compares numbers through JSON, and floats such as 1e-05 break its parser, so every
number a rule sees is an integer. Case and rule files write euros and fractions as decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

BP = 10_000  # basis points per 1.0


def to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, float):
        value = repr(value)
    try:
        dec = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a number: {value!r}") from None
    if not dec.is_finite():
        raise ValueError("NaN and infinity are not allowed")
    return dec


def euros_to_cents(value) -> int:
    dec = to_decimal(value)
    cents = dec * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount {value} has more than 2 decimals")
    return int(cents)


def ratio_to_bp(value) -> int:
    """0.25 -> 2500. Ratios are exact to 0.01 basis point at most; round half even beyond 1 bp."""
    dec = to_decimal(value) * BP
    try:
        return int(dec.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except InvalidOperation:  # too many digits for the decimal context (e.g. 1e24): not a share
        raise ValueError(f"ratio out of range: {value!r}") from None


def share_bp(part: int, whole: int) -> int | None:
    """part/whole in basis points, rounded half-even; None when whole is 0."""
    if whole == 0:
        return None
    return int((Decimal(part) * BP / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

"""Bounded figures: a parameter the law bounds but does not fix is an interval, never a guess.

The leefbaarheid cap of BTIV 51 lid 2 is EUR 125 in 2015 and only rises with a positive CPI, so
it is at least EUR 125 in 2016-2021 even though no source gives the yearly amounts. A comparison
with an interval is decided when it holds for every value in it (TRUE) or for none (FALSE); in
between it is UNKNOWN, like a figure that is not known at all. Every back-end (the reference
evaluator, the compiled code, durable_rules) decides interval atoms with this one module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Interval:
    """Closed interval of engine values (cents, basis points, counts); None = unbounded."""

    lower: int | None
    upper: int | None

    def __post_init__(self):
        if self.lower is None and self.upper is None:
            raise ValueError("an interval needs at least one bound")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError("the lower bound is above the upper bound")

    def __str__(self) -> str:  # deterministic, used in selection keys
        lo = "" if self.lower is None else self.lower
        hi = "" if self.upper is None else self.upper
        return f"[{lo}..{hi}]"


def compare(op: str, value, iv: Interval) -> bool | None:
    """`value op v` for every v in `iv` -> True; for no v -> False; otherwise None (undecided)."""
    lo, hi = iv.lower, iv.upper
    if op in ("<", "<="):
        strict = op == "<"
        if lo is not None and (value < lo if strict else value <= lo):
            return True
        if hi is not None and (value >= hi if strict else value > hi):
            return False
        return None
    if op in (">", ">="):
        strict = op == ">"
        if hi is not None and (value > hi if strict else value >= hi):
            return True
        if lo is not None and (value <= lo if strict else value < lo):
            return False
        return None
    if op in ("==", "!="):
        outside = (lo is not None and value < lo) or (hi is not None and value > hi)
        exact = lo is not None and lo == hi == value
        equal = True if exact else False if outside else None
        if equal is None or op == "==":
            return equal
        return not equal
    raise ValueError(f"unknown comparison {op}")


def deciding_bound(op: str, value, iv: Interval) -> str | None:
    """Which bound decided the comparison ('lower' / 'upper'), None when undecided."""
    result = compare(op, value, iv)
    if result is None:
        return None
    if op in ("==", "!="):
        return "upper" if iv.upper is not None and value > iv.upper else "lower"
    if op in ("<", "<="):  # TRUE is decided by the lower bound, FALSE by the upper
        return "lower" if result else "upper"
    return "upper" if result else "lower"


def true_region(op: str, iv: Interval) -> list[tuple[str, int]] | None:
    """The comparisons on the fact that make `fact op iv` TRUE, for back-ends that need plain
    comparisons (durable_rules): [(op, bound)] all of which must hold, or a list of alternatives
    for '!='; None when no value makes it TRUE."""
    lo, hi = iv.lower, iv.upper
    if op in ("<", "<="):
        return None if lo is None else [(op, lo)]
    if op in (">", ">="):
        return None if hi is None else [(op, hi)]
    if op == "==":
        return [("==", lo)] if lo is not None and lo == hi else None
    return None  # '!=' is handled by the caller as "below lower or above upper"


def regions(op: str, iv: Interval) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(TRUE region, FALSE region) of `fact op iv` as alternatives of plain comparisons on the fact,
    for back-ends that compile to comparisons (SQL): any alternative holding decides; neither = open."""
    lo, hi = iv.lower, iv.upper
    table = {
        "<": ([("<", lo)], [(">=", hi)]), "<=": ([("<=", lo)], [(">", hi)]),
        ">": ([(">", hi)], [("<=", lo)]), ">=": ([(">=", hi)], [("<", lo)]),
        "==": ([("==", lo)] if lo is not None and lo == hi else [], [("<", lo), (">", hi)]),
    }
    if op == "!=":
        true_alts, false_alts = table["=="][1], table["=="][0]
    else:
        true_alts, false_alts = table[op]
    keep = lambda alts: [(o, b) for o, b in alts if b is not None]  # noqa: E731
    return keep(true_alts), keep(false_alts)


def code(op: str, iv: Interval):
    """Atom code function for the compiled back-end: 2 TRUE, 0 FALSE, 3 unknown figure."""
    def atom(value) -> int:
        r = compare(op, value, iv)
        return 3 if r is None else 2 if r else 0
    return atom

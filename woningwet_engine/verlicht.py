"""Choosing which non-DAEB components to hand to market parties so that plan-level limits hold.

The problem is a multi-dimensional 0/1 knapsack: every candidate component i is either kept by
the corporation (x_i = 1) or handed to a market party (x_i = 0); each limit j is a linear
inequality sum_i a_ij x_i <= b_j with non-negative integer coefficients (strict limits such as
Ww 49 lid 1 "minder dan" are turned into `<= b - 1`, which is exact because everything is an
integer: cents, m2, basis points); the objective is to keep as much as possible, by value (cost in
cents) or by units.

Ratio limits become linear because every candidate adds to numerator and denominator alike:
  non-DAEB investment share N / (D + N) < r      <=>  (BP - r) * N <= r * D - 1
  BOG floor share B / (F + B) <= r (per investment) <=>  (BP - r) * B <= r * F
where D (DAEB investment) and F (non-BOG floor area) are what stays regardless.

Solving: exact branch-and-bound for up to EXACT_MAX_ITEMS candidates (and at most MAX_NODES search
nodes); the upper bound at each node is the smallest single-limit fractional-knapsack bound, which
is a valid relaxation. Beyond that the solver falls back to a documented greedy heuristic (items by
value per unit of their tightest normalised weight, then a single pass that adds back anything that
still fits) and reports the fractional upper bound, so the caller can show the gap. Results are
deterministic: ties keep the earlier item in the given order.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

EXACT_MAX_ITEMS = 40
MAX_NODES = 200_000


@dataclass(frozen=True)
class Item:
    id: str
    value: int  # what keeping it is worth (cents or units), >= 0
    weights: tuple[int, ...]  # coefficient per limit, >= 0


@dataclass(frozen=True)
class Limit:
    id: str
    capacity: int  # sum of weights of kept items must be <= capacity (already made non-strict)


@dataclass(frozen=True)
class Selection:
    kept: tuple[str, ...]
    handed_over: tuple[str, ...]
    value: int  # total value kept
    upper_bound: int  # proven upper bound on the best possible kept value
    method: str  # "exact" | "heuristic"
    feasible: bool  # False: the limits fail even when every candidate is handed over


def _check(items: Sequence[Item], limits: Sequence[Limit]) -> None:
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError("item ids must be unique")
    for it in items:
        if len(it.weights) != len(limits):
            raise ValueError(f"item {it.id}: {len(it.weights)} weights for {len(limits)} limits")
        if it.value < 0 or any(w < 0 for w in it.weights):
            raise ValueError(f"item {it.id}: values and weights must be non-negative")


def fits(items: Sequence[Item], limits: Sequence[Limit], kept: set[str]) -> bool:
    for j, lim in enumerate(limits):
        if sum(it.weights[j] for it in items if it.id in kept) > lim.capacity:
            return False
    return True


def fractional_bound(items: Sequence[Item], limits: Sequence[Limit], start: int = 0,
                     used: Sequence[int] | None = None) -> Fraction:
    """Upper bound on the value addable from items[start:], given capacity already used."""
    rest = items[start:]
    total = Fraction(sum(it.value for it in rest))
    best = total
    for j, lim in enumerate(limits):
        cap = lim.capacity - (used[j] if used is not None else 0)
        if cap < 0:
            return Fraction(-1)
        free = sum(it.value for it in rest if it.weights[j] == 0)
        loaded = sorted((it for it in rest if it.weights[j] > 0),
                        key=lambda it: Fraction(it.value, it.weights[j]), reverse=True)
        bound = Fraction(free)
        for it in loaded:
            if it.weights[j] <= cap:
                cap -= it.weights[j]
                bound += it.value
            else:
                bound += Fraction(it.value * cap, it.weights[j])
                break
        best = min(best, bound)
    return best


def _greedy(items: Sequence[Item], limits: Sequence[Limit]) -> set[str]:
    def density(it: Item) -> Fraction:
        load = max((Fraction(w, max(lim.capacity, 1)) for w, lim in zip(it.weights, limits)), default=Fraction(0))
        return Fraction(10**18) if load == 0 else Fraction(it.value) / load

    order = sorted(range(len(items)), key=lambda k: (-density(items[k]), k))
    used = [0] * len(limits)
    kept: set[str] = set()
    for _ in range(2):  # second pass adds back anything that still fits
        for k in order:
            it = items[k]
            if it.id in kept:
                continue
            if all(used[j] + it.weights[j] <= limits[j].capacity for j in range(len(limits))):
                kept.add(it.id)
                for j in range(len(limits)):
                    used[j] += it.weights[j]
    return kept


def select(items: Sequence[Item], limits: Sequence[Limit]) -> Selection:
    """Keep the most value subject to the limits (see the module docstring)."""
    items = list(items)
    limits = list(limits)
    _check(items, limits)
    if any(lim.capacity < 0 for lim in limits):
        return Selection((), tuple(i.id for i in items), 0, 0, "exact", False)
    root_bound = fractional_bound(items, limits)
    if len(items) > EXACT_MAX_ITEMS:
        kept = _greedy(items, limits)
        value = sum(i.value for i in items if i.id in kept)
        return _result(items, kept, value, int(root_bound), "heuristic")

    # branch and bound: items by value density on the root's tightest limit, ties by input order
    order = sorted(range(len(items)), key=lambda k: (-items[k].value, k))
    seq = [items[k] for k in order]
    n, m = len(seq), len(limits)
    suffix_value = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        suffix_value[k] = suffix_value[k + 1] + seq[k].value
    best_value = -1
    best: tuple[bool, ...] = ()
    nodes = 0
    aborted = False
    used = [0] * m
    chosen: list[bool] = []

    def visit(k: int, value: int) -> None:
        nonlocal best_value, best, nodes, aborted
        nodes += 1
        if nodes > MAX_NODES:
            aborted = True
            return
        if k == n:
            if value > best_value:
                best_value, best = value, tuple(chosen)
            return
        if value + suffix_value[k] <= best_value:
            return
        if value + fractional_bound(seq, limits, k, used) <= best_value:
            return
        it = seq[k]
        # symmetry: of identical items, an earlier one is always kept before a later one
        twin_dropped = k > 0 and not chosen[k - 1] and (seq[k - 1].value, seq[k - 1].weights) == (it.value, it.weights)
        if not twin_dropped and all(used[j] + it.weights[j] <= limits[j].capacity for j in range(m)):
            for j in range(m):
                used[j] += it.weights[j]
            chosen.append(True)
            visit(k + 1, value + it.value)
            chosen.pop()
            for j in range(m):
                used[j] -= it.weights[j]
            if aborted:
                return
        chosen.append(False)
        visit(k + 1, value)
        chosen.pop()

    visit(0, 0)
    if aborted:
        greedy = _greedy(items, limits)
        gvalue = sum(i.value for i in items if i.id in greedy)
        if gvalue > best_value:
            return _result(items, greedy, gvalue, int(root_bound), "heuristic")
        kept = {seq[k].id for k, c in enumerate(best) if c}
        return _result(items, kept, best_value, int(root_bound), "heuristic")
    kept = {seq[k].id for k, c in enumerate(best) if c}
    return _result(items, kept, best_value, best_value, "exact")


def _result(items: Sequence[Item], kept: set[str], value: int, bound: int, method: str) -> Selection:
    return Selection(tuple(i.id for i in items if i.id in kept), tuple(i.id for i in items if i.id not in kept),
                     value, max(bound, value), method, True)


def strict_capacity(cap: int) -> int:
    """`sum < cap` over integers is `sum <= cap - 1`."""
    return cap - 1


def ratio_capacity(fixed_denominator: int, ratio_bp: int, strict: bool, bp: int = 10_000) -> tuple[int, int]:
    """For a limit N / (fixed + N) (< or <=) ratio: the per-unit weight multiplier and the capacity.

    Returns (multiplier, capacity) such that the limit holds iff multiplier * N <= capacity.
    """
    mult = bp - ratio_bp
    cap = ratio_bp * fixed_denominator
    return mult, (cap - 1 if strict else cap)

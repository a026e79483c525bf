"""Can durable_rules run this rulebook on every date? Checked when a rulebook is loaded for use.

durable_rules has hard limits (docs: ../shared/engineering/durable-rules.md §4): more than 511
distinct tests on one fact property in a ruleset hangs `set_rulesets` or fails every assert. The
adapter refuses such rulesets when a case is judged; this module runs the same check on every
change point of the law up front, so `rules validate`, `rules check` and `check` report it as a
rulebook problem (exit 2) instead of failing on some dates only.
"""

from __future__ import annotations

import datetime as dt

from ..conditions.compiler import compile_condition
from ..errors import EngineError, EnglishOnly, InputError, Problem, Say
from ..inference.durable_adapter import Branch as DurableBranch, check_capacity
from .loader import DURABLE_BRANCHES, Rulebook, Selection


def compile_branches(selection: Selection) -> list[DurableBranch]:
    """The durable_rules branches of a selection: what evaluation.Engine registers, and what the
    capacity check counts. A rulebook read from the cache carries them per regime period
    (store_branches), so a `check` reads them instead of compiling ~165 conditions again."""
    stored = selection.period_memo.get(DURABLE_BRANCHES)
    if stored is not None:
        import marshal

        return [DurableBranch(*b) for b in marshal.loads(stored)]
    return _compiled(selection)


def store_branches(book: Rulebook) -> None:
    """Keep in the rulebook (before rulebook/cache.py pickles it) each regime period's compiled
    branches as marshal data; Rulebook._period puts them in the period's memo. A period whose
    conditions hold something marshal does not keep exactly is compiled each time."""
    import marshal

    stored = {}
    for day in book.change_points():
        try:
            stored[day] = marshal.dumps([(b.name, b.scope, b.condition) for b in _compiled(book._period(day))])
        except ValueError:
            continue
    book.__dict__["_durable_branches"] = stored


def _compiled(selection: Selection) -> list[DurableBranch]:
    out: list[DurableBranch] = []
    for cr in selection.rules:
        for b in cr.branches:
            cond = compile_condition(b.root, selection.values)
            if cond is False:
                continue  # can never be TRUE on this date (e.g. a figure is unknown)
            out.append(DurableBranch(b.id, cr.rule.scope, cond))
    return out


def capacity_problems(book: Rulebook, label: str) -> list[Problem]:
    """One problem per distinct limit hit, naming the first date on which it is hit."""
    failing: dict[str, list[dt.date]] = {}
    seen: set[str] = set()
    for day in book.change_points():
        selection = book.at(day)
        if selection.key in seen:
            continue
        seen.add(selection.key)
        try:
            check_capacity(compile_branches(selection))
        except EngineError as exc:
            failing.setdefault(str(exc), []).append(day)
    return [Problem.of(label, "", "rules.capacity", start=days[0], reason=EnglishOnly(message),
                       later=Say.of("rules.capacity_later", n=len(days) - 1) if len(days) > 1 else "")
            for message, days in failing.items()]


def check_runnable(book: Rulebook, label: str) -> Rulebook:
    problems = capacity_problems(book, label)
    if problems:
        raise InputError(problems)
    return book

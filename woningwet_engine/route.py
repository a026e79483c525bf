"""The approval route: the conditions and approvals the plan needs, as ordered steps with their legal
basis, actor, evidence, statutory period and earliest dates.

Steps are the condition ids that the judged rules attached to the components the corporation keeps
(and to the sales it carries out) and to the plan checks. Their order comes from `depends_on` in
rules/conditions.yaml, taken transitively through conditions the plan does not need, so that an
omitted step never breaks an ordering. The calendar is the statutory one: periods in weeks
(`period_weeks`, or the parameter `period_param` on the judged date) with their possible extension
(`extension_param`, e.g. the Aw's 12 + 2 weeks for a sale), yearly dates (`due_yearly`: the annual
overview before 1 July, prestatieafspraken before the 15 December after it) and fixed final dates
(`deadline`). A step with none of these has no known end (`end_known` false; its real duration
depends on the actor), and people see "datum onbekend" rather than a zero-length range. Earliest
dates: a step can start once every step it depends on has ended at the earliest. The order is a
topological order that also follows the earliest start, ties broken by catalogue order, then id.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from typing import Iterable, Mapping

from .errors import EngineError
from .explain import citation
from .rulebook.model import bases_on
from .result import ComponentResult, Plan, RouteStep
from .rulebook.loader import Rulebook, Selection


def closure_dependencies(catalogue: Mapping, wanted: Iterable[str]) -> dict[str, list[str]]:
    """For each wanted id, the wanted ids it depends on, directly or through ids that are not wanted."""
    wanted = list(dict.fromkeys(wanted))
    present = set(wanted)
    out: dict[str, list[str]] = {}
    for cid in wanted:
        deps: list[str] = []
        seen: set[str] = set()
        stack = list(reversed(catalogue[cid].depends_on)) if cid in catalogue else []
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            if d in present:
                deps.append(d)
            elif d in catalogue:
                stack.extend(reversed(catalogue[d].depends_on))
        out[cid] = sorted(set(deps))
    return out


def next_yearly(day: dt.date, month_day: str) -> dt.date:
    """The first date on or after `day` that falls on `month_day` ("MM-DD")."""
    month, dom = (int(x) for x in month_day.split("-"))
    for year in range(day.year, day.year + 9):  # 29 February comes round within eight years
        try:
            candidate = dt.date(year, month, dom)
        except ValueError:  # 29 February in a common year
            continue
        if candidate >= day:
            return candidate
    raise EngineError(f"no date {month_day} after {day}")


@dataclass(frozen=True)
class Timing:
    """How long a step takes: statutory weeks, a yearly date by which it is done, a fixed final date."""

    weeks: int | None = None
    extension_weeks: int | None = None
    due_yearly: str | None = None
    deadline: dt.date | None = None


@dataclass(frozen=True)
class Slot:
    id: str
    start: dt.date
    end: dt.date  # earliest end; equals start when the end is not known
    end_known: bool
    due: dt.date | None
    latest_end: dt.date | None


def slot(cid: str, begin: dt.date, timing: Timing) -> Slot:
    """Dates of one step that can begin on `begin`. A statutory period fixes the end; a yearly date
    (annual overview before 1 July, prestatieafspraken before 15 December) ends the step on the next
    such date; a fixed final date is a due date only (the work may end earlier, nobody knows when)."""
    due = timing.deadline
    if timing.weeks is not None:
        end = begin + dt.timedelta(weeks=timing.weeks)
        latest = end + dt.timedelta(weeks=timing.extension_weeks) if timing.extension_weeks else None
        return Slot(cid, begin, end, True, due, latest)
    if timing.due_yearly:
        end = next_yearly(begin, timing.due_yearly)
        return Slot(cid, begin, end, True, end, None)
    return Slot(cid, begin, begin, False, due, None)


def schedule(ids: list[str], deps: Mapping[str, list[str]], timings: Mapping[str, Timing | int | None],
             rank: Mapping[str, int], start: dt.date) -> list[Slot]:
    """Topological order with earliest dates; raises EngineError on a cycle. A step starts once every
    step it depends on has (at the earliest) ended; a bare int or None is a number of weeks."""
    timing = {cid: t if isinstance(t, Timing) else Timing(weeks=t) for cid, t in timings.items()}
    waiting = {cid: set(deps.get(cid, [])) for cid in ids}
    users: dict[str, list[str]] = {cid: [] for cid in ids}
    for cid in ids:
        for d in waiting[cid]:
            users[d].append(cid)
    ready_at: dict[str, dt.date] = {cid: start for cid in ids}
    heap = [(start, rank.get(cid, 10**9), cid) for cid in ids if not waiting[cid]]
    heapq.heapify(heap)
    out: list[Slot] = []
    while heap:
        begin, _, cid = heapq.heappop(heap)
        s = slot(cid, begin, timing.get(cid) or Timing())
        out.append(s)
        for user in users[cid]:
            ready_at[user] = max(ready_at[user], s.end)
            waiting[user].discard(cid)
            if not waiting[user]:
                heapq.heappush(heap, (ready_at[user], rank.get(user, 10**9), user))
    if len(out) != len(ids):
        stuck = sorted(cid for cid in ids if waiting[cid])
        raise EngineError(f"conditions.yaml: depends_on forms a cycle among {stuck}")
    return out


_PLANS_MAX = 1_000  # sets of steps whose order and timings are kept per regime period


def _timings(catalogue: Mapping, ids: list[str], selection: Selection) -> dict[str, Timing]:
    """Each step's statutory periods, from the catalogue and the figures of the selection's period."""
    def param(pid: str | None) -> int | None:
        p = selection.params.get(pid) if pid else None
        return p.value if p is not None else None

    timings: dict[str, Timing] = {}
    for cid in ids:
        cdef = catalogue[cid]
        weeks = param(cdef.period_param) if cdef.period_param else cdef.period_weeks
        timings[cid] = Timing(weeks=weeks, extension_weeks=param(cdef.extension_param),
                              due_yearly=cdef.due_yearly, deadline=cdef.deadline)
    return timings


def build_route(results: list[ComponentResult], route_components: set[str], plan: Plan, book: Rulebook,
                selection: Selection, start: dt.date, lang: str) -> list[RouteStep]:
    # per step, who triggers it, in first-seen order (a dict as an ordered set: a list's `in` made
    # this quadratic in the components that share a step)
    seen: dict[str, dict[str, None]] = {}
    for r in results:
        if r.id not in route_components or r.verdict == "forbidden":
            continue
        for cond in r.conditions:
            seen.setdefault(cond.id, {})[r.id] = None
    for check in plan.checks:
        for cid in check.conditions:
            seen.setdefault(cid, {})[check.subject] = None
    triggered = {cid: list(who) for cid, who in seen.items()}
    catalogue = book.conditions
    memo = selection.period_memo  # the catalogue and the period's figures: the same on every day of it
    rank = memo.get("route_rank")
    if rank is None:
        rank = memo["route_rank"] = {cid: i for i, cid in enumerate(catalogue)}
    ids = sorted((cid for cid in triggered if cid in catalogue), key=lambda c: rank[c])
    plans = memo.setdefault("route_plans", {})
    found = plans.get(tuple(ids))
    if found is None:
        if len(plans) >= _PLANS_MAX:
            plans.clear()
        found = plans[tuple(ids)] = (closure_dependencies(catalogue, ids), _timings(catalogue, ids, selection))
    deps, timings = found
    steps = []
    for order, s in enumerate(schedule(ids, deps, timings, rank, start), start=1):
        cdef = catalogue[s.id]
        steps.append(RouteStep(
            order=order, id=s.id, title=getattr(cdef.title, lang), kind=cdef.kind, actor=cdef.actor,
            legal_basis=[citation(lb, selection.date, lang) for lb in bases_on(cdef.legal_basis, selection.date)],
            depends_on=deps[s.id], evidence=[getattr(e, lang) for e in cdef.evidence],
            period_weeks=timings[s.id].weeks, period_param=cdef.period_param,
            earliest_start=s.start.isoformat(), earliest_end=s.end.isoformat(), components=triggered[s.id],
            end_known=s.end_known, due=s.due.isoformat() if s.due else None,
            latest_end=s.latest_end.isoformat() if s.latest_end else None,
            overdue=bool(s.due and s.due < s.start)))
    return steps

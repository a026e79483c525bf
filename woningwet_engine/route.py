"""The approval route: the conditions and approvals the plan needs, as ordered steps with their legal
basis, actor, evidence, statutory period and earliest dates.

Steps are the condition ids that the judged rules attached to the components the corporation keeps
(and to the sales it carries out) and to the plan checks. Their order comes from `depends_on` in
rules/conditions.yaml, taken transitively through conditions the plan does not need, so that an
omitted step never breaks an ordering. Periods are statutory weeks (`period_weeks`, or the
parameter `period_param` on the judged date); a step without one is given no duration (its real
duration depends on the actor) and the text says so. Earliest dates: a step can start once every
step it depends on has ended; it ends `period` weeks later. The order is a topological order that
also follows the earliest start, with ties broken by the catalogue order and then the id.
"""

from __future__ import annotations

import datetime as dt
import heapq
from typing import Iterable, Mapping

from .errors import EngineError
from .explain import citation
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


def schedule(ids: list[str], deps: Mapping[str, list[str]], weeks: Mapping[str, int | None],
             rank: Mapping[str, int], start: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Topological order with earliest (start, end) dates; raises EngineError on a cycle."""
    waiting = {cid: set(deps.get(cid, [])) for cid in ids}
    users: dict[str, list[str]] = {cid: [] for cid in ids}
    for cid in ids:
        for d in waiting[cid]:
            users[d].append(cid)
    ready_at: dict[str, dt.date] = {cid: start for cid in ids}
    heap = [(start, rank.get(cid, 10**9), cid) for cid in ids if not waiting[cid]]
    heapq.heapify(heap)
    out = []
    while heap:
        begin, _, cid = heapq.heappop(heap)
        end = begin + dt.timedelta(weeks=weeks.get(cid) or 0)
        out.append((cid, begin, end))
        for user in users[cid]:
            ready_at[user] = max(ready_at[user], end)
            waiting[user].discard(cid)
            if not waiting[user]:
                heapq.heappush(heap, (ready_at[user], rank.get(user, 10**9), user))
    if len(out) != len(ids):
        stuck = sorted(cid for cid in ids if waiting[cid])
        raise EngineError(f"conditions.yaml: depends_on forms a cycle among {stuck}")
    return out


def build_route(results: list[ComponentResult], route_components: set[str], plan: Plan, book: Rulebook,
                selection: Selection, start: dt.date, lang: str) -> list[RouteStep]:
    triggered: dict[str, list[str]] = {}
    for r in results:
        if r.id not in route_components or r.verdict == "forbidden":
            continue
        for cond in r.conditions:
            triggered.setdefault(cond.id, [])
            if r.id not in triggered[cond.id]:
                triggered[cond.id].append(r.id)
    for check in plan.checks:
        for cid in check.conditions:
            triggered.setdefault(cid, [])
            if check.subject not in triggered[cid]:
                triggered[cid].append(check.subject)
    catalogue = book.conditions
    rank = {cid: i for i, cid in enumerate(catalogue)}
    ids = sorted((cid for cid in triggered if cid in catalogue), key=lambda c: rank[c])
    deps = closure_dependencies(catalogue, ids)
    weeks: dict[str, int | None] = {}
    for cid in ids:
        cdef = catalogue[cid]
        weeks[cid] = cdef.period_weeks
        if cdef.period_param:
            p = selection.params.get(cdef.period_param)
            weeks[cid] = p.value if p is not None else None
    steps = []
    for order, (cid, begin, end) in enumerate(schedule(ids, deps, weeks, rank, start), start=1):
        cdef = catalogue[cid]
        steps.append(RouteStep(
            order=order, id=cid, title=getattr(cdef.title, lang), kind=cdef.kind, actor=cdef.actor,
            legal_basis=[citation(lb, selection.date, lang) for lb in cdef.legal_basis],
            depends_on=deps[cid], evidence=[getattr(e, lang) for e in cdef.evidence],
            period_weeks=weeks[cid], period_param=cdef.period_param,
            earliest_start=begin.isoformat(), earliest_end=end.isoformat(), components=triggered[cid]))
    return steps

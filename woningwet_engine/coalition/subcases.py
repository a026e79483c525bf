"""Cutting a coalition case into ordinary single-corporation cases, one per corporation and date.

Each corporation is judged on its own facts: its sub-case holds its corporation block, the
components it carries, its share of every shared component (split key applied with exact
integer apportionment, so the shares add up to the cent), and only the prestatieafspraken it can
rely on in the municipality of each component (Ww 44 lid 2: the agreement is made with the
college of that municipality and the corporation's tenants' organisations, and must run in the
year judged). The sub-case is a plain case.Case, judged by engine.judge unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..case import Case, Component
from .model import CoalitionAgreement, CoalitionCase, CoalitionComponent, phase_corporation

COALITION_FIELDS = {"carried_by", "split", "phase", "date"}


def apportion(total: int, weights: list[int]) -> list[int]:
    """Integer parts of `total` proportional to `weights` that add up to `total` exactly
    (largest remainder; ties go to the earlier weight)."""
    whole = sum(weights)
    if whole <= 0:
        raise ValueError("weights must add up to more than zero")
    floors = [total * w // whole for w in weights]
    rest = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


@dataclass
class Share:
    """One corporation's part of a component: the plain component it carries and the fraction."""

    corporation: str
    component: dict  # case.Component in JSON form (for case.Case)
    source: str  # id of the coalition component
    weight: int
    of: int  # weight / of = the fraction carried

    @property
    def fraction(self) -> str:
        return f"{(Decimal(self.weight) / Decimal(self.of)).quantize(Decimal('0.0001')).normalize():f}"


def _euros(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _plain(comp: CoalitionComponent) -> dict:
    return comp.model_dump(mode="json", exclude=COALITION_FIELDS)


def split_weights(case: CoalitionCase, comp: CoalitionComponent) -> list[tuple[str, int]]:
    key = comp.split
    if key.by == "stock":
        return [(cid, case.corporation(cid).homes_in_area) for cid in key.corporations]
    if key.by == "shares":
        return list(key.shares.items())
    return list(key.amounts.items())


def shares_of(case: CoalitionCase, comp: CoalitionComponent) -> list[Share]:
    """The component as carried by corporations: itself, or one share per corporation of a split."""
    if comp.split is None:
        if case.corporation(comp.carried_by) is None:
            return []  # carried by a partner: not a toegelaten instelling, not judged
        return [Share(comp.carried_by, _plain(comp), comp.id, 1, 1)]
    weights = split_weights(case, comp)
    ws = [w for _, w in weights]
    total = sum(ws)
    base = _plain(comp)
    scaled: dict[str, list[int]] = {}
    for name, value in (("cost", comp.cost), ("units", comp.units), ("floor_area_m2", comp.floor_area_m2)):
        if value is not None:
            scaled[name] = apportion(value, ws)
    if comp.leefbaarheid is not None:
        scaled["annual_amount"] = apportion(comp.leefbaarheid.annual_amount, ws)
    if comp.split.by == "amounts":  # exact agreed amounts for the split amount itself
        scaled["annual_amount" if comp.leefbaarheid is not None else "cost"] = ws
    out = []
    for i, (cid, w) in enumerate(weights):
        part = {**base, "id": f"{comp.id}.{cid}"}
        for name in ("cost", "units", "floor_area_m2"):
            if name in scaled:
                part[name] = _euros(scaled[name][i]) if name == "cost" else scaled[name][i]
        if "annual_amount" in scaled:
            part["leefbaarheid"] = {**base["leefbaarheid"], "annual_amount": _euros(scaled["annual_amount"][i])}
        out.append(Share(cid, part, comp.id, w, total))
    return out


def tenants_of(case: CoalitionCase, corp_id: str) -> list[str]:
    return [p.id for p in case.partners if p.kind == "tenants" and p.represents == corp_id]


def municipality_partners(case: CoalitionCase, code: str) -> list[str]:
    return [p.id for p in case.partners if p.kind == "municipality" and p.municipality == code]


def agreement_gaps(case: CoalitionCase, a: CoalitionAgreement, corp_id: str) -> list[str]:
    """Why agreement `a` does not bind corporation `corp_id` under Ww 44 lid 2 (empty: it does).
    Codes: corporation, municipality, tenants."""
    gaps = []
    parties = set(a.parties)
    if corp_id not in parties:
        gaps.append("corporation")
    if not parties & set(municipality_partners(case, a.municipality)):
        gaps.append("municipality")
    tenants = tenants_of(case, corp_id)
    if tenants and not parties & set(tenants):
        gaps.append("tenants")
    return gaps


def agreement_runs(a: CoalitionAgreement, day: dt.date) -> bool:
    return a.year <= day.year <= (a.until if a.until is not None else a.year)


@dataclass
class SubCase:
    """One corporation's components on one judging date (in one phase), as an ordinary case."""

    corporation: str
    phase: str | None
    date: dt.date
    case: Case
    shares: list[Share] = field(default_factory=list)


def build_subcases(case: CoalitionCase, at: dt.date | None = None) -> tuple[list[SubCase], list[CoalitionComponent]]:
    """(sub-cases in corporation order, then date, then phase order; components carried by partners).
    `at` judges every component under the law of that one date (phases are then ignored)."""
    groups: dict[tuple[str, dt.date, int, str | None], list[Share]] = {}
    phase_order = {p.id: i for i, p in enumerate(case.phases)}
    corp_order = {c.id: i for i, c in enumerate(case.corporations)}
    by_partner = []
    for comp in case.components:
        shares = shares_of(case, comp)
        if not shares:
            by_partner.append(comp)
            continue
        day = at or case.judging_date(comp)
        phase = None if at else comp.phase
        for s in shares:
            key = (s.corporation, day, phase_order.get(phase, -1), phase)
            groups.setdefault(key, []).append(s)
    out = []
    for key in sorted(groups, key=lambda k: (corp_order[k[0]], k[1], k[2])):
        corp_id, day, _, phase = key
        shares = groups[key]
        corp = case.corporation(corp_id)
        ids = {s.source: s.component["id"] for s in shares}
        munis = {s.component["id"]: s.component["location"]["municipality"] for s in shares}
        agreements = []
        for a in case.performance_agreements:
            if agreement_gaps(case, a, corp_id) or not agreement_runs(a, day):
                continue
            covers = [ids[c] for c in a.covers if c in ids and munis[ids[c]] == a.municipality]
            names = [case.party(p).name for p in a.parties]
            agreements.append({"id": a.id, "municipality": a.municipality, "year": a.year,
                               "parties": names, "covers": covers})
        used = {s.component.get("project") for s in shares}
        sub_id = corp_id + (f".{phase}" if phase else "") + ("" if phase or len(
            {k[1] for k in groups if k[0] == corp_id}) == 1 else f".{day.isoformat()}")
        phase_obj = case.phase_of(phase)
        title = f"{case.title} — {corp.name}" + (f" — {phase_obj.title}" if phase_obj else "")
        data = {
            "case_id": sub_id, "title": title[:2000], "date": day.isoformat(),
            "description": case.description, "illustrative": case.illustrative,
            "sources": [s.model_dump(mode="json") for s in case.sources],
            "corporation": phase_corporation(corp, phase_obj.corporations.get(corp_id) if phase_obj else None),
            "performance_agreements": agreements,
            "components": [s.component for s in shares],
            "projects": [p.model_dump(mode="json") for p in case.projects if p.id in used],
        }
        out.append(SubCase(corp_id, phase, day, Case.model_validate(data), shares))
    return out, by_partner


def plain_component(comp: CoalitionComponent) -> Component:
    return Component.model_validate(_plain(comp))

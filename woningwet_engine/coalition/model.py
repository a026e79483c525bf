"""The coalition case file: several corporations and partners in one plan, components in phases.

A coalition case names its parties once (corporations with their own facts, partners by kind),
and every component says who carries it: one party (`carried_by`) or several corporations by an
explicit split key (`split`). Components may carry their own judging date or belong to a phase.
The models extend those of case.py (a corporation is a case.Corporation plus an id and its stock
in the area; a component is a case.Component plus carrier, split and timing), so everything the
single-corporation format says about a corporation or a component means the same here.

Cross-references (who carries what, split keys, phases, agreements) are checked by `check_refs`
with the line of the offending field; pydantic checks the shape.
"""

# No `from __future__ import annotations` here: pydantic would then parse every annotation string
# when the models are defined (see case.py).

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from ..case import (
    MAX_COMPONENTS, CaseDate, Component, Corporation, Count, Euro, GmCode, Project, Share, Source,
    Strict, Text,
)
from ..errors import Problem, invalid
from ..hints import Euros, error_says
from ..units import BP
from ..yamlio import LoadedYaml

# short ids: sub-case ids join a corporation id and a phase id
PartyId = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[a-z0-9][a-z0-9_\-]*$",
                               description="lower-case id used to refer to a party")]
PhaseId = Annotated[str, Field(min_length=1, max_length=24, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")]
CompId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$",
                              description="component id (no dots: a corporation's share is '<id>.<corporation>')")]


class PartnerKind(str, Enum):
    municipality = "municipality"
    welfare = "welfare"
    education = "education"
    care = "care"
    residents = "residents"  # residents' organisation or bewonerscommissie
    tenants = "tenants"  # huurdersorganisatie of a corporation (Ww 44 lid 1)
    market = "market"


class CoalitionCorporation(Corporation):
    """A toegelaten instelling of the coalition, with all the facts of case.Corporation."""

    id: PartyId
    homes_in_area: Count | None = Field(
        None, description="dwellings it owns in the plan area: the 'stock' split key")


class Partner(Strict):
    id: PartyId
    name: Text
    kind: PartnerKind
    municipality: GmCode | None = Field(None, description="for a municipality: its CBS code (required)")
    represents: PartyId | None = Field(
        None, description="for a tenants' organisation: the corporation whose tenants it represents")

    @model_validator(mode="after")
    def _kind_fields(self):
        if self.kind == "municipality" and self.municipality is None:
            raise invalid("coalition.municipality_code")
        if self.kind == "tenants" and self.represents is None:
            raise invalid("coalition.tenants_represent")
        return self


class SplitKey(Strict):
    """How a shared component is divided among corporations.

    by: stock   -- pro rata to each named corporation's `homes_in_area`
        shares  -- fractions per corporation, adding up to exactly 1
        amounts -- euros per corporation, adding up to the component's amount (its leefbaarheid
                   annual amount, else its cost)
    """

    by: Literal["stock", "shares", "amounts"]
    corporations: list[PartyId] = Field(default_factory=list, max_length=50,
                                        description="for 'stock': the corporations that share it")
    shares: dict[PartyId, Share] = Field(default_factory=dict, max_length=50)
    amounts: dict[PartyId, Euro] = Field(default_factory=dict, max_length=50)

    @model_validator(mode="after")
    def _one_key(self):
        given = {"stock": self.corporations, "shares": self.shares, "amounts": self.amounts}
        if not given[self.by]:
            field = {"stock": "corporations", "shares": "shares", "amounts": "amounts"}[self.by]
            raise invalid("coalition.split_needs", by=self.by, field=field)
        extra = [k for k, v in given.items() if v and k != self.by]
        if extra:
            raise invalid("coalition.split_extra", by=self.by, keys=", ".join(extra))
        return self


class CoalitionComponent(Component):
    id: CompId
    carried_by: PartyId | None = Field(None, description="id of the corporation or partner that carries it")
    split: SplitKey | None = Field(None, description="a shared component: the key that divides it among corporations")
    phase: PhaseId | None = None
    date: CaseDate | None = Field(None, description="judging date of this component (within its phase, if any)")

    @model_validator(mode="after")
    def _carrier(self):
        if (self.carried_by is None) == (self.split is None):
            raise invalid("coalition.carrier")
        return self


class Phase(Strict):
    id: PhaseId
    title: Text
    start: CaseDate = Field(description="its components are judged under the law of this date")
    end: CaseDate | None = None
    corporations: dict[PartyId, dict[str, Any]] = Field(
        default_factory=dict, max_length=50,
        description="corporation facts that differ in this phase (e.g. separation_regime after 2018, turnover "
        "of the years before it), by corporation id; fields as under corporations")


class CoalitionAgreement(Strict):
    """Prestatieafspraken (Ww 44 lid 2): a municipality, corporations and tenants' organisations."""

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    municipality: GmCode
    year: int = Field(ge=2000, le=2100, description="first calendar year the agreement runs")
    until: int | None = Field(None, ge=2000, le=2100, description="last calendar year (default: year)")
    parties: list[PartyId] = Field(min_length=1, max_length=50, description="ids of corporations and partners")
    covers: list[CompId] = Field(default_factory=list, max_length=MAX_COMPONENTS)


class CoalitionCase(Strict):
    case_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    title: Text
    date: CaseDate = Field(description="reference date: the law of this date applies to components without "
                           "a phase or a date of their own")
    description: Text | None = None
    illustrative: bool = False
    sources: list[Source] = Field(default_factory=list, max_length=100)
    corporations: list[CoalitionCorporation] = Field(min_length=1, max_length=50)
    partners: list[Partner] = Field(default_factory=list, max_length=100)
    phases: list[Phase] = Field(default_factory=list, max_length=50)
    performance_agreements: list[CoalitionAgreement] = Field(default_factory=list, max_length=1000)
    components: list[CoalitionComponent] = Field(min_length=1, max_length=MAX_COMPONENTS)
    projects: list[Project] = Field(default_factory=list, max_length=MAX_COMPONENTS)

    def canonical(self) -> dict:
        return self.model_dump(mode="json")

    def party(self, pid: str):
        for p in list(self.corporations) + list(self.partners):
            if p.id == pid:
                return p
        return None

    def corporation(self, pid: str) -> CoalitionCorporation | None:
        return next((c for c in self.corporations if c.id == pid), None)

    def phase_of(self, pid: str | None) -> Phase | None:
        return next((p for p in self.phases if p.id == pid), None)

    def judging_date(self, comp: CoalitionComponent) -> dt.date:
        """The component's own date, else its phase's start, else the case date."""
        if comp.date is not None:
            return comp.date
        phase = self.phase_of(comp.phase)
        return phase.start if phase is not None else self.date


def phase_corporation(corp: CoalitionCorporation, facts: dict | None = None) -> dict:
    """The case.Corporation block of `corp` (JSON form), with a phase's differing facts laid over it."""
    block = corp.model_dump(mode="json", exclude={"id", "homes_in_area"})
    return {**block, **(facts or {})}


def split_amount(comp: Component) -> int | None:
    """The amount a split key divides, in cents: the leefbaarheid annual amount, else the cost."""
    if comp.leefbaarheid is not None:
        return comp.leefbaarheid.annual_amount
    return comp.cost


def check_refs(case: CoalitionCase, loaded: LoadedYaml | None, coverage: tuple[dt.date, dt.date] | None = None
               ) -> list[Problem]:
    """Every cross-reference and sum of a coalition case, each problem with file, line and field."""
    fname = loaded.filename if loaded else "<case>"
    problems: list[Problem] = []

    def bad(path: tuple, key: str, /, **fields) -> None:
        line = loaded.line_of(path) if loaded else None
        problems.append(Problem.of(fname, ".".join(str(p) for p in path), f"coalition.{key}", line, **fields))

    corp_ids = [c.id for c in case.corporations]
    party_ids: dict[str, str] = {}
    for group, items in (("corporations", case.corporations), ("partners", case.partners)):
        for i, p in enumerate(items):
            if p.id in party_ids:
                bad((group, i, "id"), "party_twice", id=repr(p.id))
            party_ids.setdefault(p.id, group)
    for i, p in enumerate(case.partners):
        if p.represents is not None and p.represents not in corp_ids:
            bad(("partners", i, "represents"), "not_corporation", id=repr(p.represents))
    phase_ids: set[str] = set()
    for i, ph in enumerate(case.phases):
        if ph.id in phase_ids:
            bad(("phases", i, "id"), "phase_twice", id=repr(ph.id))
        phase_ids.add(ph.id)
        if ph.end is not None and ph.end < ph.start:
            bad(("phases", i, "end"), "phase_order", end=ph.end, start=ph.start)
        for cid, facts in ph.corporations.items():
            where = ("phases", i, "corporations", cid)
            corp = case.corporation(cid)
            if corp is None:
                bad(where, "not_corporation", id=repr(cid))
                continue
            try:
                Corporation.model_validate(phase_corporation(corp, facts))
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    path = where + tuple(err.get("loc", ()))
                    msg = "unknown field (not part of the format)" if err.get("type") == "extra_forbidden" \
                        else err.get("msg", "invalid value")
                    problems.append(Problem(fname, ".".join(str(p) for p in path), msg,
                                            loaded.line_of(path) if loaded else None,
                                            tuple(error_says(err, Corporation))))

    comp_ids: set[str] = set()
    for i, c in enumerate(case.components):
        where = ("components", i)
        if c.id in comp_ids:
            bad(where + ("id",), "component_twice", id=repr(c.id))
        comp_ids.add(c.id)
        if c.carried_by is not None and c.carried_by not in party_ids:
            bad(where + ("carried_by",), "unknown_carrier", id=repr(c.carried_by))
        if c.split is not None:
            _check_split(case, c, where + ("split",), bad)
        phase = case.phase_of(c.phase)
        if c.phase is not None and phase is None:
            bad(where + ("phase",), "unknown_phase", id=repr(c.phase))
        if phase is not None and c.date is not None:
            if c.date < phase.start or (phase.end is not None and c.date > phase.end):
                ends = {"end": phase.end} if phase.end is not None else {}
                bad(where + ("date",), "outside_phase" if ends else "outside_open_phase",
                    date=c.date, id=repr(phase.id), start=phase.start, **ends)
    for i, a in enumerate(case.performance_agreements):
        for j, pid in enumerate(a.parties):
            if pid not in party_ids:
                bad(("performance_agreements", i, "parties", j), "not_party", id=repr(pid))
        for j, cid in enumerate(a.covers):
            if cid not in comp_ids:
                bad(("performance_agreements", i, "covers", j), "not_component", id=repr(cid))
    used = {c.project for c in case.components if c.project is not None}
    for i, pr in enumerate(case.projects):
        if pr.id not in used:
            bad(("projects", i, "id"), "project_unused", id=repr(pr.id))
    if coverage is not None:
        lo, hi = coverage
        if not lo <= case.date <= hi:
            bad(("date",), "outside_coverage", date=case.date, lo=lo, hi=hi)
        for i, ph in enumerate(case.phases):
            if not lo <= ph.start <= hi:
                bad(("phases", i, "start"), "phase_outside_coverage", date=ph.start, lo=lo, hi=hi)
        for i, c in enumerate(case.components):
            if c.date is not None and not lo <= c.date <= hi:
                bad(("components", i, "date"), "outside_coverage", date=c.date, lo=lo, hi=hi)
    return problems


def _check_split(case: CoalitionCase, c: CoalitionComponent, where: tuple, bad) -> None:
    key = c.split
    names = {"stock": key.corporations, "shares": list(key.shares), "amounts": list(key.amounts)}[key.by]
    field = {"stock": "corporations", "shares": "shares", "amounts": "amounts"}[key.by]
    for n in names:
        corp = case.corporation(n)
        if corp is None:
            bad(where + (field,), "split_not_corporation", id=repr(n))
        elif key.by == "stock" and not corp.homes_in_area:
            bad(where + (field,), "split_homes", id=repr(n))
    if len(set(names)) < 2:
        bad(where + (field,), "split_two")
    if key.by == "shares":
        total = sum(key.shares.values())
        if total != BP:
            bad(where + ("shares",), "split_shares", total=f"{total / BP:g}")
    if key.by == "amounts":
        whole = split_amount(c)
        total = sum(key.amounts.values())
        if whole is None:
            bad(where + ("amounts",), "split_no_amount")
        elif total != whole:
            bad(where + ("amounts",), "split_amounts", total=Euros(total), whole=Euros(whole))

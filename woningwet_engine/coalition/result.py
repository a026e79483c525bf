"""The JSON result of a coalition case (stable: extend, never rename).

`parts` holds one ordinary engine Result per corporation and judging date, unchanged; the other
sections are read from them: who may carry what, what must be handed over and to which named
partner, the prestatieafspraken per municipality, and the phases with the law that changed since
the first phase.
"""

# No `from __future__ import annotations` here (see result.py).

from typing import Any, Literal

from pydantic import Field

from ..result import Citation, Out, Result


class ShareOut(Out):
    component: str  # id in the coalition case
    part: str  # id in the corporation's sub-case ("<component>.<corporation>" for a share)
    fraction: str  # of the component, as a decimal string ("1" when carried whole)


class PartResult(Out):
    corporation: str
    phase: str | None = None
    date: str
    shares: list[ShareOut]
    result: Result


class HandOver(Out):
    """Work a corporation may not carry, and the named partner of the case that fits it."""

    component: str
    part: str
    corporation: str
    phase: str | None = None
    date: str
    kind: str  # the engine's party kind: municipality, care_or_welfare, market
    to: str | None = None  # partner id; None when the case names no partner of this kind
    to_name: str | None = None
    alternatives: list[str] = Field(default_factory=list)
    share: str = "1"  # fraction of the part handed over
    cost: str | None = None
    text: str
    reason: str
    rule: str | None = None
    citation: Citation
    also_cites: list[Citation] = Field(default_factory=list)


class PartnerWork(Out):
    """A component the case gives to a partner: not a toegelaten instelling, so not judged."""

    component: str
    title: str
    carried_by: str
    name: str
    kind: str
    phase: str | None = None
    date: str
    text: str


class AgreementGap(Out):
    agreement: str
    missing: list[str]  # corporation, municipality, tenants, year
    text: str


class AgreementCheck(Out):
    """Prestatieafspraken of one corporation in one municipality (Ww 44 lid 2)."""

    municipality: str
    municipality_partners: list[str]
    corporation: str
    tenants: list[str]
    status: Literal["ok", "missing", "not_needed"]
    agreements: list[str]
    gaps: list[AgreementGap] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)  # parts that must be in the agreements
    uncovered: list[str] = Field(default_factory=list)
    text: str
    citation: Citation
    also_cites: list[Citation] = Field(default_factory=list)


class Cause(Out):
    """A rule whose change since the first phase alters a verdict, condition or plan check here."""

    rule: str
    title: str
    valid: str | None = None
    in_force_first: bool
    in_force_here: bool
    params_changed: list[str] = Field(default_factory=list)
    parts: list[str] = Field(default_factory=list)


class PhaseOut(Out):
    id: str
    title: str
    start: str
    end: str | None = None
    corporations: list[str]
    components: list[str]
    law_since_first: dict[str, Any] | None = None  # compare.law_changes: change points, rules, parameters
    effects: list[dict[str, Any]] = Field(default_factory=list)  # compare_results per corporation
    causes: list[Cause] = Field(default_factory=list)


class PartyItem(Out):
    part: str
    phase: str | None = None
    verdict: str | None = None
    party: str | None = None  # hands_over / takes_over: the id of the other party (its name is the text)
    text: str = ""


class PartyView(Out):
    id: str
    name: str
    kind: str  # "corporation" or a partner kind
    may_carry: list[PartyItem] = Field(default_factory=list)
    hands_over: list[PartyItem] = Field(default_factory=list)
    takes_over: list[PartyItem] = Field(default_factory=list)
    carries: list[PartyItem] = Field(default_factory=list)
    undetermined: list[PartyItem] = Field(default_factory=list)
    agreements: list[str] = Field(default_factory=list)
    plan_checks: list[PartyItem] = Field(default_factory=list)
    compliant: bool | None = None


class CoalitionSummary(Out):
    corporations: int
    partners: int
    phases: int
    parts: int
    handovers: int
    agreements_missing: int
    compliant: bool


class CoalitionProvenance(Out):
    engine_version: str
    rulebook_sha256: str
    case_sha256: str
    at: str | None = None  # every component judged on this one date (phases ignored)


class CoalitionResult(Out):
    kind: Literal["coalition"] = "coalition"
    case: str
    title: str
    date: str
    lang: Literal["nl", "en"]
    summary: CoalitionSummary
    parties: list[PartyView]
    handovers: list[HandOver]
    partner_work: list[PartnerWork]
    agreements: list[AgreementCheck]
    phases: list[PhaseOut]
    parts: list[PartResult]
    provenance: CoalitionProvenance

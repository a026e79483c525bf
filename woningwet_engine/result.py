"""The JSON result contract (stable: extend, never rename) and its canonical serialisation."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VerdictOut = Literal["daeb", "non_daeb", "forbidden", "needs_decision", "undetermined"]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(Out):
    bwb: str
    name: str
    article: str
    lid: str | None = None
    onderdeel: str | None = None
    sub: str | None = None
    text: str
    juriconnect: str
    url: str


class ParamUse(Out):
    id: str
    unit: str
    value: Any  # display value: "710.68" for euros, "0.25" for ratios, ints, code lists; None if unknown
    confidence: str
    source: str
    url: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None


class Inputs(Out):
    facts: dict[str, Any] = Field(default_factory=dict)
    params: list[ParamUse] = Field(default_factory=list)


class Reason(Out):
    rule: str
    branch: Literal["then", "else"] | None = None
    effect: Literal["verdict", "overridden", "condition", "violation", "undetermined", "info"]
    verdict: str | None = None
    text: str
    citation: Citation
    also_cites: list[Citation] = Field(default_factory=list)
    confidence: str
    inputs: Inputs = Field(default_factory=Inputs)


class ConditionOut(Out):
    id: str
    title: str
    kind: str
    actor: str
    period_weeks: int | None = None
    legal_basis: list[Citation]
    triggered_by: list[str]


class NotFired(Out):
    rule: str
    status: Literal["false", "unknown"]
    failed: str
    seen: Any = None
    missing: list[str] = Field(default_factory=list)


class ComponentResult(Out):
    id: str
    title: str
    activity: str
    object: str
    project: str | None = None
    units: int | None = None
    cost: str | None = None  # investment cost in euros as a decimal string ("36000000.00"), None if not given
    verdict: VerdictOut
    compliant: bool
    conditions: list[ConditionOut] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    party: str = "corporation"
    not_fired: list[NotFired] = Field(default_factory=list)


class PlanCheck(Out):
    id: str
    rule: str
    subject: str
    status: Literal["pass", "fail", "unknown"]
    text: str
    citation: Citation
    confidence: str
    inputs: Inputs = Field(default_factory=Inputs)
    conditions: list[str] = Field(default_factory=list)


class Plan(Out):
    checks: list[PlanCheck] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)


class Regime(Out):
    rulebook: str
    selection: str
    rules_in_force: list[str]
    change_points: list[str]


class Provenance(Out):
    engine_version: str
    rulebook_sha256: str
    case_sha256: str
    date: str


class Summary(Out):
    components: int
    by_verdict: dict[str, int]
    compliant: bool


class Result(Out):
    case: str
    title: str
    date: str
    lang: Literal["nl", "en"]
    regime: Regime
    summary: Summary
    components: list[ComponentResult]
    plan: Plan
    provenance: Provenance


def canonical_json(data: Any) -> str:
    """Deterministic JSON text: fixed key order from the models, UTF-8, 2-space indent, final newline."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def sha256_of(data: Any) -> str:
    import hashlib

    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

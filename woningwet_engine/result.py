"""The JSON result contract (stable: extend, never rename) and its canonical serialisation."""

# No `from __future__ import annotations` here: pydantic would then parse every annotation string
# when the models are defined, which slows down every start of the CLI (docs/benchmarks.md).

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VerdictOut = Literal["daeb", "non_daeb", "forbidden", "needs_decision", "undetermined"]


class Out(BaseModel):
    # defer_build: each model's validator and serialiser are built when first used, so a run builds
    # only those it needs (faster CLI start-up; docs/benchmarks.md)
    model_config = ConfigDict(extra="forbid", defer_build=True)


def trusted(cls: type[BaseModel], **fields: Any) -> Any:
    """What cls(**fields) gives, for fields that already hold valid values of the declared types
    (result models, texts, lists the caller made and hands over), without validating them again:
    a judgement makes hundreds of reasons. Fields not given get their defaults and stay unset, as
    with cls(**fields); tests/test_trusted_models.py holds the two equal, in their fields and JSON."""
    values = {}
    for name, info in cls.model_fields.items():
        values[name] = fields[name] if name in fields else info.get_default(call_default_factory=True)
    made = _new(cls)
    _set(made, "__dict__", values)
    _set(made, "__pydantic_fields_set__", set(fields))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


_new = object.__new__
_set = object.__setattr__


class Citation(Out):
    bwb: str
    name: str
    article: str
    lid: str | None = None
    onderdeel: str | None = None
    sub: str | None = None
    onderdelen: str | None = None  # the rule applies this whole list ("a-i")
    aanhef: bool = False  # the opening words of the cited level decide
    policy: bool = False  # a supervisor's or guarantor's norm, not statute
    text: str
    juriconnect: str
    url: str


class BoundOut(Out):
    bound: Literal["lower", "upper"]
    value: Any
    confidence: str
    source: str


class ParamUse(Out):
    id: str
    unit: str
    value: Any  # display value: "710.68" for euros, "0.25" for ratios, ints, code lists; None if unknown
    confidence: str
    source: str
    url: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    bounds: list[BoundOut] = Field(default_factory=list)  # a bounded figure (value "lower..upper")


class Inputs(Out):
    facts: dict[str, Any] = Field(default_factory=dict)
    params: list[ParamUse] = Field(default_factory=list)


class Reason(Out):
    rule: str
    branch: Literal["then", "else"] | None = None
    # not_in_force: a rule that would govern the question is not (yet / any longer) in force (inforce.py)
    effect: Literal["verdict", "overridden", "condition", "violation", "undetermined", "info", "not_in_force"]
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


class Change(Out):
    """One change to the case: the component (or "corporation"/"plan"), the case field, old and new value."""

    component: str | None = None
    field: str
    old: Any = None
    new: Any = None


class Remediation(Out):
    """The smallest change that clears one rule's negative outcome (remediation.py)."""

    rule: str
    kind: Literal["numeric", "change", "approval", "procedure", "transfer"]
    text: str
    changes: list[Change] = Field(default_factory=list)
    condition: str | None = None  # condition/approval id of rules/conditions.yaml
    party: str | None = None  # for a transfer
    citation: Citation
    verified: bool = False  # re-judging the changed case clears the rule's negative branch


class ComponentResult(Out):
    id: str
    title: str
    activity: str
    object: str
    project: str | None = None
    units: int | None = None
    cost: str | None = None  # investment cost in euros as a decimal string ("36000000.00"), None if not given
    verdict: VerdictOut
    compliant: bool | None  # None: cannot be decided (niet te beoordelen), the reasons say what is missing
    conditions: list[ConditionOut] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    party: str = "corporation"
    not_fired: list[NotFired] = Field(default_factory=list)
    remediation: list[Remediation] = Field(default_factory=list)


class PlanCheck(Out):
    id: str
    rule: str
    title: str = ""  # what the check is about, in the result's language (the rule's title); "" in old records
    subject: str
    status: Literal["pass", "fail", "unknown"]
    text: str
    citation: Citation
    also_cites: list[Citation] = Field(default_factory=list)
    confidence: str
    inputs: Inputs = Field(default_factory=Inputs)
    conditions: list[str] = Field(default_factory=list)
    remediation: list[Remediation] = Field(default_factory=list)
    # a failing check is a violation (the plan is not compliant) or an obligation still to be met
    # (its conditions are actions with their deadline, see the route); only violations count
    violation: bool = False


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


class CheckRef(Out):
    id: str
    subject: str


class Summary(Out):
    components: int
    by_verdict: dict[str, int]
    compliant: bool
    non_compliant: list[str] = Field(default_factory=list)  # ids of components that are not compliant
    undetermined: list[str] = Field(default_factory=list)  # ids of components whose compliance cannot be judged yet
    violations: list[CheckRef] = Field(default_factory=list)  # failing plan checks that are violations
    actions: list[CheckRef] = Field(default_factory=list)  # failing plan checks that are obligations to act


class SplitPart(Out):
    """Who should carry (part of) a component, and why (split.py)."""

    component: str
    party: Literal["corporation", "corporation_non_daeb", "market", "municipality", "care_or_welfare"]
    share: str = "1"  # fraction of the component (cost basis) this part covers
    units: int | None = None
    floor_area_m2: int | None = None
    cost: str | None = None  # euros
    shared_cost: str | None = None  # euros of the project's shared costs allocated pro rata to floor area
    how: str | None = None  # e.g. "land sale to a developer at market value"
    reason: str
    rule: str | None = None
    citation: Citation
    also_cites: list[Citation] = Field(default_factory=list)


class PartyTotal(Out):
    party: str
    components: list[str]
    units: int
    floor_area_m2: int
    cost: str
    shared_cost: str


class SharedCostOut(Out):
    kind: str
    title: str
    amount: str


class ProjectSplit(Out):
    project: str
    floor_area_m2: int
    shared_costs: list[SharedCostOut] = Field(default_factory=list)
    parties: list[PartyTotal] = Field(default_factory=list)


class LimitOut(Out):
    id: str
    text: str
    status: Literal["holds", "fails", "unknown", "not_applicable"]
    before: str | None = None
    after: str | None = None
    limit: str | None = None
    citation: Citation


class SelectionOut(Out):
    """Which non-DAEB components to hand to market parties so that plan-level limits hold (verlicht.py)."""

    scope: str  # "verlicht" or "project:<id>"
    keep_by: Literal["value", "units"]
    method: Literal["exact", "heuristic", "none"]
    feasible: bool | None = None
    kept: list[str] = Field(default_factory=list)
    handed_over: list[str] = Field(default_factory=list)
    limits: list[LimitOut] = Field(default_factory=list)
    text: str


class Splits(Out):
    parts: list[SplitPart] = Field(default_factory=list)
    projects: list[ProjectSplit] = Field(default_factory=list)
    selections: list[SelectionOut] = Field(default_factory=list)


class RouteStep(Out):
    order: int
    id: str
    title: str
    kind: str
    actor: str
    legal_basis: list[Citation]
    depends_on: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    period_weeks: int | None = None
    period_param: str | None = None
    earliest_start: str
    earliest_end: str  # equals earliest_start when the step has no statutory duration (end_known false)
    components: list[str] = Field(default_factory=list)
    end_known: bool = True  # false: no statutory period or date; the real end depends on the actor
    due: str | None = None  # statutory date by which the step must be done (yearly cycle or fixed date)
    latest_end: str | None = None  # end when the decision period is extended as far as the law allows
    overdue: bool = False  # the statutory date lies before the earliest start


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
    splits: Splits = Field(default_factory=Splits)
    route: list[RouteStep] = Field(default_factory=list)


def canonical_json(data: Any) -> str:
    """Deterministic JSON text: fixed key order from the models, UTF-8, 2-space indent, final newline.

    Result models (one, or a list of them) are written by orjson, which gives the same bytes as
    `json.dumps(..., ensure_ascii=False, indent=2)` for everything a result holds: strings, ints,
    bools, null (amounts and ratios are decimal strings, never floats; orjson would write small
    floats differently) and ~10x faster (tests/test_canonical_json.py holds the two to that). Other
    data, and anything orjson refuses (ints beyond 64 bits, lone surrogates), go through json."""
    models = isinstance(data, BaseModel) or (isinstance(data, list) and data
                                              and all(isinstance(d, BaseModel) for d in data))
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    elif models:
        data = [d.model_dump(mode="json") for d in data]
    if models:
        import orjson

        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def sha256_of(data: Any) -> str:
    import hashlib

    from .hashing import compact_sorted

    return hashlib.sha256(compact_sorted(data)).hexdigest()

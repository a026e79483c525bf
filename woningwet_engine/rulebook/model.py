"""Rule-file and condition-catalogue models (pydantic)."""

# No `from __future__ import annotations` here: pydantic would then parse every annotation string
# when the models are defined, which slows down every start of the CLI (docs/benchmarks.md).

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import invalid

RULE_ID = r"^(GEB|DAEB|MV|BOG|LFB|MT|SCH|FIN|TOE|PT|VK|GEO|REL)-\d{2}(\.[a-z0-9][a-z0-9-]*)?$"
CONDITION_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CHECK_ID = r"^PLAN-[A-Z0-9]+(-[A-Z0-9]+)*$"


class Strict(BaseModel):
    # defer_build: validators are built on first validation; a rulebook unpickled from the cache
    # (rulebook/cache.py) never needs them, which saves start-up time
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, defer_build=True)


class Verdict(str, Enum):
    daeb = "daeb"
    non_daeb = "non_daeb"
    needs_decision = "needs_decision"
    forbidden = "forbidden"


# precedence: higher wins (forbidden > needs_decision > non_daeb > daeb)
PRECEDENCE = {"daeb": 1, "non_daeb": 2, "needs_decision": 3, "forbidden": 4}


class Confidence(str, Enum):
    verified = "verified"
    secondary = "secondary"
    unverified = "unverified"


CONFIDENCE_RANK = {"verified": 0, "secondary": 1, "unverified": 2}


class Bilingual(Strict):
    nl: Annotated[str, Field(min_length=1, max_length=2000)]
    en: Annotated[str, Field(min_length=1, max_length=2000)]


ONDERDEEL = r"^[a-z]{1,2}$"
SUB = r"^[0-9]{1,2}°$"
RANGE = r"^[a-z]{1,2}-[a-z]{1,2}$"


class CiteBy(Strict):
    """Which onderdeel (and sub-point) of a listing provision decided, read from one fact's value.

    A rule such as 'excluded services (BTIV 47 a-p)' fires for one listed item; its reason must
    cite that item, not the list. `map` goes from the fact's value (as written in the case
    vocabulary, booleans as "true"/"false") to "c" or "a 1°".
    """

    fact: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    map: tuple[tuple[str, str], ...]

    @field_validator("map", mode="before")
    @classmethod
    def _pairs(cls, value):
        if isinstance(value, dict):
            value = tuple((str(k).lower() if isinstance(k, bool) else str(k), str(v)) for k, v in value.items())
        return value

    @field_validator("map")
    @classmethod
    def _targets(cls, value):
        if not value:
            raise invalid("rules.map_empty")
        for key, target in value:
            parts = target.split()
            if re.match(RANGE, target):
                continue
            if not (1 <= len(parts) <= 2 and re.match(ONDERDEEL, parts[0])
                    and (len(parts) == 1 or re.match(SUB, parts[1]))):
                raise invalid("rules.map_target", key=key, target=repr(target))
        return value

    def target(self, value) -> dict | None:
        """The citation fields for this fact value: onderdeel/sub, or onderdelen for a whole list;
        the key '*' stands for every value not listed."""
        key = str(value).lower() if isinstance(value, bool) else str(value)
        hit = dict(self.map).get(key, dict(self.map).get("*"))
        return None if hit is None else self.target_of(hit)

    @staticmethod
    def target_of(hit: str) -> dict:
        if re.match(RANGE, hit):
            return {"onderdelen": hit}
        parts = hit.split()
        return {"onderdeel": parts[0], "sub": parts[1] if len(parts) > 1 else None}


class LegalBasis(Strict):
    bwb: Annotated[str, Field(pattern=r"^BWB[RV]\d{7}$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    article: Annotated[str, Field(pattern=r"^[0-9]+[a-z]{0,2}$|^[IVXLC]+$|^bijlage ?[0-9IVX]+$")]
    lid: Annotated[str, Field(pattern=r"^[0-9]+[a-z]?$")] | None = None
    onderdeel: Annotated[str, Field(pattern=ONDERDEEL)] | None = None
    sub: Annotated[str, Field(pattern=SUB)] | None = Field(None, description="sub-point such as 2°")
    onderdelen: Annotated[str, Field(pattern=r"^[a-z]{1,2}-[a-z]{1,2}$|^[0-9]{1,2}°-[0-9]{1,2}°$")] | None = Field(
        None, description="the rule applies this whole list (e.g. the steps a-i of a procedure), not one item of it")
    aanhef: bool = Field(False, description="the opening words of the cited level decide (e.g. the main "
                                            "sentence of a lid whose onderdelen are exceptions)")
    by: CiteBy | None = Field(None, description="the deciding onderdeel depends on a fact's value")
    policy: bool = Field(False, description="not statute: a supervisor's or guarantor's policy norm; cited "
                                            "for context only")
    valid_from: dt.date | None = Field(None, description="first day this numbering is the text in force (a later "
                                                         "consolidation renumbered the provision)")
    valid_to: dt.date | None = Field(None, description="last day this numbering is the text in force")

    def in_force(self, on: dt.date) -> bool:
        """Is this the numbering of the text in force on `on`?"""
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)

    @model_validator(mode="after")
    def _levels(self):
        if self.by is not None and (self.onderdeel is not None or self.onderdelen is not None):
            raise invalid("rules.by_and_onderdeel")
        if self.onderdelen is not None and self.onderdelen[0].isdigit() and self.onderdeel is None:
            raise invalid("rules.sub_range")
        if self.onderdelen is not None and not self.onderdelen[0].isdigit() and self.onderdeel is not None:
            raise invalid("rules.onderdelen_and_onderdeel")
        return self

    def spanning(self) -> "LegalBasis":
        """This basis citing the range of onderdelen its mapping can choose (no fact to choose by)."""
        if self.by is None:
            return self
        letters = sorted({t.split()[0].split("-")[0] for _, t in self.by.map} |
                         {t.split("-")[-1] for _, t in self.by.map if "-" in t}, key=lambda x: (len(x), x))
        span = letters[0] if len(letters) == 1 else f"{letters[0]}-{letters[-1]}"
        update = {"onderdeel": span, "by": None} if len(letters) == 1 else {"onderdelen": span, "by": None}
        return self.model_copy(update=update)

    def deciding(self, fact: dict) -> "LegalBasis":
        """This basis narrowed to the onderdeel the fact decides (itself when there is no mapping)."""
        if self.by is None:
            return self
        hit = self.by.target(fact.get(self.by.fact))
        if hit is None:
            return self
        return self.model_copy(update={**hit, "by": None})


def bases_on(legal_basis, on: dt.date) -> list:
    """The legal bases of a rule (condition, parameter ...) in the numbering of the text in force on `on`.

    A provision renumbered by a later consolidation is listed twice, each entry with the dates of its
    numbering, so a reason cites the article, lid and onderdeel of the text the case date reads."""
    return [lb for lb in legal_basis if lb.in_force(on)]


def uncovered(legal_basis, start: dt.date, end: dt.date | None) -> list[tuple[dt.date, dt.date | None]]:
    """The periods within [start, end] on which no basis of the list is in force (dated citations)."""
    gaps, day = [], start
    for lb in sorted(legal_basis, key=lambda b: b.valid_from or dt.date.min):
        if end is not None and day > end:
            break
        if lb.valid_from is not None and lb.valid_from > day:
            gaps.append((day, min(lb.valid_from - dt.timedelta(days=1), end or dt.date.max)))
        if lb.valid_to is None:
            return gaps
        day = max(day, lb.valid_to + dt.timedelta(days=1))
    if end is None or day <= end:
        gaps.append((day, end))
    return gaps


class Outcome(Strict):
    """What a rule concludes when its branch fires."""

    verdict: Verdict | None = None
    violation: bool = False
    conditions: list[Annotated[str, Field(pattern=CONDITION_ID)]] = Field(default_factory=list)
    party: Literal["corporation", "corporation_non_daeb", "market", "municipality", "care_or_welfare"] | None = None
    explain: Bilingual


Scope = Literal["component", "project", "plan"]


class Rule(Strict):
    id: Annotated[str, Field(pattern=RULE_ID)]
    title: Bilingual
    scope: Scope = "component"
    valid_from: dt.date
    valid_to: dt.date | None = None
    legal_basis: list[LegalBasis] = Field(min_length=1)
    confidence: Confidence
    when: Annotated[str, Field(min_length=1, max_length=4000)]
    test: Annotated[str, Field(min_length=1, max_length=4000)] | None = None
    check: Annotated[str, Field(pattern=CHECK_ID)] | None = Field(
        None, description="plan check id: then = pass, else = fail")
    then: Outcome
    else_: Outcome | None = Field(None, alias="else")
    note: Annotated[str, Field(max_length=2000)] | None = None
    question: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")] | None = Field(
        None, description="the question this rule governs (e.g. markttoets): on a date outside its validity, a "
                          "component it would apply to is told that it is not (yet / any longer) in force (inforce.py)")

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, populate_by_name=True,
                              defer_build=True)

    @model_validator(mode="after")
    def _shape(self):
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise invalid("rules.dates_reversed")
        if (self.test is None) != (self.else_ is None):
            raise invalid("rules.test_else")
        if self.check is not None and self.test is None:
            raise invalid("rules.check_test")
        if self.scope != "component" and self.check is None:
            raise invalid("rules.scope_check", scope=self.scope)
        if self.question is not None and self.scope != "component":
            raise invalid("rules.question_scope")
        for branch in (self.then, self.else_):
            if branch is not None and self.scope != "component" and branch.verdict is not None:
                raise invalid("rules.verdict_scope")
        return self

    @property
    def catalogue_id(self) -> str:
        return self.id.split(".")[0]

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class RuleFile(Strict):
    topic: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    title: Bilingual
    rules: list[Rule] = Field(min_length=1, max_length=500)


class ConditionDef(Strict):
    """A condition or approval a rule can trigger; ids are stable and used by the route."""

    id: Annotated[str, Field(pattern=CONDITION_ID)]
    title: Bilingual
    kind: Literal["approval", "procedure", "view", "financing", "separation", "reporting", "obligation", "price"]
    actor: Annotated[str, Field(max_length=200)]
    legal_basis: list[LegalBasis] = Field(min_length=1)
    period_weeks: int | None = Field(None, ge=0, le=520)
    period_param: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    depends_on: list[Annotated[str, Field(pattern=CONDITION_ID)]] = Field(default_factory=list)
    evidence: list[Bilingual] = Field(default_factory=list)
    # statutory calendar (route.py): a yearly date by which the step is done ("07-01": before 1 July),
    # a fixed final date, and the extension the decision period may get
    due_yearly: Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")] | None = None
    deadline: dt.date | None = None
    extension_param: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")] | None = None


class ConditionCatalogue(Strict):
    conditions: list[ConditionDef] = Field(min_length=1)


class OutOfScopeEntry(Strict):
    id: Annotated[str, Field(pattern=r"^(GEB|DAEB|MV|BOG|LFB|MT|SCH|FIN|TOE|PT|VK|GEO|REL)-\d{2}$")]
    reason: Bilingual
    legal_basis: list[LegalBasis] = Field(min_length=1)


class OutOfScope(Strict):
    out_of_scope: list[OutOfScopeEntry] = Field(default_factory=list)


class DerivationDef(Strict):
    """A declared derived fact (rules/derivations.yaml): what it produces, the figures it reads, its
    dates and constants, when it applies and on what legal basis. The body is derivations.FUNCTIONS[function]."""

    id: Annotated[str, Field(pattern=CONDITION_ID)]
    title: Bilingual
    scope: Scope
    function: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    produces: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(min_length=1)
    reads: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]] = Field(default_factory=list)
    dates: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], dt.date] = Field(default_factory=dict)
    constants: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], int] = Field(default_factory=dict)
    valid_from: dt.date
    valid_to: dt.date | None = None
    legal_basis: list[LegalBasis] = Field(min_length=1)
    note: Annotated[str, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _shape(self):
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise invalid("rules.dates_reversed")
        return self

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class DerivationFile(Strict):
    derivations: list[DerivationDef] = Field(min_length=1)

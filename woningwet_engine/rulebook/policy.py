"""Policy as data: who carries what (rules/policy/parties.yaml) and how a fact maps back to the case
field a remedy changes (rules/policy/remedies.yaml).

The split stage (split.py) walks the party policy in order: the first entry whose `verdicts` hold the
component's verdict, whose `when` condition (the rule language, over the component fact) is TRUE and
whose other tests pass decides the party, the sentence (a key of the catalogue's `split` section) and
the legal basis (named bases of the file, `deciding`: the deciding rule's, `cited`: the rule the entry
cites by its topic). Rules are matched by their topic (the rule file), never by the shape of their id.
The remedies map lists, per changeable fact, the case field, its unit, the kind of move and (for an
approval or procedure) the condition it stands for.
"""

# No `from __future__ import annotations` here (pydantic; see model.py).

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import Field

from ..conditions.nodes import Condition
from .model import CONDITION_ID, LegalBasis, Strict, bases_on

Party = Literal["corporation", "corporation_non_daeb", "market", "municipality", "care_or_welfare"]
VerdictName = Literal["daeb", "non_daeb", "needs_decision", "forbidden", "undetermined"]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class PartyEntry(Strict):
    id: Annotated[str, Field(pattern=CONDITION_ID)]
    verdicts: list[VerdictName] = Field(min_length=1)
    when: Annotated[str, Field(min_length=1, max_length=2000)] | None = None
    with_conditions: list[Annotated[str, Field(pattern=CONDITION_ID)]] = Field(
        default_factory=list, description="applies only when the component triggers one of these conditions")
    only_if_rule_party: list[Party | Literal["none"]] = Field(
        default_factory=list, description="applies only when the deciding rules name one of these parties")
    party: Party | Literal["rule", "result"]
    default_party: Party = "corporation"
    cite_topic: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")] | None = Field(
        None, description="cite the first fired rule of this topic (else the deciding rule)")
    text: Name
    how: Name | None = None
    basis: list[Name] = Field(default_factory=list)
    fallback_basis: list[Name] = Field(default_factory=list)
    public_space_share: bool = False


class PublicSpace(Strict):
    rule: Annotated[str, Field(min_length=1, max_length=100)]
    basis: Name
    text: Name


class BogSelection(Strict):
    catalogue_ids: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(min_length=1)
    floor_share_param: Name
    cost_param: Name
    basis: Name


class VerlichtLimit(Strict):
    """One Ww 49 lid 1 criterion: `test` (the rule language, over the plan fact) decides whether it
    holds, so a bounded figure (an interval) stays undetermined; `fact` and `param` are what it reads
    and what the result shows."""
    param: Name
    fact: Name
    # absent only in rulebooks recorded before the field existed (audit replay): then "fact < param",
    # the "minder dan" of Ww 49 lid 1 that split.py applied at the time
    test: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    unit: Literal["eur", "ratio"]
    basis: Name
    given_only: bool = False


class VerlichtSelection(Strict):
    limits: list[VerlichtLimit] = Field(min_length=1)
    investment_share_param: Name
    basis: Name


class Selections(Strict):
    bog: BogSelection
    verlicht: VerlichtSelection


class PartyPolicyFile(Strict):
    legal_bases: dict[Name, list[LegalBasis]]
    policy: list[PartyEntry] = Field(min_length=1)
    public_space: PublicSpace
    selections: Selections


class RemedyField(Strict):
    path: Annotated[str, Field(pattern=r"^~?[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
    unit: Literal["eur", "int", "bool", "enum"]
    kind: Literal["numeric", "change", "approval", "procedure"]
    condition: Annotated[str, Field(pattern=CONDITION_ID)] | None = None
    lo: int = Field(0, ge=0)


class RemedyFile(Strict):
    facts: dict[Name, RemedyField]
    enum_preference: dict[Name, list[Annotated[str, Field(min_length=1, max_length=100)]]] = Field(
        default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """The loaded policy files; `conditions` holds each party entry's parsed `when` (None: always)
    and, under "limit:<param>", the parsed `test` of each verlicht limit."""

    parties: PartyPolicyFile | None = None
    conditions: dict = field(default_factory=dict)
    remedies: RemedyFile | None = None

    def basis(self, name: str, on: dt.date | None = None) -> list[LegalBasis]:
        """The legal basis called `name`; on a date, in the numbering of the text in force then."""
        bases = list(self.parties.legal_bases[name]) if self.parties is not None else []
        return bases if on is None else bases_on(bases, on)

    def entries(self) -> list[tuple[PartyEntry, Condition | None]]:
        if self.parties is None:
            return []
        return [(e, self.conditions.get(e.id)) for e in self.parties.policy]

"""Shared helpers for rule scenario tests: build small cases in code and judge them.

Usage (from any test module under tests/, which pytest puts on sys.path):

    from rulehelpers import judge_component, make_case, component, judge, rule_ids

    r = judge_component("2015-09-01", dwelling={"rent": 710.68})
    assert r.verdict == "daeb" and "DAEB-01.b" in rule_ids(r)

`component(**overrides)` gives a component dict with sensible defaults for its object kind (a DAEB
rental dwelling built in Utrecht on built land by default). Overrides are merged deeply: nested
dicts update the default block, and a value of None removes a key. `make_case` wraps components
(dicts or Component objects) into a validated Case of a corporation working in Utrecht.
"""

from __future__ import annotations

import copy
import datetime as dt
from functools import lru_cache
from typing import Any, Iterable

from woningwet_engine.case import Case
from woningwet_engine.engine import judge as _judge
from woningwet_engine.result import ComponentResult, PlanCheck, Result
from woningwet_engine.rulebook import load_rulebook

UTRECHT = "GM0344"
NIEUWEGEIN = "GM0356"
AMSTERDAM = "GM0363"
DEN_HAAG = "GM0518"
ROTTERDAM = "GM0599"

# default activity and object block per object kind
_DEFAULT_ACTIVITY = {
    "dwelling": "build", "mv": "build", "bog": "build", "parking": "build", "land": "acquire",
    "surroundings": "renovate", "public_space": "renovate", "leefbaarheid": "spend", "service": "service",
    "verbinding": "lend",
}
_DEFAULT_BLOCK: dict[str, tuple[str, dict]] = {
    "dwelling": ("dwelling", {"self_contained": True, "tenure": "rent", "rent": "600.00"}),
    "mv": ("mv", {"vera_code": "BUU", "function": "buurthuis", "tenant_type": "social_foundation"}),
    "bog": ("bog", {"use": "shop"}),
    "parking": ("parking", {"use": "dwellings", "for_daeb_dwellings": True}),
    "leefbaarheid": ("leefbaarheid", {"category": "woonmaatschappelijk_werk", "annual_amount": "10000",
                                      "near_own_property_or_tenants": True}),
    "service": ("service", {"kind": "living_related", "for_residents": True}),
    "verbinding": ("verbinding", {"counterparty": "subsidiary", "after_formation": True, "amount": "100000"}),
}
_NEEDS_LAND = {"dwelling", "mv", "bog", "parking", "land"}


def rule_file(topic: str, rule_id: str, nl: str, en: str, explain_nl: str | None = None) -> str:
    """A minimal rule file for tests that break a rules directory: one rule, in force from
    2015-07-01 under Woningwet art. 47 lid 1, that makes a component DAEB; its condition is the
    placeholder WHEN for the test to fill in (`nl`/`en`: the titles; the Dutch explanation is
    `explain_nl`, else `nl`)."""
    return RULE_TEMPLATE.format(topic=topic, rule_id=rule_id, nl=nl, en=en, explain_nl=explain_nl or nl)


RULE_TEMPLATE = """topic: {topic}
title: {{nl: {nl}, en: {en}}}
rules:
  - id: {rule_id}
    title: {{nl: {nl}, en: {en}}}
    valid_from: 2015-07-01
    legal_basis:
      - {{bwb: BWBR0005181, name: Woningwet, article: "47", lid: "1"}}
    confidence: verified
    when: WHEN
    then:
      verdict: daeb
      explain: {{nl: {explain_nl}, en: {nl}}}
"""


def as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def deep_merge(base: dict, overrides: dict) -> dict:
    """Copy of `base` updated with `overrides`: dicts merge recursively, None deletes the key."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def component(**overrides: Any) -> dict:
    """A component dict: defaults for its object kind, deep-merged with `overrides`."""
    obj = overrides.get("object", "dwelling")
    base: dict = {
        "id": "C1",
        "title": f"test {obj}",
        "activity": _DEFAULT_ACTIVITY.get(obj, "build"),
        "object": obj,
        "location": {"municipality": UTRECHT, "area_has_corporation_homes": True, "wijk_function": True,
                     "adjacent_to_own_property": True},
    }
    if obj in ("dwelling", "mv", "bog", "parking"):
        base.update({"units": 10, "floor_area_m2": 800, "cost": "2000000"})
    if obj in _NEEDS_LAND:
        base["land"] = {"built": True, "acquired_on": "1962-01-01"}
    if obj in _DEFAULT_BLOCK:
        name, block = _DEFAULT_BLOCK[obj]
        base[name] = dict(block)
    if overrides.get("activity") == "sell" and "sale" not in overrides:
        base["sale"] = {"buyer": "sitting_tenant", "price": "200000", "leegwaarde": "200000"}
    return deep_merge(base, overrides)


def corporation(**overrides: Any) -> dict:
    """A mid-size corporation at home in Utrecht, also working in Nieuwegein."""
    base = {
        "name": "Test Woonstichting",
        "aw_l_number": "L0001",
        "home_municipality": UTRECHT,
        "municipalities": [UTRECHT, NIEUWEGEIN],
        "daeb_rental_homes": 10000,
    }
    return deep_merge(base, overrides)


def make_case(date: dt.date | str, components: Iterable[dict | Any], *,
              performance_agreements: list[dict] | None = None, lettings: list[dict] | None = None,
              agreed: Iterable[str] = (), illustrative: bool = False, case_id: str = "test-case",
              **corporation_overrides: Any) -> Case:
    """A validated Case on `date`; `agreed` lists component ids covered by a performance agreement."""
    comps = [c.model_dump(mode="json", by_alias=True) if hasattr(c, "model_dump") else c for c in components]
    agreements = list(performance_agreements or [])
    agreed = list(agreed)
    if agreed:
        agreements.append({"id": "PA-TEST", "municipality": UTRECHT, "year": as_date(date).year,
                           "parties": ["gemeente", "corporatie", "huurdersorganisatie"], "covers": agreed})
    data = {
        "case_id": case_id,
        "title": "test case",
        "date": as_date(date).isoformat(),
        "illustrative": illustrative,
        "corporation": corporation(**corporation_overrides),
        "performance_agreements": agreements,
        "components": comps,
        "lettings": list(lettings or []),
    }
    return Case.model_validate(data)


@lru_cache(maxsize=1)
def rulebook():
    return load_rulebook()


def judge(case: Case, at: dt.date | str | None = None, lang: str = "en") -> Result:
    return _judge(case, rulebook(), at=as_date(at) if at is not None else None, lang=lang)


def judge_one(date: dt.date | str, *, corp: dict | None = None, agreed: bool = False, lang: str = "en",
              **component_overrides: Any) -> Result:
    """Judge a case with one component (see `component`) on `date`; `agreed`: in prestatieafspraken."""
    comp = component(**component_overrides)
    case = make_case(date, [comp], agreed=[comp["id"]] if agreed else [], **(corp or {}))
    return judge(case, lang=lang)


def judge_component(date: dt.date | str, *, corp: dict | None = None, agreed: bool = False, lang: str = "en",
                    **component_overrides: Any) -> ComponentResult:
    """The ComponentResult of a one-component case on `date`."""
    return judge_one(date, corp=corp, agreed=agreed, lang=lang, **component_overrides).components[0]


def judge_plinth(date: dt.date | str, bog_m2: int = 100, bog_cost: str = "100000", homes_m2: int = 3000,
                 homes_cost: str = "6000000", *, lang: str = "en", **shop_overrides: Any) -> ComponentResult:
    """The shop plinth (component 'S') of an investment 'P1' of social homes ('W') plus the plinth."""
    homes = component(id="W", project="P1", floor_area_m2=homes_m2, cost=homes_cost)
    shop = component(**deep_merge({"id": "S", "project": "P1", "object": "bog", "floor_area_m2": bog_m2,
                                   "cost": bog_cost}, shop_overrides))
    return judge(make_case(date, [homes, shop]), lang=lang).components[1]


NOT_APPLIED = ("undetermined", "not_in_force")  # reasons of rules that did not fire on the fact


def rule_ids(cr: ComponentResult, effect: str | None = None) -> set[str]:
    """Ids of the rules among the reasons (optionally only of one effect: verdict, condition, ...);
    without an effect, rules that are only named as not in force on the date are left out."""
    return {r.rule for r in cr.reasons if (r.effect != "not_in_force" if effect is None else r.effect == effect)}


def verdict_rules(cr: ComponentResult) -> set[str]:
    """Rules whose reason carries the component's final verdict."""
    return rule_ids(cr, "verdict")


def fired(cr: ComponentResult, rule_id: str) -> bool:
    """Did some branch of `rule_id` fire (any effect except undetermined and not in force)?"""
    return any(r.rule == rule_id and r.effect not in NOT_APPLIED for r in cr.reasons)


def fired_branch(cr: ComponentResult, rule_id: str) -> str | None:
    """'then' or 'else' for the fired branch of `rule_id`, None if it did not fire."""
    for r in cr.reasons:
        if r.rule == rule_id and r.effect not in NOT_APPLIED:
            return r.branch or "then"
    return None


def condition_ids(cr: ComponentResult) -> set[str]:
    return {c.id for c in cr.conditions}


def plan_check(result: Result, check_id: str, subject: str | None = None) -> PlanCheck:
    """The plan check `check_id` (optionally for one subject such as 'plan' or 'project:P1')."""
    found = [c for c in result.plan.checks if c.id == check_id and (subject is None or c.subject == subject)]
    if len(found) != 1:
        raise AssertionError(f"expected one plan check {check_id} ({subject}), found {len(found)}: "
                             f"{[(c.id, c.subject) for c in result.plan.checks]}")
    return found[0]


def plan_check_ids(result: Result) -> set[str]:
    return {c.id for c in result.plan.checks}


def in_force(rule_id: str, date: dt.date | str) -> bool:
    return any(cr.rule.id == rule_id for cr in rulebook().at(as_date(date)).rules)


def rests_on(component, rule_id: str) -> bool:
    """One of the component's assumptions names the rule (by its title, in either language)."""
    t = rulebook().rule(rule_id).rule.title
    return any(a.startswith((f"‘{t.en}’", f"‘{t.nl}’")) for a in component.assumptions)

"""Market-party splits (split.py): the Kanaleneiland sample against the catalogue's §5 split column,
mixed investments split by units and floor area with shared costs pro rata, and the BOG selection."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine.case import Case, load_case
from woningwet_engine.result import canonical_json
from woningwet_engine.split import allocate

ROOT = Path(__file__).resolve().parents[1]
KEEP = {"corporation", "corporation_non_daeb"}


def cents(text):
    return int(Decimal(text) * 100)


@pytest.fixture(scope="module")
def k2016():
    return judge(load_case(ROOT / "cases" / "kanaleneiland-2016.yaml"), lang="en")


def parts_of(result, cid):
    return [p for p in result.splits.parts if p.component == cid]


def test_kanaleneiland_2016_follows_catalogue_split_column(k2016):
    comps = {c.id: c for c in k2016.components}
    party = {cid: c.party for cid, c in comps.items()}
    # catalogue §5, column "suggested market split", 2015 regime
    assert party["K4"] in {"market", "corporation_non_daeb"}
    assert party["K5"] == "market"
    k5 = parts_of(k2016, "K5")[0]
    assert "land" in k5.how and k5.citation.article == "24" and k5.citation.onderdeel == "e"
    assert party["K8"] == "municipality"
    assert party["K9"] in {"market", "municipality"}
    assert party["K11"] in {"municipality", "care_or_welfare"}
    assert party["K16"] in {"market", "care_or_welfare"}
    assert party["K12"] == "market"  # the sale is the split
    for cid in ("K1", "K2", "K3", "K7", "K10", "K13"):
        assert party[cid] == "corporation", cid
    # the public-space part of K17 goes to the municipality, the adjacent surroundings stay
    k17 = {p.party: p for p in parts_of(k2016, "K17")}
    assert set(k17) == {"corporation", "municipality"}
    assert Decimal(k17["municipality"].share) == Decimal("0.3")
    assert cents(k17["municipality"].cost) + cents(k17["corporation"].cost) == 90_000_000
    assert k17["municipality"].citation.article == "45"
    # everything the corporation keeps is DAEB, allowed non-DAEB, or allowed after an approval it can ask for
    for part in k2016.splits.parts:
        comp = comps[part.component]
        if part.party in KEEP:
            assert comp.verdict in {"daeb", "non_daeb", "needs_decision"}, part.component
            if comp.verdict == "needs_decision":
                assert any(r.kind == "approval" for r in comp.remediation)
            if part.party == "corporation":
                assert comp.verdict != "non_daeb"
        assert part.reason and part.citation.url.startswith("https://wetten.overheid.nl/")
    # no forbidden component stays with the corporation
    assert all(c.party not in KEEP for c in k2016.components if c.verdict == "forbidden")


def test_kanaleneiland_2022_lets_the_corporation_keep_middenhuur():
    r = judge(load_case(ROOT / "cases" / "kanaleneiland-2022.yaml"), lang="en")
    party = {c.id: c.party for c in r.components}
    assert party["K4"] == "corporation_non_daeb"  # no markttoets after 2022-01-01
    assert party["K5"] == "market"


def test_shared_costs_are_allocated_pro_rata_to_floor_area(k2016):
    case = load_case(ROOT / "cases" / "kanaleneiland-2016.yaml")
    project = next(p for p in case.projects if p.id == "P-NOORD")
    total = sum(sc.amount for sc in project.shared_costs)
    members = [c for c in case.components if c.project == "P-NOORD"]
    floor = sum(c.floor_area_m2 or 0 for c in members)
    allocated = {p.component: cents(p.shared_cost) for p in k2016.splits.parts if p.component in {c.id for c in members}}
    assert sum(allocated.values()) == total
    for c in members:
        exact = Decimal(total) * (c.floor_area_m2 or 0) / floor
        assert abs(allocated[c.id] - exact) < 1
    ps = next(p for p in k2016.splits.projects if p.project == "P-NOORD")
    assert sum(cents(t.shared_cost) for t in ps.parties) == total
    assert sum(t.floor_area_m2 for t in ps.parties) == ps.floor_area_m2 == floor


def test_mixed_investment_150_social_100_midrent_with_land():
    social = component(id="SOC", project="P1", units=150, floor_area_m2=11250, cost="25000000",
                       dwelling={"rent": "600.00"}, financing="wsw")
    mid = component(id="MID", project="P1", units=100, floor_area_m2=8000, cost="20000000",
                    dwelling={"rent": "850.00"}, financing="market",
                    land={"built": True, "acquired_on": "2018-01-01"})
    base = make_case("2016-06-01", [social, mid])
    data = base.model_dump(mode="json")
    data["projects"] = [{"id": "P1", "shared_costs": [{"kind": "land", "amount": "3850000"},
                                                      {"kind": "parking", "amount": "1000000"}]}]
    result = judge(Case.model_validate(data))
    parts = {p.component: p for p in result.splits.parts}
    assert parts["SOC"].party == "corporation"
    assert parts["MID"].party == "market"
    assert "land" in parts["MID"].how
    total = 485_000_000
    assert cents(parts["SOC"].shared_cost) + cents(parts["MID"].shared_cost) == total
    assert cents(parts["MID"].shared_cost) == total * 8000 // 19250 or \
        cents(parts["MID"].shared_cost) == total * 8000 // 19250 + 1
    project = result.splits.projects[0]
    by_party = {t.party: t for t in project.parties}
    assert by_party["corporation"].units == 150 and by_party["market"].units == 100
    assert by_party["market"].floor_area_m2 == 8000


def test_bog_selection_hands_over_the_least_and_the_rest_is_allowed():
    dwellings = component(id="D", project="P", floor_area_m2=6000, cost="12000000")
    shop_a = component(id="A", object="bog", project="P", floor_area_m2=1500, cost="3000000",
                       bog={"use": "shop"}, financing="market")
    shop_b = component(id="B", object="bog", project="P", floor_area_m2=1000, cost="2000000",
                       bog={"use": "horeca"}, financing="market")
    case = make_case("2021-06-01", [dwellings, shop_a, shop_b])  # BTIV 52 holds until 2021
    result = judge(case)
    verdicts = {c.id: c.verdict for c in result.components}
    assert verdicts["A"] == verdicts["B"] == "forbidden"  # 2,500 of 8,500 m2 is above 25%
    sel = next(s for s in result.splits.selections if s.scope == "project:P")
    assert sel.method == "exact" and sel.feasible
    assert sel.kept == ["A"] and sel.handed_over == ["B"]  # keep the most value: A is worth more
    party = {c.id: c.party for c in result.components}
    assert party["A"] == "corporation_non_daeb" and party["B"] == "market"
    # the suggestion is real: without B the project meets BTIV 52 and A is no longer forbidden
    data = case.model_dump(mode="json")
    data["components"] = [c for c in data["components"] if c["id"] != "B"]
    after = judge(Case.model_validate(data))
    assert {c.id: c.verdict for c in after.components}["A"] != "forbidden"


def test_bog_selection_by_units_prefers_the_component_with_more_units():
    dwellings = component(id="D", project="P", floor_area_m2=6000, cost="12000000")
    shop_a = component(id="A", object="bog", project="P", floor_area_m2=1500, cost="3000000", units=1,
                       bog={"use": "shop"}, financing="market")
    shop_b = component(id="B", object="bog", project="P", floor_area_m2=1000, cost="2000000", units=4,
                       bog={"use": "practice"}, financing="market")
    from woningwet_engine.engine import judge as engine_judge

    result = engine_judge(make_case("2021-06-01", [dwellings, shop_a, shop_b]), rulebook(), lang="en",
                          keep_by="units")
    sel = next(s for s in result.splits.selections if s.scope == "project:P")
    assert sel.keep_by == "units" and sel.kept == ["B"] and sel.handed_over == ["A"]


def test_allocate_is_exact_and_pro_rata():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(0, [1, 2]) == [0, 0]
    assert allocate(10, [0, 0]) == [0, 0]
    out = allocate(1_000_001, [3, 7, 0, 5])
    assert sum(out) == 1_000_001 and out[2] == 0


def test_split_output_is_deterministic(k2016):
    again = judge(load_case(ROOT / "cases" / "kanaleneiland-2016.yaml"), lang="en")
    assert canonical_json(again) == canonical_json(k2016)

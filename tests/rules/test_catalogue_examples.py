"""Rules catalogue §6 example scenarios T01, T03, T12, T19, T22 and T38 (T32 and T34: see A2's tests)."""

from __future__ import annotations

from rulehelpers import AMSTERDAM, component, condition_ids, judge, judge_component, make_case, plan_check, \
    verdict_rules


def test_t01_new_build_rent_exactly_710_68_is_daeb():
    r = judge_component("2015-09-01", activity="build", dwelling={"rent": "710.68"})
    assert r.verdict == "daeb" and "DAEB-01.b" in verdict_rules(r)
    citation = next(x.citation for x in r.reasons if x.rule == "DAEB-01.b")
    assert (citation.bwb, citation.article, citation.lid, citation.onderdeel) == ("BWBR0005181", "47", "1", "b")


def test_t03_existing_non_self_contained_room_above_threshold_is_daeb():
    r = judge_component("2016-03-01", activity="let", dwelling={"self_contained": False, "rent": "750.00"})
    assert r.verdict == "daeb" and "DAEB-01.c" in verdict_rules(r)


def test_t12_leefbaarheid_exactly_at_the_cap_is_allowed():
    comp = component(object="leefbaarheid",
                     leefbaarheid={"category": "woonmaatschappelijk_werk", "annual_amount": "1250000"})
    result = judge(make_case("2015-09-01", [comp], agreed=["C1"], daeb_rental_homes=10000))
    assert result.components[0].verdict == "daeb"
    assert plan_check(result, "PLAN-LFB-CAP").status == "pass"


def test_t19_new_buurthuis_let_to_the_municipality():
    r = judge_component("2016-06-01", object="mv",
                        mv={"vera_code": "BUU", "function": "buurthuis", "tenant_type": "government"})
    assert r.verdict == "daeb" and r.compliant
    assert {"DAEB-03"} <= verdict_rules(r)
    assert "mv-tenant-restriction" in condition_ids(r)


def test_t22_shop_plinth_exactly_25_percent_and_10_million():
    homes = component(id="W", project="P", floor_area_m2=30000, cost="40000000")
    shop = component(id="S", project="P", object="bog", floor_area_m2=10000, cost="10000000",
                     bog={"annual_rent": "600000"})  # 6% initial return: RTIV 20 lid 1 a met
    case = make_case("2016-06-01", [homes, shop], non_daeb_icr="1.6", non_daeb_debt_woz_share="0.4")
    r = judge(case).components[1]
    assert r.verdict == "non_daeb" and r.compliant
    assert "DAEB-05" in verdict_rules(r)


def test_t38_building_in_amsterdam_without_declaration_is_forbidden():
    r = judge_component("2015-09-01", location={"municipality": AMSTERDAM})
    assert r.verdict == "forbidden" and "GEO-02" in verdict_rules(r)

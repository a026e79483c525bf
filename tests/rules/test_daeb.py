"""DAEB (Woningwet art. 47, BTIV 49 lid 4, 51 lid 3, 61, 79): every rule fires and fails to fire."""

from __future__ import annotations

import pytest

from rulehelpers import rests_on, condition_ids, fired, fired_branch, judge_component, judge_plinth, verdict_rules

D15, D16, D22 = "2015-09-01", "2016-06-01", "2022-06-01"


# DAEB-01.b / DAEB-02: the liberalisatiegrens, "ten hoogste": the limit itself is DAEB
@pytest.mark.parametrize("date,limit,above", [
    ("2015-09-01", "710.68", "710.69"),
    ("2019-06-01", "720.42", "720.43"),
    ("2022-06-01", "763.47", "763.48"),
    ("2026-03-01", "932.93", "932.94"),
])
def test_rent_at_the_liberalisatiegrens_is_daeb_one_cent_above_is_not(date, limit, above):
    at = judge_component(date, dwelling={"rent": limit})
    assert at.verdict == "daeb" and fired_branch(at, "DAEB-01.b") == "then"
    assert fired(at, "DAEB-02")
    over = judge_component(date, dwelling={"rent": above})
    assert over.verdict == "non_daeb" and fired_branch(over, "DAEB-01.b") == "else"
    assert not fired(over, "DAEB-02")


def test_same_rent_changes_class_across_the_2022_threshold_change():
    assert judge_component("2021-12-31", dwelling={"rent": "760.00"}).verdict == "non_daeb"  # 752.33
    assert judge_component("2022-01-01", dwelling={"rent": "760.00"}).verdict == "daeb"  # 763.47


def test_dwelling_without_rent_is_undetermined():
    r = judge_component(D16, dwelling={"rent": None})
    assert r.verdict == "undetermined"
    assert any(x.rule == "DAEB-01.b" and x.effect == "undetermined" for x in r.reasons)


def test_daeb_01c_non_self_contained_let_above_threshold_is_daeb():
    r = judge_component(D16, activity="let", dwelling={"self_contained": False, "rent": "750.00"})
    assert r.verdict == "daeb" and "DAEB-01.c" in verdict_rules(r)


def test_daeb_01c_not_for_building_non_self_contained_units_above_threshold():
    r = judge_component(D16, activity="build", dwelling={"self_contained": False, "rent": "750.00"})
    assert not fired(r, "DAEB-01.c")
    assert r.verdict == "non_daeb"


def test_daeb_01d_other_allocation_is_daeb_but_unverified():
    r = judge_component(D16, dwelling={"tenure": "other_allocation", "rent": None})
    assert r.verdict == "daeb" and "DAEB-01.d" in verdict_rules(r)
    assert rests_on(r, "DAEB-01.d")
    assert not fired(judge_component(D16), "DAEB-01.d")


def test_daeb_01e_maintenance_follows_the_rent():
    low = judge_component(D16, activity="renovate", dwelling={"rent": "550.00"})
    assert low.verdict == "daeb" and fired_branch(low, "DAEB-01.e") == "then"
    high = judge_component(D16, activity="renovate", dwelling={"rent": "800.00"})
    assert high.verdict == "non_daeb" and fired_branch(high, "DAEB-01.e") == "else"
    assert not fired(judge_component(D16, activity="build"), "DAEB-01.e")


def test_daeb_01e2_adjacent_surroundings():
    adj = judge_component(D15, object="surroundings", location={"adjacent_to_own_property": True})
    assert adj.verdict == "daeb" and "DAEB-01.e2" in verdict_rules(adj)
    far = judge_component(D15, object="surroundings", location={"adjacent_to_own_property": False})
    assert far.verdict == "forbidden" and "DAEB-01.e2" in verdict_rules(far)


def test_daeb_03_annex3_mv_is_daeb():
    r = judge_component(D16, object="mv", mv={"vera_code": "BUU"})
    assert r.verdict == "daeb" and "DAEB-03" in verdict_rules(r)
    unlisted = judge_component(D16, object="mv", mv={"vera_code": None, "function": "gezondheidscentrum"})
    assert not fired(unlisted, "DAEB-03")


def test_daeb_04_leefbaarheid_is_daeb():
    r = judge_component(D15, object="leefbaarheid", agreed=True, leefbaarheid={"category": "clean_safe_nuisance"})
    assert r.verdict == "daeb" and "DAEB-04" in verdict_rules(r)
    welfare = judge_component(D15, object="leefbaarheid", agreed=True, leefbaarheid={"category": "general_welfare"})
    assert not fired(welfare, "DAEB-04")


def test_daeb_05_bog_is_never_daeb():
    r = judge_plinth(D16)
    assert "DAEB-05" in verdict_rules(r) and r.verdict == "non_daeb"
    assert not fired(judge_component(D16), "DAEB-05")


def test_daeb_06_wsw_guarantee_for_non_daeb_is_a_violation():
    r = judge_component(D16, financing="wsw", dwelling={"rent": "850.00"})
    assert fired(r, "DAEB-06") and not r.compliant
    ok = judge_component(D16, financing="wsw", dwelling={"rent": "600.00"})
    assert not fired(ok, "DAEB-06") and ok.compliant
    market = judge_component(D16, financing="market", dwelling={"rent": "850.00"})
    assert not fired(market, "DAEB-06")


def test_daeb_08_new_build_for_sale_is_non_daeb_unverified():
    r = judge_component(D16, dwelling={"tenure": "sale", "rent": None})
    assert r.verdict == "non_daeb" and "DAEB-08" in verdict_rules(r)
    assert rests_on(r, "DAEB-08")
    assert not fired(judge_component(D16), "DAEB-08")
    sold = judge_component(D16, activity="sell", dwelling={"tenure": "sale", "rent": None},
                           sale={"buyer": "owner_occupier", "price": "300000", "leegwaarde": "300000"})
    assert sold.verdict == "non_daeb" and "DAEB-08" in verdict_rules(sold)


def test_daeb_10_liberalisation_on_reletting():
    up = judge_component(D16, activity="liberalise", dwelling={"rent": "780.00"})
    assert up.verdict == "non_daeb" and fired_branch(up, "DAEB-10") == "then"
    assert "transfer-market-value" in condition_ids(up)
    stays = judge_component(D16, activity="liberalise", dwelling={"rent": "710.68"})
    assert stays.verdict == "daeb" and fired_branch(stays, "DAEB-10") == "else"
    assert "transfer-market-value" not in condition_ids(stays)

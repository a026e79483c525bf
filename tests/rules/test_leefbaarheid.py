"""Leefbaarheid (Woningwet art. 45 lid 2 f; BTIV 48, 51), with the 2022 regime change."""

from __future__ import annotations

import pytest

from rulehelpers import rests_on, component, condition_ids, fired, fired_branch, judge, judge_component, make_case, \
    plan_check, plan_check_ids, verdict_rules

D15, D16, D22 = "2015-09-01", "2016-06-01", "2022-06-01"


def lfb(date, category="woonmaatschappelijk_werk", agreed=True, **block):
    return judge_component(date, object="leefbaarheid", agreed=agreed,
                           leefbaarheid=dict({"category": category}, **block))


def spend_case(date, amount, homes=10000, extra=()):
    comps = [component(id="L1", object="leefbaarheid", leefbaarheid={"annual_amount": amount}), *extra]
    return judge(make_case(date, comps, agreed=[c["id"] for c in comps], daeb_rental_homes=homes))


def test_lfb_01_in_prestatieafspraken_and_near_own_property():
    ok = lfb("2021-12-31")
    assert fired_branch(ok, "LFB-01") == "then" and ok.verdict == "daeb"
    assert "prestatieafspraken" in condition_ids(ok)


def test_lfb_01_not_in_prestatieafspraken_is_forbidden_until_2021():
    r = lfb("2021-12-31", agreed=False)
    assert r.verdict == "forbidden" and "LFB-01" in verdict_rules(r)
    far = lfb(D15, near_own_property_or_tenants=False)
    assert far.verdict == "forbidden" and fired_branch(far, "LFB-01") == "else"


def test_lfb_01_lapses_on_2022():
    r = lfb("2022-01-01", agreed=False)
    assert r.verdict == "daeb" and not fired(r, "LFB-01")


def test_lfb_02_exactly_at_the_2015_cap_passes():
    # T12: 10,000 DAEB homes, EUR 1,250,000 a year = EUR 125.00 per home; "ten hoogste"
    check = plan_check(spend_case(D15, "1250000"), "PLAN-LFB-CAP")
    assert check.status == "pass" and check.rule == "LFB-02"


def test_lfb_02_one_euro_over_the_cap_fails():
    result = spend_case(D15, "1250001")  # 125.0001 per home, rounded up to 125.01
    assert plan_check(result, "PLAN-LFB-CAP").status == "fail"
    assert not result.summary.compliant


def test_lfb_02_other_spend_counts_to_the_cap():
    result = judge(make_case(D15, [component(object="leefbaarheid", leefbaarheid={"annual_amount": "1000000"})],
                             agreed=["C1"], leefbaarheid_other_annual="250001"))
    assert plan_check(result, "PLAN-LFB-CAP").status == "fail"


@pytest.mark.parametrize("date", ["2016-01-01", "2019-06-01", "2021-12-31"])
def test_lfb_02_cap_2016_to_2021_is_bounded_below_by_125(date):
    # 10000 homes: EUR 1,250,000 is exactly EUR 125 per home, decided; one cent more per home is open
    assert plan_check(spend_case(date, "1250000"), "PLAN-LFB-CAP").status == "pass"
    check = plan_check(spend_case(date, "1250100"), "PLAN-LFB-CAP")
    assert check.status == "unknown"
    assert "liveability spending cap per DAEB rental dwelling (only bounded: at least EUR 125.00" in check.text
    assert "leefbaarheid_cap_per_daeb_home" in {p.id for p in check.inputs.params}  # the code stays in the inputs


def test_lfb_02_cap_abolished_from_2022():
    assert "PLAN-LFB-CAP" not in plan_check_ids(spend_case("2022-01-01", "5000000"))


def test_lfb_03_general_welfare_is_never_leefbaarheid():
    for date in (D15, D22):
        r = lfb(date, "general_welfare")
        assert r.verdict == "forbidden" and "LFB-03" in verdict_rules(r)
    assert not fired(lfb(D15), "LFB-03")


def test_ontmoeting_forbidden_on_2021_12_31_daeb_on_2022_01_01():
    before = lfb("2021-12-31", "ontmoeting")
    assert before.verdict == "forbidden" and "LFB-03.ontmoeting" in verdict_rules(before)
    after = lfb("2022-01-01", "ontmoeting")
    assert after.verdict == "daeb" and "LFB-04" in verdict_rules(after)
    assert not fired(after, "LFB-03.ontmoeting") and not fired(before, "LFB-04")
    # verified in the consolidations of 2022-01-01 (BTIV 51 d, Ww 47 lid 1 f): no longer an assumption
    assert not rests_on(after, "LFB-04")


def test_lfb_04_only_for_ontmoeting():
    assert not fired(lfb(D22, "clean_safe_nuisance"), "LFB-04")


def test_lfb_05_resident_activities_are_a_service_not_capped():
    r = lfb(D15, "resident_dwelling_activities", for_daeb_dwellings=True)
    assert r.verdict == "daeb" and "LFB-05" in verdict_rules(r)
    assert not fired(lfb(D15), "LFB-05")
    extra = component(id="R1", object="leefbaarheid",
                      leefbaarheid={"category": "resident_dwelling_activities", "annual_amount": "2000000",
                                    "for_daeb_dwellings": True})
    assert plan_check(spend_case(D15, "1250000", extra=[extra]), "PLAN-LFB-CAP").status == "pass"


def test_lfb_06_from_2022():
    assert fired(lfb(D22), "LFB-06")
    assert not fired(lfb("2021-12-31"), "LFB-06")


def test_lfb_07_annual_overview():
    r = lfb(D16)
    assert fired(r, "LFB-07") and "annual-overview" in condition_ids(r)
    assert not fired(lfb(D16, "resident_dwelling_activities"), "LFB-07")


def test_lfb_02_cap_known_on_2015_12_31_bounded_from_2016_01_01():
    assert plan_check(spend_case("2015-12-31", "1250000"), "PLAN-LFB-CAP").status == "pass"
    assert plan_check(spend_case("2016-01-01", "1250000"), "PLAN-LFB-CAP").status == "pass"
    assert plan_check(spend_case("2015-07-01", "1250100"), "PLAN-LFB-CAP").status == "fail"
    assert plan_check(spend_case("2016-01-01", "1250100"), "PLAN-LFB-CAP").status == "unknown"

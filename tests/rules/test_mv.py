"""Maatschappelijk vastgoed (Woningwet art. 45 lid 2 d/e, lid 3, 48 lid 6; BTIV 49-50; RTIV 21)."""

from __future__ import annotations

from rulehelpers import rests_on, condition_ids, fired, fired_branch, judge_component, verdict_rules

D16, D22 = "2016-06-01", "2022-06-01"
UNLISTED = {"vera_code": None, "function": "gezondheidscentrum", "tenant_type": "care_provider"}


def mv(date=D16, **kw):
    block = kw.pop("mv", {})
    return judge_component(date, object="mv", mv=block, **kw)


def test_mv_01_annex4_existing_stock_owned_on_1_july_2015():
    ok = mv(activity="let", mv={"vera_code": "WIJ", "function": "wijksporthal", "owned_on_2015_07_01": True})
    assert ok.verdict == "daeb" and fired_branch(ok, "MV-01") == "then"
    not_owned = mv(activity="let", mv={"vera_code": "WIJ", "function": "wijksporthal", "owned_on_2015_07_01": False})
    assert not_owned.verdict == "forbidden" and "MV-01" in verdict_rules(not_owned)


def test_mv_02_care_point_only_inside_a_woonzorggebouw():
    inside = mv(mv={"vera_code": "ZST", "function": "zorgsteunpunt", "inside_woonzorggebouw": True})
    assert fired_branch(inside, "MV-02") == "then" and inside.verdict == "daeb"
    outside = mv(mv={"vera_code": "ZST", "function": "zorgsteunpunt", "inside_woonzorggebouw": False})
    assert outside.verdict == "forbidden" and "MV-02" in verdict_rules(outside)
    assert fired_branch(mv(), "MV-02") == "then"  # a buurthuis needs no woonzorggebouw
    assert not fired(mv(committed_on="2014-06-01"), "MV-02")  # transition (GEB-10)


def test_mv_03_annex4_may_not_be_newly_built():
    r = mv(mv={"vera_code": "WIJ", "function": "buurtsporthal", "owned_on_2015_07_01": False})
    assert r.verdict == "forbidden" and "MV-03" in verdict_rules(r)
    assert not fired(mv(), "MV-03")


def test_mv_04_primary_school_rent_exactly_625_percent_with_admission_is_daeb():
    # 150,000 / 2,400,000 = 6.25% exactly: "ten minste"
    r = mv(cost="2400000", mv={"vera_code": "BAS", "function": "basisschool", "tenant_type": "government",
                               "annual_rent": "150000", "minister_approval": True})
    assert r.verdict == "daeb" and fired_branch(r, "MV-04") == "then"


def test_mv_04_below_625_percent_needs_decision():
    r = mv(cost="2400000", mv={"vera_code": "BAS", "function": "basisschool", "tenant_type": "government",
                               "annual_rent": "149999", "minister_approval": True})
    assert r.verdict == "needs_decision" and fired_branch(r, "MV-04") == "else"
    assert {"minister-admission-mv", "mv-school-min-rent"} <= condition_ids(r)
    assert not fired(mv(), "MV-04")


def test_mv_04_b_related_building_integrated_with_housing():
    pending = mv(mv=dict(UNLISTED, integrated_with_housing=True))
    assert pending.verdict == "needs_decision" and fired_branch(pending, "MV-04.b") == "else"
    assert not fired(pending, "MV-10")
    admitted = mv(mv=dict(UNLISTED, integrated_with_housing=True, minister_approval=True))
    assert admitted.verdict == "daeb" and fired_branch(admitted, "MV-04.b") == "then"
    assert not fired(mv(mv=UNLISTED), "MV-04.b")


def test_mv_05_acquisition_for_redevelopment_within_five_years():
    r = mv(activity="acquire", redevelop_within_5_years=True, mv=UNLISTED)
    assert r.verdict == "needs_decision" and "MV-05" in verdict_rules(r)
    assert "minister-admission-acquisition" in condition_ids(r)
    assert not fired(r, "MV-10")
    plain = mv(activity="acquire", redevelop_within_5_years=False, mv=UNLISTED)
    assert plain.verdict == "forbidden" and not fired(plain, "MV-05")


def test_mv_05_also_for_annex4_buildings():
    r = mv(activity="acquire", redevelop_within_5_years=True, mv={"vera_code": "SCH", "function": "vmbo-school"})
    assert r.verdict == "needs_decision" and not fired(r, "MV-03")


def test_mv_06_tenant_restriction():
    ok = mv(mv={"tenant_type": "government"})
    assert fired_branch(ok, "MV-06") == "then" and "mv-tenant-restriction" in condition_ids(ok)
    bad = mv(mv={"tenant_type": "commercial"})
    assert fired_branch(bad, "MV-06") == "else" and not bad.compliant


def test_mv_07_exactly_ten_percent_to_others_is_allowed():
    ok = mv(floor_area_m2=1000, mv={"third_party_floor_m2": 100})
    assert fired_branch(ok, "MV-07") == "then" and ok.compliant
    over = mv(floor_area_m2=1000, mv={"third_party_floor_m2": 101})
    assert fired_branch(over, "MV-07") == "else" and not over.compliant
    assert not fired(mv(), "MV-07")  # no third-party letting given


def test_mv_08_wijk_function_and_area():
    ok = mv()
    assert fired_branch(ok, "MV-08") == "then"
    no_wijk = mv(location={"wijk_function": False})
    assert no_wijk.verdict == "forbidden" and "MV-08" in verdict_rules(no_wijk)
    no_homes = mv(location={"area_has_corporation_homes": False})
    assert no_homes.verdict == "forbidden" and "MV-08" in verdict_rules(no_homes)
    old = mv(location={"area_has_corporation_homes": False}, committed_on="2015-06-30")
    assert not fired(old, "MV-08") and old.verdict == "daeb" and fired(old, "GEB-10")


def test_mv_09_no_rent_cap_when_letting():
    assert fired(mv(activity="let"), "MV-09")
    assert not fired(mv(), "MV-09")


def test_mv_10_unlisted_building_is_forbidden():
    r = mv(mv=UNLISTED)
    assert r.verdict == "forbidden" and "MV-10" in verdict_rules(r)
    assert not fired(mv(), "MV-10")


def test_mv_11_unverified_list_from_2022():
    later = mv(D22)
    assert fired(later, "MV-11") and rests_on(later, "MV-11")
    assert not fired(mv("2021-12-31"), "MV-11")


# --- VERA code list (issue #15 item 7) ------------------------------------------------------------

def test_a_vera_code_typo_is_an_input_error_naming_the_allowed_codes():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as exc:
        judge_component("2016-06-01", object="mv", mv={"vera_code": "BUX"})
    text = str(exc.value)
    assert "'BUX' is not a VERA" in text and "BUU" in text and "KTI" in text


def test_a_known_vera_code_on_no_btiv_list_is_still_judged_forbidden():
    cr = judge_component("2016-06-01", object="mv", mv={"vera_code": "REZ", "function": "recreatiezaal"})
    assert cr.verdict == "forbidden" and fired(cr, "MV-10")

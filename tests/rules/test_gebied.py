"""Gebied van de volkshuisvesting (Woningwet art. 45, BTIV 46, HzW art. II lid 11)."""

from __future__ import annotations

from rulehelpers import rests_on, condition_ids, fired, fired_branch, judge_component, judge_plinth, verdict_rules

D15, D16, D22 = "2015-09-01", "2016-06-01", "2022-06-01"
MIDDENHUUR = {"rent": "850.00"}


def test_geb_01_wholly_owned_subsidiary_works_exclusively_in_the_gebied():
    r = judge_component(D16, object="verbinding", verbinding={"counterparty": "subsidiary"})
    assert fired_branch(r, "GEB-01") == "then"


def test_geb_01_other_verbinding_pro_rata():
    r = judge_component(D16, object="verbinding", verbinding={"counterparty": "other"})
    assert fired_branch(r, "GEB-01") == "else"
    assert not fired(judge_component(D16), "GEB-01")


def test_geb_02_public_space_is_the_municipality_task():
    r = judge_component(D16, object="public_space")
    assert r.verdict == "forbidden" and "GEB-02.public-space" in verdict_rules(r)
    assert r.party == "municipality"
    assert not fired(judge_component(D16, object="surroundings"), "GEB-02.public-space")


def test_geb_02_parking_follows_the_dwellings():
    daeb = judge_component(D16, object="parking", parking={"use": "dwellings", "for_daeb_dwellings": True})
    assert daeb.verdict == "daeb" and fired_branch(daeb, "GEB-02.parking") == "then"
    non = judge_component(D16, object="parking", parking={"use": "dwellings", "for_daeb_dwellings": False})
    assert non.verdict == "non_daeb" and fired_branch(non, "GEB-02.parking") == "else"
    public = judge_component(D16, object="parking", parking={"use": "public", "for_daeb_dwellings": None})
    assert not fired(public, "GEB-02.parking")


def test_geb_02_i_land_for_daeb_building():
    r = judge_component(D16, object="land", land={"contributes_to_daeb": True, "built": False})
    assert r.verdict == "daeb" and fired_branch(r, "GEB-02.i") == "then"


def test_geb_02_i_land_for_non_daeb_on_built_land():
    r = judge_component(D16, object="land", land={"contributes_to_daeb": False, "built": True})
    assert r.verdict == "non_daeb" and fired_branch(r, "GEB-02.i") == "else"
    assert fired_branch(r, "GEB-04") == "then"


def test_geb_02_i_and_geb_04_non_daeb_land_must_be_built():
    r = judge_component(D16, object="land", land={"contributes_to_daeb": False, "built": False})
    assert r.verdict == "forbidden" and "GEB-04.land" in verdict_rules(r)
    assert fired_branch(r, "GEB-04") == "then"  # the area holds corporation homes


def test_geb_03_daeb_mv_only_in_areas_with_corporation_homes():
    ok = judge_component(D16, object="mv", activity="let", location={"area_has_corporation_homes": True})
    assert fired_branch(ok, "GEB-03") == "then" and ok.verdict == "daeb"
    bad = judge_component(D16, object="mv", activity="let", location={"area_has_corporation_homes": False})
    assert bad.verdict == "forbidden" and "GEB-03" in verdict_rules(bad)
    assert not fired(judge_component(D16, object="mv", activity="build"), "GEB-03")  # MV-08 tests building


def test_geb_04_non_daeb_in_area_with_corporation_homes_on_built_land():
    ok = judge_component(D16, dwelling=MIDDENHUUR)
    assert ok.verdict == "non_daeb" and fired_branch(ok, "GEB-04") == "then"


def test_geb_04_fails_without_corporation_homes():
    r = judge_component(D16, dwelling=MIDDENHUUR, location={"area_has_corporation_homes": False})
    assert r.verdict == "forbidden" and "GEB-04" in verdict_rules(r) and r.party == "market"


def test_geb_04_unbuilt_land_only_if_it_serves_the_daeb_task():
    unbuilt = judge_component(D16, dwelling=MIDDENHUUR, land={"built": False, "contributes_to_daeb": False})
    assert unbuilt.verdict == "forbidden" and "GEB-04.land" in verdict_rules(unbuilt)
    assert rests_on(unbuilt, "GEB-04.land")  # the (b)/(c) reading is unverified
    serving = judge_component(D16, dwelling=MIDDENHUUR, land={"built": False, "contributes_to_daeb": True})
    assert serving.verdict == "non_daeb" and fired_branch(serving, "GEB-04.land") == "then"
    built = judge_component(D16, dwelling=MIDDENHUUR)
    assert fired_branch(built, "GEB-04.land") == "then"
    assert not fired(judge_component(D16), "GEB-04.land")


def test_geb_04_does_not_apply_to_daeb_dwellings():
    r = judge_component(D16, location={"area_has_corporation_homes": False})
    assert not fired(r, "GEB-04") and r.verdict == "daeb"


def test_geb_04_wijk_function_for_bog():
    ok = judge_plinth(D16, location={"wijk_function": True})
    assert fired_branch(ok, "GEB-04.wijk") == "then" and ok.verdict == "non_daeb"
    bad = judge_plinth(D16, location={"wijk_function": False})
    assert bad.verdict == "forbidden" and "GEB-04.wijk" in verdict_rules(bad)


def test_geb_10_transition_lifts_the_area_test():
    r = judge_component(D16, dwelling=MIDDENHUUR, location={"area_has_corporation_homes": False},
                        committed_on="2015-03-01")
    assert fired(r, "GEB-10") and not fired(r, "GEB-04") and not fired(r, "GEB-04.land")
    assert r.verdict == "non_daeb" and "old-law-commitment" in condition_ids(r)


def test_geb_10_commitment_on_or_after_1_july_2015_is_new_law():
    r = judge_component(D16, dwelling=MIDDENHUUR, location={"area_has_corporation_homes": False},
                        committed_on="2015-07-01")
    assert not fired(r, "GEB-10") and r.verdict == "forbidden"


def test_geb_10_unlisted_mv_committed_before_the_reform_is_non_daeb():
    mv = {"vera_code": None, "function": "gezondheidscentrum", "tenant_type": "care_provider"}
    old = judge_component(D16, object="mv", mv=mv, committed_on="2014-11-01")
    assert old.verdict == "non_daeb" and "GEB-10.unlisted" in verdict_rules(old)
    assert not fired(old, "MV-10")
    assert rests_on(old, "GEB-10.unlisted")
    new = judge_component(D16, object="mv", mv=mv)
    assert new.verdict == "forbidden" and "MV-10" in verdict_rules(new)
    assert not fired(new, "GEB-10.unlisted")


def test_geb_02_i_sale_of_building_land_to_a_developer():
    sale = {"buyer": "developer", "price": "2000000"}
    dev = judge_component(D16, object="land", activity="sell", land={"contributes_to_daeb": False}, sale=sale)
    assert dev.verdict == "non_daeb" and fired_branch(dev, "GEB-02.i-sale") == "else"
    assert rests_on(dev, "GEB-02.i-sale")
    daeb = judge_component(D16, object="land", activity="sell", land={"contributes_to_daeb": True}, sale=sale)
    assert daeb.verdict == "daeb" and fired_branch(daeb, "GEB-02.i-sale") == "then"
    assert not fired(judge_component(D16, object="land", land={"contributes_to_daeb": True}), "GEB-02.i-sale")

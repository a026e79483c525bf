"""Bedrijfsmatig vastgoed (Woningwet art. 45 lid 2 g/h, lid 4; BTIV 41, 52)."""

from __future__ import annotations

from rulehelpers import rests_on, component, condition_ids, fired, fired_branch, judge, judge_component, judge_plinth, \
    make_case, verdict_rules

D15, D16, D22 = "2015-09-01", "2016-06-01", "2022-06-01"


def plinth(date, bog_m2, bog_cost, homes_m2=3000, homes_cost="6000000"):
    """An investment of social homes with a shop plinth; returns the plinth's result."""
    homes = component(id="W", project="P1", floor_area_m2=homes_m2, cost=homes_cost)
    shop = component(id="S", project="P1", object="bog", floor_area_m2=bog_m2, cost=bog_cost)
    return judge(make_case(date, [homes, shop])).components[1]


def test_bog_01_exactly_25_percent_and_10_million_is_allowed():
    r = plinth(D16, 1000, "10000000.00")  # 1000 / 4000 = 25%
    assert r.verdict == "non_daeb" and fired_branch(r, "BOG-01") == "then"


def test_bog_01_one_square_metre_over_25_percent_is_forbidden():
    r = plinth(D16, 1001, "100000")
    assert r.verdict == "forbidden" and "BOG-01" in verdict_rules(r) and r.party == "market"


def test_bog_01_one_cent_over_10_million_is_forbidden():
    r = plinth(D16, 500, "10000000.01")
    assert r.verdict == "forbidden" and fired_branch(r, "BOG-01") == "else"


def test_bog_01_office_own_office_is_exempt_from_the_limits():
    r = judge_component(D16, object="bog", bog={"use": "office", "own_office": True}, floor_area_m2=2000,
                        cost="12000000")
    assert fired(r, "BOG-01.office") and not fired(r, "BOG-01")
    assert r.verdict == "non_daeb"
    assert not fired(plinth(D16, 100, "100000"), "BOG-01.office")


def test_bog_02_existing_bog_only_in_area_with_corporation_homes():
    ok = judge_component(D16, object="bog", activity="maintain", bog={"use": "shop", "existing": True})
    assert fired_branch(ok, "BOG-02") == "then" and ok.verdict == "non_daeb"
    bad = judge_component(D16, object="bog", activity="let", location={"area_has_corporation_homes": False})
    assert bad.verdict == "forbidden" and "BOG-02" in verdict_rules(bad)
    assert not fired(plinth(D16, 100, "100000"), "BOG-02")  # build: GEB-04 decides
    office = judge_component(D16, object="bog", activity="maintain", bog={"use": "office", "own_office": True})
    assert not fired(office, "BOG-02") and fired(office, "BOG-01.office")


def test_bog_03_maintenance_of_existing_bog_exempt_from_markttoets_until_2021():
    kw = dict(object="bog", activity="maintain", bog={"use": "shop", "existing": True})
    assert fired(judge_component("2021-12-31", **kw), "BOG-03")
    assert not fired(judge_component("2022-01-01", **kw), "BOG-03")
    assert not fired(judge_component(D16, object="bog", activity="maintain", bog={"use": "shop"}), "BOG-03")


def test_bog_04_acquisition_for_redevelopment_needs_the_minister():
    r = judge_component(D16, object="bog", activity="acquire", redevelop_within_5_years=True, floor_area_m2=5000,
                        cost="15000000")
    assert r.verdict == "needs_decision" and "BOG-04" in verdict_rules(r)
    assert "minister-admission-acquisition" in condition_ids(r) and not fired(r, "BOG-01")
    plain = judge_component(D16, object="bog", activity="acquire", floor_area_m2=5000, cost="15000000")
    assert not fired(plain, "BOG-04") and plain.verdict == "forbidden"
    declined = judge_component(D16, object="bog", activity="acquire", redevelop_within_5_years=False,
                               floor_area_m2=5000, cost="15000000")
    assert not fired(declined, "BOG-04") and declined.verdict == "forbidden"


def test_bog_04_unknown_intention_does_not_block_an_ordinary_plinth_acquisition():
    r = judge_plinth(D16, activity="acquire")
    assert r.verdict == "non_daeb" and not fired(r, "BOG-04")


def test_bog_05_stand_alone_bog_goes_to_the_market():
    garage = judge_component(D16, object="parking", parking={"use": "public", "places": 300, "for_daeb_dwellings": None},
                             floor_area_m2=9000, cost="7500000")
    assert fired(garage, "BOG-05") and garage.verdict == "forbidden" and garage.party == "market"
    assert not fired(plinth(D16, 100, "100000"), "BOG-05")


def test_bog_06_post_2015_limits_unverified_from_2016():
    later = plinth(D16, 100, "100000")
    assert fired(later, "BOG-06") and rests_on(later, "BOG-06")
    assert not fired(plinth(D15, 100, "100000"), "BOG-06")


def test_bog_limits_end_with_btiv_52_in_2021():
    # BTIV 52 (25% of floor area, EUR 10 million) is not in the consolidation of 2022-01-01; Ww 45 lid 2 g
    # (2022) says only 'kleinschalig', without a figure (tests/rules/test_btiv_2022.py)
    assert plinth("2021-06-01", 1001, "100000").verdict == "forbidden"
    over = plinth(D22, 1001, "100000")
    assert over.verdict == "non_daeb" and not fired(over, "BOG-01") and not fired(over, "BOG-06")

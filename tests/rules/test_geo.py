"""Working area (Woningwet art. 40-41d, 45 lid 3-4; BTIV 35-37), with the 2016 regime dates."""

from __future__ import annotations

from rulehelpers import rests_on, AMSTERDAM, NIEUWEGEIN, UTRECHT, fired, fired_branch, judge_component, verdict_rules

DE_BILT = "GM0310"
U16 = {"name": "U16 Utrecht", "municipalities": [UTRECHT, NIEUWEGEIN, DE_BILT]}


def at(date, municipality, corp=None, **kw):
    return judge_component(date, corp=corp, location={"municipality": municipality}, **kw)


def test_geo_02_no_declaration_no_work_2015():
    r = at("2015-09-01", AMSTERDAM)
    assert r.verdict == "forbidden" and "GEO-02" in verdict_rules(r)
    assert not fired(at("2015-09-01", UTRECHT), "GEO-02")


def test_geo_02_regio_does_not_help_before_2016():
    r = at("2015-12-31", DE_BILT, corp={"woningmarktregio": U16})
    assert r.verdict == "forbidden" and "GEO-02" in verdict_rules(r)


def test_geo_02_regio_from_2016_outside_the_regio():
    r = at("2016-01-01", AMSTERDAM, corp={"woningmarktregio": U16})
    assert r.verdict == "forbidden" and "GEO-02.regio" in verdict_rules(r)
    no_regio = at("2016-06-01", AMSTERDAM)
    assert no_regio.verdict == "forbidden" and "GEO-02.regio" in verdict_rules(no_regio)


def test_geo_04_all_municipalities_of_the_regio_from_2016():
    r = at("2016-01-01", DE_BILT, corp={"woningmarktregio": U16})
    assert fired(r, "GEO-04") and not fired(r, "GEO-02.regio") and r.verdict == "daeb"
    assert not fired(at("2016-01-01", UTRECHT, corp={"woningmarktregio": U16}), "GEO-04")


def test_geo_05_building_outside_the_regio_from_2016_08_30():
    corp = {"woningmarktregio": U16, "municipalities": [UTRECHT, NIEUWEGEIN, AMSTERDAM]}
    before = at("2016-08-29", AMSTERDAM, corp=corp)
    assert before.verdict == "daeb" and not fired(before, "GEO-05")
    after = at("2016-08-30", AMSTERDAM, corp=corp)
    assert after.verdict == "forbidden" and "GEO-05" in verdict_rules(after)
    assert rests_on(after, "GEO-05")  # start date from a secondary source


def test_geo_05_exemptions():
    corp = {"woningmarktregio": U16, "municipalities": [UTRECHT, NIEUWEGEIN, AMSTERDAM]}
    categorical = at("2017-01-01", AMSTERDAM, corp=dict(corp, categorical=True))
    assert not fired(categorical, "GEO-05") and categorical.verdict == "daeb"
    letting = at("2017-01-01", AMSTERDAM, corp=corp, activity="let")
    assert not fired(letting, "GEO-05")
    rebuild = at("2017-01-01", AMSTERDAM, corp=corp, land={"demolition_site": True})
    assert not fired(rebuild, "GEO-05") and rebuild.verdict == "daeb"


def test_geo_06_regions_designated_2016_08_30():
    corp = {"woningmarktregio": U16}
    assert fired(at("2016-08-30", UTRECHT, corp=corp), "GEO-06")
    assert not fired(at("2016-08-29", UTRECHT, corp=corp), "GEO-06")
    assert not fired(at("2016-08-30", UTRECHT), "GEO-06")


def test_geo_07_area_test_is_separate_from_the_municipality_test():
    ok = at("2016-06-01", UTRECHT, object="mv")
    assert fired_branch(ok, "GEO-07") == "then"
    bad = judge_component("2016-06-01", object="mv", location={"area_has_corporation_homes": False})
    assert fired_branch(bad, "GEO-07") == "else" and bad.verdict == "forbidden"
    assert not fired(at("2016-06-01", UTRECHT), "GEO-07")  # DAEB dwelling: no area test
    elsewhere = at("2016-06-01", AMSTERDAM, object="mv")
    assert not fired(elsewhere, "GEO-07") and elsewhere.verdict == "forbidden"


def test_geo_07_dwelling_non_daeb():
    r = judge_component("2016-06-01", dwelling={"rent": "850.00"}, location={"area_has_corporation_homes": False})
    assert fired_branch(r, "GEO-07.dwelling") == "else"
    ok = judge_component("2016-06-01", dwelling={"rent": "850.00"})
    assert fired_branch(ok, "GEO-07.dwelling") == "then"
    assert not fired(judge_component("2016-06-01"), "GEO-07.dwelling")

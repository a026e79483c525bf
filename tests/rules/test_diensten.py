"""Services to residents (Woningwet art. 45 lid 2 c, 47 lid 1 e; BTIV 47-48)."""

from __future__ import annotations

import pytest

from rulehelpers import fired, fired_branch, judge_component, verdict_rules

D16 = "2016-06-01"
EXCLUDED = ["care", "meals", "medical", "childcare", "school_dropout", "parenting_support", "utility", "radio_tv",
            "training", "cleaning", "furnishing", "mortgage_advice", "notary", "insurance", "owner_occupier_service"]
EXCEPTIONS = ["living_related", "utility_via_dwelling_installation", "cleaning_new_occupant_or_nuisance",
              "furnishing_for_furnished_letting"]


def service(**block):
    return judge_component(D16, object="service", service=block)


@pytest.mark.parametrize("kind", EXCLUDED)
def test_geb_07_excluded_services_are_forbidden(kind):
    r = service(kind=kind)
    assert r.verdict == "forbidden" and "GEB-07" in verdict_rules(r)
    assert not fired(r, "GEB-02.c")
    outsiders = service(kind=kind, for_residents=False)
    assert "GEB-07" in verdict_rules(outsiders) and not fired(outsiders, "GEB-02.c-outsiders")


@pytest.mark.parametrize("kind", EXCEPTIONS)
def test_geb_02_c_living_related_services_and_the_art_47_exceptions_are_allowed(kind):
    r = service(kind=kind)
    assert r.verdict == "daeb" and fired_branch(r, "GEB-02.c") == "then"
    assert not fired(r, "GEB-07")


def test_geb_02_c_service_for_non_daeb_residents_is_non_daeb():
    r = service(kind="living_related", for_daeb_dwellings=False)
    assert r.verdict == "non_daeb" and fired_branch(r, "GEB-02.c") == "else"


def test_geb_02_c_services_to_outsiders_are_forbidden():
    r = service(kind="living_related", for_residents=False)
    assert r.verdict == "forbidden" and "GEB-02.c-outsiders" in verdict_rules(r)
    assert not fired(service(kind="living_related"), "GEB-02.c-outsiders")


@pytest.mark.parametrize("form", ["resident_activities", "cooperative_maintenance_reserve", "nhg_mortgage_interest"])
def test_geb_08_money_in_an_allowed_form(form):
    r = service(kind="money", money_form=form)
    assert fired_branch(r, "GEB-08") == "then" and r.verdict == "daeb"


def test_geb_08_money_in_another_form_is_forbidden():
    r = service(kind="money", money_form="other")
    assert r.verdict == "forbidden" and "GEB-08" in verdict_rules(r)
    assert not fired(service(kind="living_related"), "GEB-08")


def test_geb_08_money_without_a_form_is_undetermined():
    r = service(kind="money")
    assert r.verdict == "undetermined"
    assert any(x.rule == "GEB-08" and x.effect == "undetermined" for x in r.reasons)

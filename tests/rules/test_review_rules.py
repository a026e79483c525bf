"""Rules added or changed after the December 2026 legal review: each fires and does not fire."""

from __future__ import annotations

import pytest

from rulehelpers import component, condition_ids, fired, fired_branch, judge, judge_component, make_case, plan_check

D16, D17 = "2016-06-01", "2017-06-01"


def sell(date=D16, **sale):
    block = {"buyer": "investor_legal_person", "price": "200000", "leegwaarde": "250000", **sale}
    return judge_component(date, activity="sell", units=1, sale=block, dwelling={"rent": "600.00"})


def _cite(cr, rule_id):
    [r] = [r for r in cr.reasons if r.rule == rule_id and r.effect != "undetermined"]
    return r


# --- BTIV 26 lid 1 a 1°: vacant regulated dwelling ------------------------------------------------

def test_vacant_social_dwelling_sold_to_an_investor_below_market_value_is_not_approvable():
    cr = sell(vacant=True, price="180000", market_value="200000")
    r = _cite(cr, "VK-04.vacant")
    assert r.branch == "else" and r.effect == "violation" and not cr.compliant
    assert (r.citation.article, r.citation.lid, r.citation.onderdeel, r.citation.sub) == ("26", "1", "a", "1°")
    assert "&lid=1&o=a&o=1°&" in r.citation.juriconnect
    assert not fired(cr, "VK-04")  # the 75%-of-leegwaarde route is for let dwellings only


def test_vacant_social_dwelling_at_market_value_passes():
    cr = sell(vacant=True, price="200000", market_value="200000")
    assert fired_branch(cr, "VK-04.vacant") == "then" and "sale-market-value" in condition_ids(cr)


def test_let_dwelling_is_not_judged_by_the_vacant_rule():
    assert not fired(sell(vacant=False, market_value="300000"), "VK-04.vacant")


@pytest.mark.parametrize("buyer", ["municipality", "subsidiary"])
def test_vk04_covers_every_non_ti_legal_person(buyer):
    cr = sell(buyer=buyer, price="150000", leegwaarde="250000")  # 60% < 75%
    assert fired_branch(cr, "VK-04") == "else" and not cr.compliant


def test_vk04_not_for_owner_occupiers():
    assert not fired(sell(buyer="owner_occupier", price="150000"), "VK-04")


# --- gemengde complexen (26 lid 1 b, d) -----------------------------------------------------------

def test_let_part_of_gemengd_gereguleerd_complex_cites_26_1_b_2():
    cr = sell(complex="gemengd_gereguleerd", price="200000", leegwaarde="250000")
    c = _cite(cr, "VK-04").citation
    assert fired_branch(cr, "VK-04") == "then" and (c.onderdeel, c.sub) == ("b", "2°")


def test_regulated_dwelling_in_gemengd_geliberaliseerd_complex_needs_market_value():
    cr = sell(complex="gemengd_geliberaliseerd", price="200000", leegwaarde="250000", market_value="250000")
    assert not fired(cr, "VK-04")
    r = _cite(cr, "VK-05")
    assert r.branch == "else" and r.citation.onderdeel == "d"


def test_complex_unset_keeps_vk05_for_liberalisable_only():
    cr = sell(price="200000", market_value="250000")
    assert not fired(cr, "VK-05") and not any(n.rule.startswith("VK-05") and n.status == "unknown"
                                              for n in cr.not_fired)


# --- BTIV 25 lid 2 b/c: documents and offering duty ------------------------------------------------

def test_offer_duty_for_an_investor_and_views_as_conditions():
    cr = sell(price="200000")
    assert fired_branch(cr, "VK-04.offer") == "then"
    assert {"sale-public-offer", "sale-views", "sale-social-landlord"} <= condition_ids(cr)
    assert _cite(cr, "VK-04.offer").citation.sub == "4°"


def test_no_offer_duty_for_a_subsidiary_and_it_is_said():
    cr = sell(buyer="subsidiary", price="200000")
    assert fired_branch(cr, "VK-04.offer") == "else" and "sale-public-offer" not in condition_ids(cr)


def test_owner_occupier_sale_below_90_needs_approval_but_no_views_or_offer():
    cr = sell(buyer="owner_occupier", price="170000", leegwaarde="200000")
    assert "aw-approval-sale" in condition_ids(cr)
    assert not {"sale-public-offer", "sale-views"} & condition_ids(cr)


@pytest.mark.parametrize("buyer, branch", [("developer", "then"), ("subsidiary", "else")])
def test_offer_duty_for_liberalisable_dwellings(buyer, branch):
    cr = judge_component(D16, activity="sell", units=1, dwelling={"rent": "900.00"},
                         sale={"buyer": buyer, "price": "300000", "market_value": "300000"})
    assert fired_branch(cr, "VK-05.offer") == branch
    assert ("sale-public-offer" in condition_ids(cr)) is (branch == "then")


# --- RTIV 20 lid 1 a: BOG built for letting -------------------------------------------------------

def test_new_shop_for_letting_at_4_percent_initial_return_2017_fails_rtiv_20_1_a():
    cr = judge_component(D17, object="bog", cost="1000000", bog={"use": "shop", "annual_rent": "40000"})
    r = _cite(cr, "MT-07.bog-rent")
    assert r.branch == "else" and r.effect == "violation" and not cr.compliant
    assert (r.citation.article, r.citation.lid, r.citation.onderdeel) == ("20", "1", "a")
    assert r.inputs.facts["nd_rent_return"] == "0.04"


def test_new_shop_for_letting_at_5_5_percent_passes():
    cr = judge_component(D17, object="bog", cost="1000000", bog={"use": "shop", "annual_rent": "55000"})
    assert fired_branch(cr, "MT-07.bog-rent") == "then"


def test_bog_for_sale_is_not_tested_on_rent():
    cr = judge_component(D17, object="bog", cost="1000000", bog={"use": "shop", "for_sale": True,
                                                                 "annual_rent": "10000"})
    assert not fired(cr, "MT-07.bog-rent")


# --- LFB-05 (Ww 47 lid 1 e) -----------------------------------------------------------------------

@pytest.mark.parametrize("daeb, verdict", [(True, "daeb"), (False, "non_daeb")])
def test_resident_activities_follow_the_dwellings(daeb, verdict):
    cr = judge_component(D16, object="leefbaarheid",
                         leefbaarheid={"category": "resident_dwelling_activities", "for_daeb_dwellings": daeb})
    assert cr.verdict == verdict and fired(cr, "LFB-05")


def test_resident_activities_undetermined_without_the_dwellings():
    cr = judge_component(D16, object="leefbaarheid", leefbaarheid={"category": "resident_dwelling_activities"})
    assert cr.verdict == "undetermined"


# --- MV-06 for every BTIV 49 lid 4 building -------------------------------------------------------

def test_tenant_restriction_applies_to_a_minister_admitted_school():
    cr = judge_component(D16, object="mv", mv={"vera_code": "BAS", "function": "basisschool",
                                               "tenant_type": "care_provider", "minister_approval": True})
    assert fired_branch(cr, "MV-06") == "else"


def test_tenant_restriction_passes_for_a_public_body():
    cr = judge_component(D16, object="mv", mv={"vera_code": "BAS", "function": "basisschool",
                                               "tenant_type": "government", "minister_approval": True})
    assert fired_branch(cr, "MV-06") == "then"


# --- Ww 21a lid 4 ---------------------------------------------------------------------------------

def test_capital_to_a_samenwerkingsvennootschap_needs_no_exemption():
    cr = judge_component(D16, object="verbinding", verbinding={"counterparty": "samenwerkingsvennootschap"})
    assert fired(cr, "FIN-04.swv") and not fired(cr, "FIN-04")
    assert _cite(cr, "FIN-04.swv").citation.lid == "4"


def test_capital_to_a_subsidiary_is_not_the_swv_exemption():
    cr = judge_component(D16, object="verbinding")
    assert not fired(cr, "FIN-04.swv") and fired(cr, "FIN-04")


# --- PT-05: 2022 exception for elderly households with assets -------------------------------------

def _lettings(assets):
    base = {"date": "2022-03-01", "household_income": "20000", "household_size": 1, "aow_age": True,
            "huurtoeslag_eligible": True}
    return [dict(base, rent="700.00", assets_above_limit=assets)] + [dict(base, rent="600.00") for _ in range(19)]


def test_elderly_with_assets_left_out_of_passend_toewijzen_from_2022():
    result = judge(make_case("2022-06-01", [component()], lettings=_lettings(True)))
    check = plan_check(result, "PLAN-PT-ELDERLY")
    assert check.status == "pass"
    # the exception is the new BTIV 54a (2022), setting aside the rent limit of Ww 46 lid 2
    assert (check.citation.article, check.citation.lid) == ("54a", None)
    assert any(c.article == "46" and c.lid == "2" for c in check.also_cites)
    assert plan_check(result, "PLAN-PT-95").status == "pass"  # 19 of 19 within the aftoppingsgrens


def test_without_assets_the_letting_above_the_aftoppingsgrens_counts():
    result = judge(make_case("2022-06-01", [component()], lettings=_lettings(False)))
    assert "PLAN-PT-ELDERLY" not in {c.id for c in result.plan.checks}
    assert plan_check(result, "PLAN-PT-95").status == "pass"  # 19 of 20 = 95%
    more = _lettings(False) + [_lettings(False)[0]]
    assert plan_check(judge(make_case("2022-06-01", [component()], lettings=more)), "PLAN-PT-95").status == "fail"


def test_before_2022_the_exception_does_not_apply():
    lettings = [dict(x, date="2021-03-01") for x in _lettings(True)] + [dict(_lettings(True)[0], date="2021-04-01")]
    result = judge(make_case("2021-06-01", [component()], lettings=lettings))
    assert "PLAN-PT-ELDERLY" not in {c.id for c in result.plan.checks}
    assert plan_check(result, "PLAN-PT-95").status == "fail"  # 19 of 21 < 95%


# --- TOE-05 ends with 2021 ------------------------------------------------------------------------

def test_allocation_sanction_test_ends_in_2021():
    from rulehelpers import in_force
    assert in_force("TOE-05", "2021-12-31") and not in_force("TOE-05", "2022-01-01")


# --- missing facts are named by their case field (issue #15 item 7) --------------------------------

@pytest.mark.parametrize("lang", ["nl", "en"])
def test_missing_fact_message_names_the_case_field(lang):
    cr = judge_component(D16, object="leefbaarheid", lang=lang,
                         leefbaarheid={"category": "resident_dwelling_activities"})
    texts = [r.text for r in cr.reasons if r.effect == "undetermined" and r.rule == "LFB-05"]
    assert texts and all("leefbaarheid.for_daeb_dwellings" in t for t in texts)

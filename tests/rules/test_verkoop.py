"""Sales (Ww 26-27, BTIV 21-27, RTIV 9-12), incl. catalogue scenario T34."""

from __future__ import annotations

import pytest

from rulehelpers import condition_ids, fired, fired_branch, in_force, judge_component

D16 = "2016-06-01"


def sell(date=D16, *, buyer="sitting_tenant", price="180000", leegwaarde="200000", rent="600.00", obj="dwelling",
         corp=None, **sale):
    block = {"buyer": buyer, "price": price, "leegwaarde": leegwaarde, **sale}
    extra = {"dwelling": {"rent": rent}} if obj == "dwelling" else {}
    return judge_component(date, activity="sell", object=obj, units=1, sale=block, corp=corp, **extra)


# --- T34 and the exemptions (VK-01, VK-02) ------------------------------------------------------

def test_t34_sale_to_sitting_tenant_at_90_percent_needs_no_approval():
    cr = sell(price="180000", leegwaarde="200000")
    assert fired(cr, "VK-02") and not fired(cr, "VK-01")
    assert "aw-approval-sale" not in condition_ids(cr) and not fired(cr, "VK-07")


def test_sale_to_sitting_tenant_just_below_90_percent_needs_approval():
    cr = sell(price="179999.99", leegwaarde="200000")
    assert fired(cr, "VK-01") and cr.verdict == "needs_decision" and not fired(cr, "VK-02")
    assert "aw-approval-sale" in condition_ids(cr)


def test_sale_to_another_corporation_is_exempt():
    cr = sell(buyer="ti", price="100000")
    assert fired(cr, "VK-02") and not fired(cr, "VK-01") and not fired(cr, "VK-09")


# --- VK-03: verkoop onder voorwaarden -----------------------------------------------------------

@pytest.mark.parametrize("price, vov, branch", [
    ("100000", True, "then"),     # exactly 50% with clauses
    ("99999.99", True, "else"),   # below 50%
    ("150000", False, "else"),    # 75% without clauses
])
def test_vk03_vov_from_50_percent_with_clauses(price, vov, branch):
    cr = sell(price=price, vov_clauses=vov)
    assert fired_branch(cr, "VK-03") == branch
    assert fired(cr, "VK-01") is (branch == "else")
    assert ("vov-clauses" in condition_ids(cr)) is (branch == "then")


def test_vk03_not_at_or_above_90_percent():
    assert not fired(sell(price="180000", vov_clauses=True), "VK-03")


@pytest.mark.parametrize("income, branch", [("38950", "then"), ("38950.01", "else")])
def test_vk03_income_limit_2015_decides_value_sharing(income, branch):
    cr = sell("2015-09-01", price="160000", vov_clauses=True, buyer_income=income)
    assert fired_branch(cr, "VK-03.income") == branch
    assert ("vov-value-sharing" in condition_ids(cr)) is (branch == "else")


@pytest.mark.parametrize("income, branch", [("42436", "then"), ("42436.01", "else")])
def test_vk03_income_limit_2019_equals_the_middle_band(income, branch):
    cr = sell("2019-06-01", price="160000", vov_clauses=True, buyer_income=income)
    assert fired_branch(cr, "VK-03.income") == branch


def test_vk03_income_limit_unknown_2022_to_2024():
    cr = sell("2023-06-01", price="160000", vov_clauses=True, buyer_income="30000")
    assert not fired(cr, "VK-03.income")
    assert any(n.rule.startswith("VK-03.income") and "param.vov_income_limit" in n.missing for n in cr.not_fired)


@pytest.mark.parametrize("income, branch", [("55416", "then"), ("55416.01", "else")])
def test_vk12_income_limit_2025(income, branch):
    cr = sell("2025-04-01", price="160000", vov_clauses=True, buyer_income=income, rent="800.00")
    assert fired_branch(cr, "VK-12") == branch and not in_force("VK-03.income", "2025-04-01")


def test_vk12_not_without_vov_clauses():
    assert not fired(sell("2025-04-01", price="160000", vov_clauses=False, buyer_income="30000"), "VK-12")


# --- VK-04 / VK-05 / VK-06: sales to investors and of MV ----------------------------------------

@pytest.mark.parametrize("price, branch", [("150000", "then"), ("149999.99", "else")])
def test_vk04_let_regulated_dwelling_to_investor_at_75_percent(price, branch):
    cr = sell(buyer="investor_legal_person", price=price)
    assert fired_branch(cr, "VK-04") == branch and fired(cr, "VK-01")


@pytest.mark.parametrize("price, branch", [("250000", "then"), ("249999.99", "else")])
def test_vk05_liberalisable_dwelling_at_market_value(price, branch):
    cr = sell(buyer="investor_natural_person", price=price, leegwaarde="300000", market_value="250000", rent="800.00")
    assert fired_branch(cr, "VK-05") == branch and not fired(cr, "VK-04")
    assert ("sale-market-value" in condition_ids(cr)) is (branch == "then")


def test_vk05_woz_value_suffices_when_no_market_value():
    cr = sell(buyer="developer", price="300000", leegwaarde="300000", rent="800.00")
    assert fired_branch(cr, "VK-05") == "then"


def test_vk05_not_for_regulated_dwellings():
    assert not fired(sell(buyer="developer", price="300000", rent="700.00"), "VK-05")


@pytest.mark.parametrize("price, branch", [("500000", "then"), ("499999.99", "else")])
def test_vk06_mv_to_others_at_market_value(price, branch):
    cr = sell(obj="mv", buyer="other", price=price, leegwaarde="500000", market_value="500000")
    assert fired_branch(cr, "VK-06") == branch


def test_vk06_undecided_below_woz_when_the_market_value_is_not_given():
    cr = sell(obj="mv", buyer="other", price="400000", leegwaarde="500000")
    assert not fired(cr, "VK-06")
    assert any(n.rule.startswith("VK-06") and "sale_price_ratio_market" in n.missing for n in cr.not_fired)


def test_vk06_not_for_sale_to_the_mv_tenant_at_vacant_value():
    cr = sell(obj="mv", buyer="mv_tenant", price="500000", leegwaarde="500000")
    assert not fired(cr, "VK-06") and fired(cr, "VK-02")
    below = sell(obj="mv", buyer="mv_tenant", price="400000", leegwaarde="500000", market_value="450000")
    assert fired_branch(below, "VK-06") == "else"


# --- VK-07 to VK-11 ---------------------------------------------------------------------------

def test_vk07_decision_period_12_plus_2_weeks():
    cr = sell(buyer="investor_legal_person", price="160000")
    assert fired(cr, "VK-07")
    cond = next(c for c in cr.conditions if c.id == "aw-approval-sale")
    assert cond.period_weeks == 12 and "VK-07" in cond.triggered_by
    text = next(r.text for r in cr.reasons if r.rule == "VK-07")
    assert "12" in text and "2 weeks" in text


@pytest.mark.parametrize("price, needed", [("10000000", True), ("9999999.99", False)])
def test_vk08_supervisory_board_from_10_million(price, needed):
    cr = sell(buyer="investor_legal_person", price=price, leegwaarde="10000000")
    assert fired(cr, "VK-08") is needed


def test_vk08_not_for_owner_occupier_sales():
    assert not fired(sell(buyer="owner_occupier", price="12000000", leegwaarde="12000000"), "VK-08")


def test_vk09_valuation_report_for_sales_outside_the_corporation_sector():
    assert "taxation-report" in condition_ids(sell())
    assert not fired(sell(buyer="ti"), "VK-09")


def test_vk10_sale_and_liberalisation_in_the_annual_overview():
    assert fired(sell(), "VK-10")
    up = judge_component(D16, activity="liberalise", dwelling={"rent": "780.00"})
    assert fired(up, "VK-10") and fired(up, "VK-11") and "transfer-market-value" in condition_ids(up)
    stays = judge_component(D16, activity="liberalise", dwelling={"rent": "710.68"})
    assert not fired(stays, "VK-10") and not fired(stays, "VK-11")

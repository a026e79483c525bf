"""Financing, State aid and supervisory-board approval (Ww 21-21d, 26; BTIV 13, 21, 44)."""

from __future__ import annotations

import pytest

from a2helpers import mid_rent
from rulehelpers import condition_ids, fired, fired_branch, in_force, judge_component

D16 = "2016-06-01"


def test_fin01_wsw_for_non_daeb_is_a_violation():
    cr = mid_rent(D16, financing="wsw")
    assert fired(cr, "FIN-01") and not cr.compliant
    assert not fired(mid_rent(D16, financing="market"), "FIN-01")
    assert not fired(mid_rent(D16, rent="700.00", financing="wsw"), "FIN-01")


def test_fin02_market_financing_condition_until_2021():
    assert "market-financing" in condition_ids(mid_rent(D16))
    assert fired(mid_rent(D16), "FIN-02") and not fired(mid_rent(D16, rent="700.00"), "FIN-02")
    assert not in_force("FIN-02", "2022-01-01")


def test_fin03_lender_cap_50_then_70_percent_of_woz():
    early = mid_rent(D16, financing="market")
    assert fired(early, "FIN-03") and "market-lenders-cap" in condition_ids(early)
    assert any("50%" in r.text for r in early.reasons if r.rule == "FIN-03")
    assert not fired(early, "FIN-03.2022")
    late = mid_rent("2022-06-01", rent="900.00", financing="market")
    assert not fired(late, "FIN-03") and "market-lenders-cap-2022" in condition_ids(late)
    text = next(r.text for r in late.reasons if r.rule == "FIN-03.2022")
    assert "70%" in text
    assert not fired(mid_rent(D16, financing="own_funds"), "FIN-03")
    assert not fired(mid_rent("2022-06-01", rent="900.00", financing="own_funds"), "FIN-03.2022")


def test_fin03_cites_the_lid_that_holds_the_percentage_on_the_date():
    """BTIV 13: the 50% in lid 3 of the 2015 text, in lid 4 in the consolidation of 2016-10-28 (a lid 2 was
    inserted), replaced by 70 in lid 4 by Stb. 2021, 575 (consolidation of 2022-01-01)."""
    def btiv13_lids(cr, rule_id):
        r = next(r for r in cr.reasons if r.rule == rule_id)
        return {c.lid for c in [r.citation] + r.also_cites if c.article == "13"}
    assert btiv13_lids(mid_rent("2016-10-27", financing="market"), "FIN-03") == {"3"}
    mid = mid_rent("2016-10-28", financing="market")
    assert btiv13_lids(mid, "FIN-03.2016") == {"4"} and not fired(mid, "FIN-03")
    assert btiv13_lids(mid_rent("2021-12-31", financing="market"), "FIN-03.2016") == {"4"}
    assert btiv13_lids(mid_rent("2022-01-01", rent="900.00", financing="market"), "FIN-03.2022") == {"4"}
    assert in_force("FIN-03", "2016-10-27") and not in_force("FIN-03", "2016-10-28")
    assert in_force("FIN-03.2016", "2021-12-31") and not in_force("FIN-03.2016", "2022-01-01")
    assert in_force("FIN-03.2022", "2022-01-01") and not in_force("FIN-03.2022", "2021-12-31")


def test_fin03_from_2016_admits_unrated_banks_for_loans():
    cr = mid_rent("2018-06-01", financing="market")
    r = next(r for r in cr.reasons if r.rule == "FIN-03.2016")
    assert "50%" in r.text and "single B" in r.text and "single A" not in r.text
    assert "market-lenders-cap-2016" in condition_ids(cr)
    lenders = next(c for c in cr.conditions if c.id == "market-lenders-cap-2016")
    assert ("13", "2", "b") in {(c.article, c.lid, c.onderdeel) for c in lenders.legal_basis}
    assert "single A" in next(r.text for r in mid_rent(D16, financing="market").reasons if r.rule == "FIN-03")
    assert not fired(mid_rent("2018-06-01", financing="own_funds"), "FIN-03.2016")


def test_fin04_loan_at_formation_allowed_with_approval():
    cr = judge_component(D16, object="verbinding", activity="lend",
                         verbinding={"counterparty": "subsidiary", "after_formation": False})
    assert fired_branch(cr, "FIN-04") == "then" and "verbinding-approval" in condition_ids(cr)


@pytest.mark.parametrize("activity, after", [("lend", True), ("guarantee", False), ("guarantee", True)])
def test_fin04_later_funds_or_any_guarantee_need_an_exemption(activity, after):
    cr = judge_component(D16, object="verbinding", activity=activity,
                         verbinding={"counterparty": "subsidiary", "after_formation": after})
    assert fired_branch(cr, "FIN-04") == "else" and cr.verdict == "needs_decision"


def test_fin04_not_for_a_samenwerkingsvennootschap():
    cr = judge_component(D16, object="verbinding", activity="guarantee",
                         verbinding={"counterparty": "samenwerkingsvennootschap"})
    assert not fired(cr, "FIN-04")


@pytest.mark.parametrize("cost, needed", [("3000000", True), ("2999999.99", False)])
def test_fin05_supervisory_board_from_exactly_3_million(cost, needed):
    cr = judge_component(D16, cost=cost)
    assert fired(cr, "FIN-05") is needed
    assert ("rvt-approval-investment" in condition_ids(cr)) is needed


def test_fin05_counts_the_whole_project():
    from rulehelpers import component, judge, make_case

    parts = [component(id="A", project="P", cost="1500000"), component(id="B", project="P", cost="1500000")]
    res = judge(make_case(D16, parts))
    assert all(fired(c, "FIN-05") for c in res.components)


def test_fin05_statutes_bring_maintenance_under_the_board():
    cr = judge_component(D16, activity="renovate", cost="3000000", corp={"statutes_require_rvt_for_maintenance": True})
    assert fired(cr, "FIN-05.statutes") and not fired(cr, "FIN-05")
    plain = judge_component(D16, activity="renovate", cost="3000000")
    assert not fired(plain, "FIN-05.statutes") and "rvt-approval-investment" not in condition_ids(plain)
    small = judge_component(D16, activity="renovate", cost="2999999.99",
                            corp={"statutes_require_rvt_for_maintenance": True})
    assert not fired(small, "FIN-05.statutes")


def test_fin06_fin07_wsw_norms_switch_on_2020_04_28():
    before = judge_component("2020-04-27", financing="wsw")
    after = judge_component("2020-04-28", financing="wsw")
    assert fired(before, "FIN-06") and not fired(before, "FIN-07")
    assert fired(after, "FIN-07") and not fired(after, "FIN-06")
    assert "wsw-financial-norms" in condition_ids(after)
    assert not fired(judge_component(D16, financing="market"), "FIN-06")
    assert not fired(judge_component("2023-01-01", financing="own_funds"), "FIN-07")

"""Separation DAEB / non-DAEB: component rules (Ww 50a, BTIV 65-71). Plan checks: tests/test_plan_checks.py."""

from __future__ import annotations

import pytest

from a2helpers import mid_rent
from rulehelpers import condition_ids, fired, fired_branch, in_force, judge_component

D16 = "2016-06-01"


@pytest.mark.parametrize("regime, expect", [("JUR", True), ("HYB", True), ("ADM", False)])
def test_sch05_legal_separation_puts_non_daeb_in_the_woningvennootschap(regime, expect):
    cr = mid_rent(D16, corp={"separation_regime": regime})
    assert fired(cr, "SCH-05") is expect
    assert ("non-daeb-woningvennootschap" in condition_ids(cr)) is expect


def test_sch05_not_for_daeb_work():
    assert not fired(mid_rent(D16, rent="700.00", corp={"separation_regime": "JUR"}), "SCH-05")


def test_sch06_branch_assignment_from_2018():
    assert not in_force("SCH-06", "2017-12-31")
    daeb = mid_rent("2018-01-01", rent="710.68", corp={"separation_regime": "ADM"})
    assert fired_branch(daeb, "SCH-06") == "then" and "non-daeb-separation" not in condition_ids(daeb)
    non = mid_rent("2018-01-01", rent="710.69", corp={"separation_regime": "ADM"})
    assert fired_branch(non, "SCH-06") == "else" and "non-daeb-separation" in condition_ids(non)


def test_sch06_commercial_space_goes_to_the_non_daeb_branch():
    cr = judge_component("2019-03-01", object="bog", project="P1")
    assert fired_branch(cr, "SCH-06") == "else"


def test_sch06_not_under_the_light_regime_and_unknown_regime_still_applies():
    assert not fired(mid_rent("2019-03-01", corp={"separation_regime": "VER"}), "SCH-06")
    assert fired(mid_rent("2019-03-01"), "SCH-06")  # no regime given: the default assignment applies


def test_sch07_internal_loan_terms():
    cr = mid_rent(D16, financing="internal_loan")
    assert fired(cr, "SCH-07.loan") and "internal-loan-terms" in condition_ids(cr)
    assert not fired(mid_rent(D16, financing="market"), "SCH-07.loan")


def test_sch07_no_guarantee_from_daeb_to_the_woningvennootschap():
    cr = judge_component(D16, object="verbinding", activity="guarantee",
                         verbinding={"counterparty": "woningvennootschap"})
    assert fired(cr, "SCH-07.guarantee") and not cr.compliant
    loan = judge_component(D16, object="verbinding", activity="lend",
                           verbinding={"counterparty": "woningvennootschap"})
    assert not fired(loan, "SCH-07.guarantee")


def test_sch08_herstructurering_budget():
    cr = mid_rent(D16, land={"herstructurering": True})
    assert fired(cr, "SCH-08") and "herstructurering-budget" in condition_ids(cr)
    assert any("5%" in r.text for r in cr.reasons if r.rule == "SCH-08")
    assert not fired(mid_rent(D16), "SCH-08")
    # the 2026 budget period uses the same 5%
    assert fired(mid_rent("2026-02-01", rent="1000.00", land={"herstructurering": True}), "SCH-08")

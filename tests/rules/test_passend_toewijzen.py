"""Passend toewijzen (Ww 46 lid 2, BTIV 54): 95% of eligible lettings up to the aftoppingsgrens, from 2016."""

from __future__ import annotations

import pytest

from a2helpers import judge_plan, letting
from rulehelpers import in_force, plan_check, plan_check_ids

D16 = "2016-06-01"


def eligible(date: str, n_within: int, n_above: int, *, size: int = 1, within: str = "586.68",
             above: str = "586.69", income: str = "20000") -> list[dict]:
    return ([letting(date, income, rent=within, size=size) for _ in range(n_within)]
            + [letting(date, income, rent=above, size=size) for _ in range(n_above)])


@pytest.mark.parametrize("n_within, status", [(19, "pass"), (18, "fail")])
def test_pt01_95_percent_at_or_below_the_low_aftoppingsgrens(n_within, status):
    res = judge_plan(D16, lettings=eligible(D16, n_within, 20 - n_within))
    check = plan_check(res, "PLAN-PT-95")
    assert check.rule == "PT-01" and check.status == status
    if status == "fail":
        assert not res.summary.compliant


def test_pt01_three_person_households_use_the_high_aftoppingsgrens():
    res = judge_plan(D16, lettings=eligible(D16, 20, 0, size=3, within="628.76"))
    assert plan_check(res, "PLAN-PT-95").status == "pass"
    res = judge_plan(D16, lettings=eligible(D16, 0, 20, size=3, above="628.77"))
    assert plan_check(res, "PLAN-PT-95").status == "fail"


def test_pt01_only_eligible_households_count():
    # incomes above the passend-toewijzen limit (22,100 single in 2016) are outside the test
    lettings = eligible(D16, 19, 1) + [letting(D16, "22100.01", rent="700.00") for _ in range(10)]
    assert plan_check(judge_plan(D16, lettings=lettings), "PLAN-PT-95").status == "pass"
    res = judge_plan(D16, lettings=[letting(D16, "22100.01", rent="700.00")])
    assert "PLAN-PT-95" not in plan_check_ids(res)


def test_pt01_students_and_explicit_flags_count_as_eligible():
    lettings = [letting(D16, "90000", rent="700.00", category="student"),
                letting(D16, "90000", rent="700.00", eligible=True)] + eligible(D16, 18, 0)
    check = plan_check(judge_plan(D16, lettings=lettings), "PLAN-PT-95")
    assert check.status == "fail" and "90% of the 20" in check.text  # 18 of 20


def test_pt01_starts_2016_01_01():
    assert not in_force("PT-01", "2015-12-31")
    res = judge_plan("2015-10-01", lettings=eligible("2015-10-01", 0, 20, above="700.00"))
    assert "PLAN-PT-95" not in plan_check_ids(res)


def test_pt_2017_limits_filled_from_the_review():
    # 2017: single EUR 22,200 (fbta.nl / MG-circulaire 21-11-2016); an income just above is not eligible
    res = judge_plan("2017-06-01", lettings=eligible("2017-03-01", 0, 20, above="600.00", income="22200"))
    assert plan_check(res, "PLAN-PT-95").status == "fail"
    res = judge_plan("2017-06-01", lettings=eligible("2017-03-01", 0, 20, above="600.00", income="22200.01"))
    assert "PLAN-PT-95" not in plan_check_ids(res)


def test_pt_unknown_when_the_income_limits_are_a_gap_2018_multi_aow():
    lettings = [letting("2018-03-01", "25000", rent="500.00", size=2, aow=True) for _ in range(20)]
    assert plan_check(judge_plan("2018-06-01", lettings=lettings), "PLAN-PT-95").status == "unknown"


@pytest.mark.parametrize("n_within, status", [(19, "pass"), (18, "fail")])
def test_pt03_from_2020_with_the_kept_income_limits(n_within, status):
    lettings = eligible("2020-04-01", n_within, 20 - n_within, within="619.01", above="619.02", income="23225")
    check = plan_check(judge_plan("2020-06-01", lettings=lettings), "PLAN-PT-95")
    assert check.rule == "PT-03" and check.status == status and check.confidence == "secondary"


def test_pt03_unknown_in_2026_because_the_aftoppingsgrenzen_are_not_known():
    res = judge_plan("2026-03-01", lettings=eligible("2026-02-01", 20, 0, within="600.00", income="20000"))
    assert plan_check(res, "PLAN-PT-95").status == "unknown"

"""Plan-level checks (issue 3 item 5): BOG limits per investment, MV third-party letting, the light
separation regime (catalogue T32) and the separation proposal. Allocation and passend toewijzen:
tests/rules/test_toewijzing.py and test_passend_toewijzen.py; leefbaarheid cap: tests/rules (A1)."""

from __future__ import annotations

import pytest

from a2helpers import judge_plan, letting, lettings_split, turnover
from rulehelpers import component, plan_check, plan_check_ids

D16 = "2016-06-01"


def investment(bog_floor: int, bog_cost: str, *, home_floor: int = 3000, parking: dict | None = None) -> list[dict]:
    parts = [component(id="H", project="P", floor_area_m2=home_floor, cost="5000000"),
             component(id="S", project="P", object="bog", floor_area_m2=bog_floor, cost=bog_cost)]
    if parking:
        parts.append(component(id="G", project="P", object="parking", **parking))
    return parts


# --- BOG-01.plan: T22 and its boundaries -----------------------------------------------------------

def test_t22_shop_plinth_exactly_25_percent_and_10_million_passes():
    res = judge_plan(D16, components=investment(1000, "10000000"))
    check = plan_check(res, "PLAN-BOG-LIMITS", "project:P")
    assert check.status == "pass" and check.rule == "BOG-01.plan"
    assert check.inputs.facts["project_bog_floor_share"] == "0.25"


@pytest.mark.parametrize("bog_floor, bog_cost", [(1001, "10000000"), (1000, "10000000.01")])
def test_bog_limits_just_above_either_limit_fail(bog_floor, bog_cost):
    res = judge_plan(D16, components=investment(bog_floor, bog_cost))
    check = plan_check(res, "PLAN-BOG-LIMITS", "project:P")
    assert check.status == "fail" and not res.summary.compliant


def test_bog_share_counts_parking_in_the_floor_area():
    # 1,200 m2 shop on 3,000 m2 homes is 28.6%; with 1,000 m2 of residents' parking it is 23.1%
    over = judge_plan(D16, components=investment(1200, "3000000"))
    assert plan_check(over, "PLAN-BOG-LIMITS").status == "fail"
    parking = {"floor_area_m2": 1000, "cost": "1000000", "parking": {"use": "dwellings", "for_daeb_dwellings": True}}
    under = judge_plan(D16, components=investment(1200, "3000000", parking=parking))
    assert plan_check(under, "PLAN-BOG-LIMITS").status == "pass"


def test_bog_check_only_for_investments_with_commercial_space():
    res = judge_plan(D16, components=[component(id="H", project="P")])
    assert "PLAN-BOG-LIMITS" not in plan_check_ids(res)


def test_bog_limits_end_with_btiv_52():
    # BTIV 52 is not in the consolidation of 2022-01-01 (tests/rules/test_btiv_2022.py)
    res = judge_plan("2021-03-01", components=investment(1000, "10000000"))
    assert plan_check(res, "PLAN-BOG-LIMITS").status == "pass"
    assert "PLAN-BOG-LIMITS" not in {c.id for c in judge_plan("2024-03-01", components=investment(1000, "10000000")).plan.checks}


# --- MV-07.plan ------------------------------------------------------------------------------------

@pytest.mark.parametrize("third, status", [(100, "pass"), (101, "fail")])
def test_mv_third_party_letting_at_most_10_percent(third, status):
    mv = component(object="mv", floor_area_m2=1000, mv={"third_party_floor_m2": third})
    check = plan_check(judge_plan(D16, components=[mv]), "PLAN-MV-THIRD-PARTY")
    assert check.status == status and check.rule == "MV-07.plan"


def test_mv_check_only_with_mv_in_the_plan():
    assert "PLAN-MV-THIRD-PARTY" not in plan_check_ids(judge_plan(D16))


# --- SCH-01: the light regime (catalogue T32) ------------------------------------------------------

def test_t32_exactly_5_percent_non_daeb_turnover_fails():
    res = judge_plan(D16, turnover=turnover("29000000", "0.05"), non_daeb_investment_share="0.03",
                     wants_verlicht_regime=True)
    check = plan_check(res, "PLAN-SCH-VERLICHT")
    assert check.status == "fail" and not res.summary.compliant
    assert "non-daeb-separation" in check.conditions


def test_verlicht_passes_below_all_limits_in_2015():
    res = judge_plan("2015-09-01", turnover=turnover("29999999.99", "0.0499"), non_daeb_investment_share="0.0999",
                     wants_verlicht_regime=True)
    check = plan_check(res, "PLAN-SCH-VERLICHT")
    assert check.status == "pass" and "kostenverdeelstaat" in check.conditions


@pytest.mark.parametrize("amount, share, invest", [
    ("30000000", "0.01", "0.01"),      # turnover exactly at the 2015 amount
    ("1000000", "0.01", "0.10"),       # investments exactly 10%
])
def test_verlicht_strict_limits_2015(amount, share, invest):
    res = judge_plan("2015-09-01", turnover=turnover(amount, share), non_daeb_investment_share=invest,
                     wants_verlicht_regime=True)
    assert plan_check(res, "PLAN-SCH-VERLICHT").status == "fail"


@pytest.mark.parametrize("amount, status", [("30779999.99", "pass"), ("31000000", "unknown"),
                                            ("33446534.07", "unknown"), ("33446534.08", "fail")])
def test_verlicht_amount_early_2020_lies_between_the_statute_and_the_ministers_correction(amount, status):
    # Ww 49 lid 1 a reads 30,780,000 in the consolidations of 2020-01-01 and 2020-02-15; the ministry called that
    # a wrong indexation, and the consolidation of 2020-03-14 reads the corrected 33,446,534.08; whether the
    # correction reaches back was not read, so before 2020-03-14 a turnover in between stays open
    res = judge_plan("2020-02-01", turnover=turnover(amount, "0.01", (2018, 2019)), non_daeb_investment_share="0.01",
                     separation_regime="VER")
    check = plan_check(res, "PLAN-SCH-VERLICHT")
    assert check.status == status
    bound = next(p for p in check.inputs.params if p.id == "verlicht_max_turnover")
    assert [(b.bound, b.confidence) for b in bound.bounds] == [("lower", "verified"), ("upper", "verified")]


@pytest.mark.parametrize("amount, status", [("31000000", "pass"), ("33446534.07", "pass"), ("33446534.08", "fail")])
def test_verlicht_amount_from_2020_03_14_is_the_corrected_one(amount, status):
    # the consolidations of 2020-03-14 and 2020-10-01 read EUR 33,446,534.08 ("minder dan")
    res = judge_plan("2020-06-01", turnover=turnover(amount, "0.01", (2018, 2019)), non_daeb_investment_share="0.01",
                     separation_regime="VER")
    assert plan_check(res, "PLAN-SCH-VERLICHT").status == status


@pytest.mark.parametrize("day, amount, status", [
    ("2017-06-01", "29999999.99", "pass"), ("2017-06-01", "30000000", "fail"), ("2019-12-31", "30000000", "fail"),
    ("2021-06-01", "34249250.89", "pass"), ("2021-06-01", "34249250.90", "fail"),
    ("2022-03-01", "35036983.66", "pass"), ("2022-03-01", "35036983.67", "fail"),
])
def test_verlicht_amount_read_in_the_consolidated_woningwet(day, amount, status):
    # Ww 49 lid 1 a: EUR 30 miljoen up to 2019 (not yet indexed), 34,249,250.90 in 2021, 35,036,983.67 on
    # 2022-01-01 (consolidations read); "minder dan": the amount itself no longer qualifies
    year = int(day[:4])
    res = judge_plan(day, turnover=turnover(amount, "0.01", (year - 2, year - 1)), non_daeb_investment_share="0.01",
                     wants_verlicht_regime=True)
    check = plan_check(res, "PLAN-SCH-VERLICHT")
    assert check.status == status
    bound = next(p for p in check.inputs.params if p.id == "verlicht_max_turnover")
    assert bound.confidence == "verified" and not bound.bounds


def test_verlicht_check_only_when_claimed():
    res = judge_plan(D16, turnover=turnover("1000000", "0.01"), non_daeb_investment_share="0.01",
                     separation_regime="ADM")
    assert not {"PLAN-SCH-VERLICHT", "PLAN-SCH-KOSTENVERDEELSTAAT", "PLAN-SCH-TRANSPARENCY"} & plan_check_ids(res)


def test_sch03_kostenverdeelstaat_listed_under_the_light_regime():
    res = judge_plan("2015-09-01", turnover=turnover("1000000", "0.01"), non_daeb_investment_share="0.01",
                     wants_verlicht_regime=True)
    check = plan_check(res, "PLAN-SCH-KOSTENVERDEELSTAAT")
    assert check.status == "pass" and check.conditions == ["kostenverdeelstaat"]


def test_sch03_not_when_the_light_regime_criteria_fail():
    res = judge_plan(D16, turnover=turnover("29000000", "0.05"), non_daeb_investment_share="0.03",
                     wants_verlicht_regime=True)
    assert "PLAN-SCH-KOSTENVERDEELSTAAT" not in plan_check_ids(res)


@pytest.mark.parametrize("amount, status", [("39999999.99", "pass"), ("40000000", "fail")])
def test_sch04_transparency_below_40_million(amount, status):
    res = judge_plan(D16, turnover=turnover(amount, "0.01"), non_daeb_investment_share="0.01",
                     wants_verlicht_regime=True)
    check = plan_check(res, "PLAN-SCH-TRANSPARENCY")
    assert check.status == status
    assert ("cost-revenue-registration" in check.conditions) is (status == "pass")


# --- SCH-09 / SCH-10: the separation proposal (2015-2017) ------------------------------------------

def test_sch09_proposal_needed_until_2017_when_no_regime_chosen():
    check = plan_check(judge_plan(D16), "PLAN-SCH-PROPOSAL")
    assert check.status == "fail" and check.conditions == ["separation-proposal"]
    assert plan_check(judge_plan(D16, separation_regime="ADM"), "PLAN-SCH-PROPOSAL").status == "pass"
    assert "PLAN-SCH-PROPOSAL" not in plan_check_ids(judge_plan("2018-01-01"))
    assert "PLAN-SCH-PROPOSAL" not in plan_check_ids(judge_plan(D16, wants_verlicht_regime=True))


@pytest.mark.parametrize("n_in, status", [(9, "pass"), (8, "fail")])
def test_sch10_proposal_refused_below_the_90_percent_allocation_norm(n_in, status):
    res = judge_plan(D16, lettings=lettings_split(D16, n_in, 10 - n_in, "30000", "90000"), separation_regime="ADM")
    check = plan_check(res, "PLAN-SCH-PROPOSAL-ALLOCATION")
    assert check.status == status


def test_sch10_needs_lettings_and_ends_with_2017():
    assert "PLAN-SCH-PROPOSAL-ALLOCATION" not in plan_check_ids(judge_plan(D16))
    res = judge_plan("2018-03-01", lettings=[letting("2018-02-01", "90000")])
    assert "PLAN-SCH-PROPOSAL-ALLOCATION" not in plan_check_ids(res)


# --- a plan check that cannot be assessed says what is open and what would decide it ---------------

def _open_check(check_id: str, date: str, lang: str, **kw):
    from rulehelpers import judge, make_case

    check = plan_check(judge(make_case(date, kw.pop("components", None) or [component()], **kw), lang=lang), check_id)
    assert check.status == "unknown"
    return check.text


@pytest.mark.parametrize("lang, applies, passes, decides", [
    ("nl", "De toets geldt als: toewijzingen aan huurtoeslaggerechtigden is hoger dan 0.",
     "Voldoet als: aandeel passend toegewezen is ten minste 95% ",
     "Wat beslist: het bedrag of percentage dat op deze datum geldt."),
    ("en", "The check applies if: lettings to households eligible for huurtoeslag is above 0.",
     "It passes if: share allocated passend is at least 95% ", "What decides it: the figure in force on this date."),
])
def test_open_applicability_says_when_the_check_applies(lang, applies, passes, decides):
    # 2018: the passend-toewijzen income limit of a multi-person AOW household is not known, so
    # whether any letting went to an eligible household (and so whether PT-01 applies) is open; the
    # missing count is derived from that figure, so the figure decides, not the case file
    text = _open_check("PLAN-PT-95", "2018-06-01", lang, lettings=[letting("2018-03-01", 30000, size=2, aow=True)])
    assert applies in text and passes in text and text.endswith(decides)
    assert "(onbekend)" not in text and "(unknown)" not in text


def test_open_figure_in_a_compound_test_names_the_figure_as_what_decides():
    # early 2020: the verlicht turnover limit is only bounded (30,780,000 in the statute, 33,446,534.08 corrected)
    text = _open_check("PLAN-SCH-VERLICHT", "2020-02-01", "en", turnover=turnover("31000000", "0.01", (2018, 2019)),
                       non_daeb_investment_share="0.01", wants_verlicht_regime=True)
    assert text.startswith("Cannot be assessed, unknown: ")
    assert "It passes if: " in text and " and " in text.split("It passes if: ")[1]
    assert text.endswith("What decides it: the figure in force on this date.")

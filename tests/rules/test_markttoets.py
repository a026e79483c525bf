"""Markttoets and approval of non-DAEB work (Ww 44c, BTIV 41-45, RTIV 20) and the 2024 middle segment.

Each rule is made to fire and not to fire, at its thresholds and on both sides of its regime dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

import pytest

from a2helpers import mid_rent
from rulehelpers import rests_on, condition_ids, fired, fired_branch, in_force, judge_component, judge_plinth

D16 = "2016-06-01"
RATIOS_OK = {"non_daeb_icr": "1.6", "non_daeb_debt_woz_share": "0.4"}  # MT-08 met: the case states them


# --- MT-01 / MT-04 / MT-05: who needs the full market test ------------------------------------

def test_mt01_new_mid_rent_build_needs_full_market_test():
    cr = mid_rent(D16)
    assert cr.verdict == "non_daeb" and fired(cr, "MT-01")
    assert {"markttoets-market-test", "aw-approval-non-daeb", "wsw-view"} <= condition_ids(cr)


def test_mt01_not_for_a_rent_exactly_at_the_liberalisatiegrens():
    cr = mid_rent(D16, rent="710.68")
    assert cr.verdict == "daeb" and not fired(cr, "MT-01")
    assert "markttoets-market-test" not in condition_ids(cr)


def test_mt01_regime_ends_when_art_44c_leaves_the_text():
    """Art. 44c is in the consolidation of 2021-07-01, not in that of 2021-09-11: the market test and its
    approval end on 2021-09-10; from 2021-09-11 the case is told the article lapsed (MT-12) and gets the
    non-DAEB conditions that remain (MT-13)."""
    last = mid_rent("2021-09-10", rent="900.00")
    assert fired(last, "MT-01") and fired(last, "MT-11") and not fired(last, "MT-12")
    assert {"markttoets-market-test", "aw-approval-non-daeb"} <= condition_ids(last)
    later = mid_rent("2021-09-11", rent="900.00")
    assert later.verdict == "non_daeb" and not fired(later, "MT-01") and not fired(later, "MT-11")
    assert not in_force("MT-01", "2021-09-11") and not in_force("MT-02", "2021-09-11")
    assert fired(later, "MT-12") and fired(later, "MT-13")
    assert "markttoets-market-test" not in condition_ids(later) and "aw-approval-non-daeb" not in condition_ids(later)
    assert {"market-financing", "non-daeb-separation"} <= condition_ids(later)


def test_mt04_herstructurering_on_land_held_before_2015_waives_the_market_call():
    cr = mid_rent(D16, land={"herstructurering": True, "acquired_on": "2014-12-31"})
    assert fired(cr, "MT-04") and not fired(cr, "MT-01")
    assert "markttoets-market-test" not in condition_ids(cr)
    assert {"markttoets-necessity", "aw-approval-non-daeb"} <= condition_ids(cr)


def test_mt04_not_for_land_acquired_on_or_after_2015_01_01():
    cr = mid_rent(D16, land={"herstructurering": True, "acquired_on": "2015-01-01"})
    assert not fired(cr, "MT-04") and fired(cr, "MT-01")


def test_mt05_commitment_before_the_reform_is_exempt():
    before = mid_rent(D16, committed_on="2015-06-30")
    assert fired(before, "MT-05") and not fired(before, "MT-01") and not fired(before, "MT-02")
    on_the_day = mid_rent(D16, committed_on="2015-07-01")
    assert not fired(on_the_day, "MT-05") and fired(on_the_day, "MT-01")


def test_mt03_non_daeb_maintenance_is_exempt():
    cr = judge_component(D16, activity="renovate", dwelling={"rent": "800.00"})
    assert fired(cr, "MT-03") and not fired(cr, "MT-01")
    daeb = judge_component(D16, activity="renovate", dwelling={"rent": "700.00"})
    assert not fired(daeb, "MT-03")


def citation_of(cr, rule_id):
    [r] = [r for r in cr.reasons if r.rule == rule_id]
    c = r.citation
    return tuple(x for x in (c.article, c.lid, c.onderdeel, c.sub) if x)


# --- BTIV 41 a-f (consolidation of 2016-10-28): each exemption cites its onderdeel -----------------

HERSTRUCTURERING = {"herstructurering": True, "acquired_on": "2016-01-01"}


def test_mt03_2015_text_exempts_maintenance_in_herstructurering_too():
    cr = judge_component("2016-10-27", activity="renovate", dwelling={"rent": "800.00"}, land=HERSTRUCTURERING)
    assert fired(cr, "MT-03") and citation_of(cr, "MT-03") == ("41",)


def test_mt03_2016_cites_41_a_and_leaves_herstructurering_out():
    cr = judge_component("2016-10-28", activity="renovate", dwelling={"rent": "800.00"})
    assert fired(cr, "MT-03.2016") and not fired(cr, "MT-03") and citation_of(cr, "MT-03.2016") == ("41", "a")
    herstr = judge_component("2016-10-28", activity="renovate", dwelling={"rent": "800.00"}, land=HERSTRUCTURERING)
    assert not fired(herstr, "MT-03.2016") and not fired(herstr, "MT-03")
    assert not fired(judge_component("2017-06-01", activity="renovate", dwelling={"rent": "700.00"}), "MT-03.2016")


def test_mt03_letting_cites_41_e_from_the_2016_text():
    for obj, extra in (("dwelling", {"dwelling": {"rent": "900.00"}}), ("bog", {})):
        cr = judge_component("2017-06-01", activity="let", object=obj, **extra)
        assert fired(cr, "MT-03.letting") and citation_of(cr, "MT-03.letting") == ("41", "e")
        assert not fired(judge_component("2016-10-27", activity="let", object=obj, **extra), "MT-03.letting")
    assert fired(judge_component("2018-01-01", activity="liberalise", dwelling={"rent": "900.00"}), "MT-03.letting")
    assert not fired(judge_component("2017-06-01", activity="let", dwelling={"rent": "600.00"}), "MT-03.letting")


def test_mt03_letting_2019_continues_unverified():
    assert fired(judge_component("2019-06-30", activity="let", object="bog"), "MT-03.letting")
    cr = judge_component("2019-07-01", activity="let", object="bog", lang="nl")
    assert fired(cr, "MT-03.letting-2019") and not fired(cr, "MT-03.letting")
    assert citation_of(cr, "MT-03.letting-2019") == ("41", "e") and rests_on(cr, "MT-03.letting-2019")
    assert not fired(judge_component("2020-01-01", activity="let", dwelling={"rent": "600.00"}), "MT-03.letting-2019")
    assert not in_force("MT-03.letting-2019", "2022-01-01")


def test_bog03_maintenance_cites_41_before_and_41_d_after_the_2016_text():
    before = judge_component("2016-10-27", activity="maintain", object="bog", bog={"existing": True})
    after = judge_component("2016-10-28", activity="maintain", object="bog", bog={"existing": True})
    assert citation_of(before, "BOG-03") == ("41",) and citation_of(after, "BOG-03") == ("41", "d")


APPROVAL_PATH = ("MT-01", "MT-02", "MT-06", "MT-08", "MT-10")


def test_mt03_herstructurering_asks_for_the_41_b_cost_and_keeps_the_market_test():
    cr = mid_rent("2017-06-01", rent="900.00", land=HERSTRUCTURERING)
    assert fired(cr, "MT-03.herstructurering") and citation_of(cr, "MT-03.herstructurering") == ("41", "b")
    assert {"markttoets-herstructurering-cost", "markttoets-market-test"} <= condition_ids(cr)  # the amount is a gap
    assert fired(cr, "MT-01")
    renovation = judge_component("2017-06-01", activity="renovate", dwelling={"rent": "900.00"}, land=HERSTRUCTURERING)
    assert fired(renovation, "MT-03.herstructurering") and not fired(renovation, "MT-03.2016")
    assert not fired(mid_rent("2017-06-01", rent="900.00"), "MT-03.herstructurering")
    assert not fired(mid_rent("2016-10-27", rent="900.00", land=HERSTRUCTURERING), "MT-03.herstructurering")


def test_mt03_herstructurering_2019_continues_unverified():
    cr = mid_rent("2019-07-01", rent="900.00", land=HERSTRUCTURERING)
    assert fired(cr, "MT-03.herstructurering-2019") and not fired(cr, "MT-03.herstructurering")
    assert rests_on(cr, "MT-03.herstructurering-2019")
    assert not fired(mid_rent("2020-01-01", rent="900.00"), "MT-03.herstructurering-2019")
    assert not in_force("MT-03.herstructurering-2019", "2022-01-01")


def buyback(date, **overrides):
    return mid_rent(date, rent="900.00", activity="acquire", buyback_obligation=True, **overrides)


def test_mt03_buyback_exempts_from_the_whole_market_test():
    cr = buyback("2017-06-01")
    assert fired(cr, "MT-03.buyback") and citation_of(cr, "MT-03.buyback") == ("41", "c")
    assert not any(fired(cr, rid) for rid in APPROVAL_PATH)
    assert not {"markttoets-market-test", "aw-approval-non-daeb"} & condition_ids(cr)
    before = buyback("2016-10-27")  # the 2015 text has no such exemption
    assert not fired(before, "MT-03.buyback") and fired(before, "MT-01")
    plain = mid_rent("2017-06-01", rent="900.00", activity="acquire", buyback_obligation=False)
    assert not fired(plain, "MT-03.buyback") and fired(plain, "MT-01")


def test_mt03_buyback_2019_continues_unverified():
    cr = buyback("2020-03-01")
    assert fired(cr, "MT-03.buyback-2019") and not fired(cr, "MT-03.buyback") and not fired(cr, "MT-01")
    assert rests_on(cr, "MT-03.buyback-2019")
    assert not fired(mid_rent("2020-03-01", rent="900.00", activity="acquire"), "MT-03.buyback-2019")
    assert not fired(mid_rent("2020-03-01", rent="600.00", activity="acquire", buyback_obligation=True), "MT-03.buyback-2019")


def shop_from_ti(date, bog_m2, **overrides):
    return judge_plinth(date, bog_m2=bog_m2, activity="acquire", acquired_from_ti=True, **overrides)


@pytest.mark.parametrize("date, within, above", [("2017-06-01", 300, 301), ("2019-07-01", 1000, 1001)])
def test_mt03_bog_from_ti_within_the_share_of_41_f_1(date, within, above):
    # plinth of `within` m2 on 3,000 m2 of social homes: exactly 10% (2016 text) or 25% (from 2019-07-01)
    homes_m2 = 2700 if date < "2019" else 3000
    cr = shop_from_ti(date, within, homes_m2=homes_m2)
    assert fired(cr, "MT-03.bog-from-ti") and citation_of(cr, "MT-03.bog-from-ti") == ("41", "f", "1°")
    assert "markttoets-bog-rest-daeb" in condition_ids(cr)
    assert not any(fired(cr, rid) for rid in APPROVAL_PATH)
    over = shop_from_ti(date, above, homes_m2=homes_m2)
    assert not fired(over, "MT-03.bog-from-ti") and fired(over, "MT-01")


def test_mt03_bog_from_ti_not_from_a_non_ti_seller_nor_before_the_2016_text():
    assert not fired(judge_plinth("2017-06-01", bog_m2=100, activity="acquire"), "MT-03.bog-from-ti")
    assert not fired(shop_from_ti("2016-10-27", 100), "MT-03.bog-from-ti")
    assert not fired(shop_from_ti("2022-01-01", 100), "MT-03.bog-from-ti")


# --- the 2019 change of the BTIV (Stb. 2019, 210): the 2016 exemptions continue, unverified -------

def test_mt03_2019_maintenance_exemption_continues_unverified_from_the_besluit_date():
    before = judge_component("2019-06-30", activity="renovate", dwelling={"rent": "800.00"})
    assert fired(before, "MT-03.2016") and not fired(before, "MT-03.2019")
    cr = judge_component("2019-07-01", activity="renovate", dwelling={"rent": "800.00"})
    assert fired(cr, "MT-03.2019") and not fired(cr, "MT-03.2016") and not fired(cr, "MT-01")
    assert citation_of(cr, "MT-03.2019") == ("41", "a")
    assert rests_on(cr, "MT-03.2019")  # the 2019 text was not read in full
    assert not in_force("MT-03.2019", "2022-01-01")


def test_mt03_2019_not_for_daeb_maintenance_nor_new_build_nor_herstructurering():
    assert not fired(judge_component("2020-06-01", activity="renovate", dwelling={"rent": "700.00"}), "MT-03.2019")
    assert not fired(mid_rent("2020-06-01", rent="900.00"), "MT-03.2019")
    herstr = judge_component("2020-06-01", activity="renovate", dwelling={"rent": "800.00"}, land=HERSTRUCTURERING)
    assert not fired(herstr, "MT-03.2019")


def test_mt04_2019_herstructurering_waiver_continues_and_says_it_may_be_wider():
    land = {"herstructurering": True, "acquired_on": "2014-12-31"}
    assert fired(mid_rent("2019-06-30", rent="900.00", land=land), "MT-04")
    cr = mid_rent("2019-07-01", rent="900.00", land=land, lang="nl")
    assert fired(cr, "MT-04.2019") and not fired(cr, "MT-04") and not fired(cr, "MT-01")
    text = next(r.text for r in cr.reasons if r.rule == "MT-04.2019")
    assert "Stb. 2019, 210" in text and "niet geverifieerd" in text
    assert "markttoets-market-test" not in condition_ids(cr)
    assert {r.confidence for r in cr.reasons if r.rule == "MT-04.2019"} == {"unverified"}


def test_mt04_2019_not_without_land_held_before_2015():
    cr = mid_rent("2020-06-01", rent="900.00", land={"herstructurering": True, "acquired_on": "2015-01-01"})
    assert not fired(cr, "MT-04.2019") and fired(cr, "MT-01")


# --- 2021: the Aw does not enforce art. 44c (aanwijzing of 18 December 2020) -----------------------

def test_mt11_2021_non_enforcement_is_said_while_44c_stays_the_law():
    cr = mid_rent("2021-01-01", rent="900.00")
    assert fired(cr, "MT-11") and fired(cr, "MT-01") and "markttoets-market-test" in condition_ids(cr)
    r = next(r for r in cr.reasons if r.rule == "MT-11")
    assert r.effect == "info" and r.confidence == "secondary" and "18 December 2020" in r.text
    assert not fired(mid_rent("2020-12-31", rent="900.00"), "MT-11")
    assert not in_force("MT-11", "2022-01-01")


def test_mt11_not_for_a_daeb_dwelling():
    assert not fired(mid_rent("2021-06-01", rent="700.00"), "MT-11")


# --- MT-02 / MT-06: grounds and plausibility of the approval -------------------------------------

@pytest.mark.parametrize("rule", ["MT-02", "MT-06"])
def test_mt02_mt06_attach_to_non_daeb_new_build_only(rule):
    assert fired(mid_rent(D16), rule)
    assert not fired(mid_rent(D16, rent="700.00"), rule)
    assert not fired(mid_rent(D16, committed_on="2014-01-01"), rule)
    assert not fired(mid_rent("2022-03-01", rent="900.00"), rule)


def test_mt06_lists_return_and_continuity_conditions():
    assert {"non-daeb-min-return", "non-daeb-continuity"} <= condition_ids(mid_rent(D16))


# --- MT-07: minimum return (RTIV 20 lid 1) -------------------------------------------------------

def test_mt07_rent_return_exactly_5_5_percent_passes():
    # 10 homes x 1,100 x 12 = 132,000 a year on 2,400,000: exactly 5.5%
    cr = mid_rent(D16, rent="1100.00", units=10, cost="2400000", corp=RATIOS_OK)
    assert fired_branch(cr, "MT-07.rent") == "then" and cr.compliant


def test_mt07_rent_return_a_cent_of_cost_more_fails():
    cr = mid_rent(D16, rent="1100.00", units=10, cost="2400000.01")
    assert fired_branch(cr, "MT-07.rent") == "else" and not cr.compliant
    assert any(r.rule == "MT-07.rent" and r.effect == "violation" for r in cr.reasons)


def test_mt07_rent_return_unknown_without_cost():
    cr = mid_rent(D16, rent="1100.00", cost=None)
    assert not fired(cr, "MT-07.rent")
    assert any(n.rule.startswith("MT-07.rent") and n.status == "unknown" for n in cr.not_fired)


@pytest.mark.parametrize("cost, branch", [("2400000", "then"), ("2400000.01", "else")])
def test_mt07_herstructurering_below_the_norm_is_a_condition_not_a_violation(cost, branch):
    cr = mid_rent(D16, rent="1100.00", units=10, cost=cost, land={"herstructurering": True})
    assert fired_branch(cr, "MT-07.rent-herstructurering") == branch and not fired(cr, "MT-07.rent")
    assert not any(r.rule.startswith("MT-07") and r.effect == "violation" for r in cr.reasons)
    assert ("herstructurering-budget" in condition_ids(cr))  # SCH-08 lists it in both cases


@pytest.mark.parametrize("price, branch", [("2100000", "then"), ("2000000", "else")])
def test_mt07_sale_herstructurering(price, branch):
    cr = judge_component(D16, cost="2000000", land={"herstructurering": True}, corp=RATIOS_OK,
                         dwelling={"tenure": "sale", "rent": None}, sale={"buyer": "owner_occupier", "price": price})
    assert fired_branch(cr, "MT-07.sale-herstructurering") == branch and not fired(cr, "MT-07.sale")
    assert cr.compliant


def test_mt07_herstructurering_rules_not_without_herstructurering():
    assert not fired(mid_rent(D16, rent="1100.00"), "MT-07.rent-herstructurering")
    cr = judge_component(D16, cost="2000000", dwelling={"tenure": "sale", "rent": None},
                         sale={"buyer": "owner_occupier", "price": "2100000"})
    assert not fired(cr, "MT-07.sale-herstructurering")


def test_mt07_rent_not_after_2021():
    assert not fired(mid_rent("2022-02-01", rent="1100.00", units=10, cost="9000000"), "MT-07.rent")


@pytest.mark.parametrize("price, branch", [("2100000", "then"), ("2099999.99", "else")])
def test_mt07_sale_proceeds_at_least_1_05_times_cost(price, branch):
    cr = judge_component(D16, cost="2000000", dwelling={"tenure": "sale", "rent": None},
                         sale={"buyer": "owner_occupier", "price": price})
    assert cr.verdict == "non_daeb" and fired_branch(cr, "MT-07.sale") == branch


def test_mt07_sale_not_for_rental_homes_nor_for_sales_committed_before_the_reform():
    assert not fired(mid_rent(D16), "MT-07.sale")
    cr = judge_component(D16, cost="2000000", committed_on="2015-05-01", dwelling={"tenure": "sale", "rent": None},
                         sale={"buyer": "owner_occupier", "price": "1000000"})
    assert not fired(cr, "MT-07.sale") and fired(cr, "MT-05")


# --- MT-08: sufficient funds in the non-DAEB branch (RTIV 20 lid 2) ------------------------------

@pytest.mark.parametrize("icr, debt, branch", [
    ("1.4", "0.50", "then"),     # both exactly at the norm
    ("1.39", "0.40", "else"),    # interest cover too low
    ("2.0", "0.5001", "else"),   # debt too high
])
def test_mt08_non_daeb_branch_ratios(icr, debt, branch):
    cr = mid_rent(D16, corp={"non_daeb_icr": icr, "non_daeb_debt_woz_share": debt})
    assert fired_branch(cr, "MT-08") == branch


def test_mt08_unknown_without_the_ratios_and_not_for_daeb():
    assert not fired(mid_rent(D16), "MT-08")
    assert not fired(mid_rent(D16, rent="600.00", corp={"non_daeb_icr": "1.0", "non_daeb_debt_woz_share": "0.9"}),
                     "MT-08")


# --- MT-10 / MT-12 / MT-13 / MT-14: later regimes --------------------------------------------------

def test_mt10_warns_from_the_date_of_the_2019_besluit():
    assert not fired(mid_rent("2019-06-30", rent="900.00"), "MT-10")
    cr = mid_rent("2019-07-01", rent="900.00")
    assert fired(cr, "MT-10") and any(r.rule == "MT-10" and r.confidence == "unverified" for r in cr.reasons)
    assert citation_of(cr, "MT-10") == ("41", "f", "1°")
    assert not fired(mid_rent("2020-06-01", rent="700.00"), "MT-10")


def test_mt12_2022_and_2023_only():
    assert fired(mid_rent("2022-01-01", rent="900.00"), "MT-12")
    assert fired(mid_rent("2023-12-31", rent="900.00"), "MT-12")
    assert not in_force("MT-12", "2024-01-01")
    assert not fired(mid_rent("2023-06-01", rent="800.00"), "MT-12")  # 800 <= 808.06 in 2023: DAEB


def test_mt13_no_market_test_from_2022_but_market_financing():
    cr = mid_rent("2022-06-01", rent="900.00")
    assert fired(cr, "MT-13") and {"market-financing", "non-daeb-separation"} <= condition_ids(cr)
    assert not fired(mid_rent("2022-06-01", rent="700.00"), "MT-13")


def test_mt14_unverified_assumption_on_aw_approval_after_2022():
    cr = mid_rent("2025-03-01", rent="1000.00", dwelling={"wws_points": 200})
    assert fired(cr, "MT-14")
    assert rests_on(cr, "MT-14")
    assert not fired(mid_rent("2025-03-01", rent="850.00"), "MT-14")  # 850 <= 900.07: DAEB in 2025


# --- 2024-07-01: Wet betaalbare huur, middle segment ---------------------------------------------
# The rent is compared with the huurprijstabel row for the dwelling's own points (Uhw 10 lid 1, BHW 12
# lid 1), not with the 186-point ceiling; the BHW 8a prijsopslagen bound the real maximum between the
# row and 165% of it, so a rent in between stays undetermined and names that interval.

MT13 = "MT-13.middenhuur"


def mt13_reason(cr):
    return next(r for r in cr.reasons if r.rule == MT13)


def undetermined(cr, rule_id: str) -> bool:
    return any(r.rule == rule_id and r.effect == "undetermined" for r in cr.reasons)


@pytest.mark.parametrize("rent, branch", [("1157.95", "then"), ("1910.61", None), ("1910.62", "else")])
def test_middle_segment_at_186_points_2024(rent, branch):
    # row 186 of 1 July 2024 is 1157.95; 165% of it is 1910.6175: 1910.61 may still be allowed by
    # the prijsopslagen (undetermined), 1910.62 is above every possible maximum
    cr = mid_rent("2024-08-01", rent=rent, dwelling={"wws_points": 186})
    assert fired_branch(cr, MT13) == branch
    assert undetermined(cr, MT13) == (branch is None)
    assert cr.compliant is (True if branch == "then" else False if branch == "else" else cr.compliant)


def test_middle_segment_uses_the_row_of_the_own_points_not_the_186_point_ceiling():
    # 150 points on 1 July 2024: row 924.90 (the 186-point ceiling 1157.95 would have let 1000.00 pass)
    ok = mid_rent("2024-08-01", rent="924.90", dwelling={"wws_points": 150})
    assert fired_branch(ok, MT13) == "then" and ok.compliant
    assert "924.90 is not above EUR 924.90" in mt13_reason(ok).text
    over = mid_rent("2024-08-01", rent="1000.00", dwelling={"wws_points": 150})
    assert fired_branch(over, MT13) is None and undetermined(over, MT13)
    assert "165" in mt13_reason(over).text  # names the bound the prijsopslagen put on the maximum
    far_over = mid_rent("2024-08-01", rent="1526.09", dwelling={"wws_points": 150})  # just over 165% of 924.90
    assert fired_branch(far_over, MT13) == "else" and not far_over.compliant
    assert "wws_max_rent_by_points" in {p.id for p in mt13_reason(far_over).inputs.params}


def test_middle_segment_does_not_apply_above_186_points_or_before_july_2024():
    assert not fired(mid_rent("2024-08-01", rent="1500.00", dwelling={"wws_points": 187}), MT13)
    assert not in_force(MT13, "2024-06-30")
    assert not fired(mid_rent("2024-06-30", rent="1500.00", dwelling={"wws_points": 150}), MT13)


def test_middle_segment_table_is_indexed_2025():
    # 170 points: 1054.38 from 1 July 2024, 1078.85 from 1 January 2025
    assert fired_branch(mid_rent("2024-12-31", rent="1054.38", dwelling={"wws_points": 170}), MT13) == "then"
    assert fired_branch(mid_rent("2024-12-31", rent="1054.39", dwelling={"wws_points": 170}), MT13) is None
    assert fired_branch(mid_rent("2025-02-01", rent="1078.85", dwelling={"wws_points": 170}), MT13) == "then"
    assert fired_branch(mid_rent("2025-02-01", rent="1078.86", dwelling={"wws_points": 170}), MT13) is None


def test_middle_segment_cites_the_uitvoeringswet_and_the_besluit():
    cr = mid_rent("2025-02-01", rent="1078.85", dwelling={"wws_points": 170})
    r = mt13_reason(cr)
    cited = [(c.bwb, c.article, c.lid) for c in [r.citation, *r.also_cites]]
    assert ("BWBR0014315", "10", "1") in cited and ("BWBR0003237", "12", "1") in cited
    assert ("BWBR0003237", "bijlage I", None) not in cited


def test_middle_segment_unknown_without_points():
    cr = mid_rent("2024-08-01", rent="1300.00")
    assert not fired(cr, "MT-13.middenhuur")


# --- MT-13.middenhuur-stated: the case states the BHW 8a prijsopslagen (dwelling.rent_surcharges) -----

STATED = "MT-13.middenhuur-stated"
NONE_APPLY = {"rijksmonument": False, "gemeentelijk_of_provinciaal_monument": False,
              "new_middle_segment": False, "beschermd_gezicht": False}


def stated(rent: str, day: str = "2024-08-01", points: int = 150, **surcharges):
    return mid_rent(day, rent=rent, dwelling={"wws_points": points, "rent_surcharges": surcharges})


@pytest.mark.parametrize("surcharges, rent, branch", [
    (NONE_APPLY, "924.90", "then"), (NONE_APPLY, "924.91", "else"),          # none applies: the row itself
    # new middle-segment dwelling (lid 4): 924.90 x 1.10 = 1017.39 (rounded down to the cent)
    ({**NONE_APPLY, "new_middle_segment": True}, "1017.39", "then"),
    ({**NONE_APPLY, "new_middle_segment": True}, "1017.40", "else"),
    # rijksmonument and new build (lid 1 + lid 4): 924.90 x 1.45 = 1341.105
    ({**NONE_APPLY, "rijksmonument": True, "new_middle_segment": True}, "1341.10", "then"),
    ({**NONE_APPLY, "rijksmonument": True, "new_middle_segment": True}, "1341.11", "else"),
])
def test_stated_surcharges_decide_against_the_own_maximum(surcharges, rent, branch):
    cr = stated(rent, **surcharges)
    assert fired_branch(cr, STATED) == branch and cr.compliant is (branch == "then")
    assert not fired(cr, MT13) and not undetermined(cr, MT13)  # the bounded rule is for cases that say nothing


def test_stated_surcharges_narrow_the_interval():
    # lid 4 applies, the monuments do not, lid 5 not stated: the maximum lies between 924.90 x 1.10 = 1017.39
    # and 924.90 x 1.15 = 1063.63. Without the field 1100.00 is open (up to 165%); with it, it is too high.
    partly = {"rijksmonument": False, "gemeentelijk_of_provinciaal_monument": False, "new_middle_segment": True}
    assert undetermined(mid_rent("2024-08-01", rent="1100.00", dwelling={"wws_points": 150}), MT13)
    over = stated("1100.00", **partly)
    assert fired_branch(over, STATED) == "else" and not over.compliant
    assert "EUR 1,063.63" in next(r for r in over.reasons if r.rule == STATED).text
    assert fired_branch(stated("1017.39", **partly), STATED) == "then"


def test_stated_surcharges_leave_the_check_open_between_their_bounds():
    partly = {"rijksmonument": False, "gemeentelijk_of_provinciaal_monument": False, "new_middle_segment": True}
    cr = stated("1040.00", **partly)  # between 1017.39 and 1063.63: lid 5, not stated, decides
    assert undetermined(cr, STATED) and not fired(cr, STATED) and cr.compliant is not True
    why = next(r for r in cr.reasons if r.rule == STATED)
    assert "dwelling.rent_surcharges" in why.text


def reason_facts(cr) -> dict:
    return next(r for r in cr.reasons if r.rule == STATED).inputs.facts


@pytest.mark.parametrize("day", ["2026-02-01", "2024-08-01"])
def test_lid_5_needs_a_dwelling_that_is_no_monument_and_counts_as_certain_from_2026(day):
    gezicht = {**NONE_APPLY, "beschermd_gezicht": True}
    row = Decimal(reason_facts(stated("2000.00", day=day, **NONE_APPLY))["own_max_rent_low"])  # no surcharge
    raised = (row * Decimal("1.05")).quantize(Decimal("0.01"), ROUND_FLOOR)  # +5% (lid 5)
    at, over = stated(f"{raised}", day=day, **gezicht), stated(f"{raised + Decimal('0.01')}", day=day, **gezicht)
    if day >= "2026-01-01":  # the text read: lid 5 raises the maximum by 5%, exactly
        assert fired_branch(at, STATED) == "then" and fired_branch(over, STATED) == "else"
    else:  # before 2026 only the 2026 text of lid 5 was read: possible, not certain
        assert undetermined(at, STATED) and fired_branch(over, STATED) == "else"
        assert fired_branch(stated(f"{row}", day=day, **gezicht), STATED) == "then"
    # a rijksmonument gets lid 1 (35%); from 2026 not also lid 5 (lid 5 c), before 2026 lid 5 may add 5%
    monument = {**gezicht, "rijksmonument": True}
    top = (row * Decimal("1.35")).quantize(Decimal("0.01"), ROUND_FLOOR)
    above = (row * Decimal("1.40")).quantize(Decimal("0.01"), ROUND_FLOOR) + Decimal("0.01")
    assert fired_branch(stated(f"{top}", day=day, **monument), STATED) == "then"
    just_over = stated(f"{top + Decimal('0.01')}", day=day, **monument)
    assert (fired_branch(just_over, STATED) == "else") if day >= "2026-01-01" else undetermined(just_over, STATED)
    assert fired_branch(stated(f"{above}", day=day, **monument), STATED) == "else"


def test_nothing_stated_but_monuments_ruled_out_leaves_only_the_new_build_and_townscape_surcharges():
    # 2026: no monument, lid 4 and lid 5 not stated: at most 10% + 5% (lid 5 c holds)
    cr = stated("2000.00", day="2026-02-01", rijksmonument=False, gemeentelijk_of_provinciaal_monument=False)
    row = Decimal(reason_facts(stated("2000.00", day="2026-02-01", **NONE_APPLY))["own_max_rent_low"])
    high = (row * Decimal("1.15")).quantize(Decimal("0.01"), ROUND_FLOOR)
    assert fired_branch(stated(f"{high}", day="2026-02-01", rijksmonument=False,
                               gemeentelijk_of_provinciaal_monument=False), STATED) is None
    assert fired_branch(stated(f"{high + Decimal('0.01')}", day="2026-02-01", rijksmonument=False,
                               gemeentelijk_of_provinciaal_monument=False), STATED) == "else"
    assert fired_branch(cr, STATED) == "else"


def test_from_2026_no_dwelling_exceeds_160_percent_of_its_row():
    # BHW 8a (2026): 35 + 15 + 10 at most; 5% only without a monument (lid 5 c), percentages added (bijlage I)
    from rulehelpers import rulebook
    row = Decimal(dict(rulebook().at(dt.date(2026, 2, 1)).values["wws_max_rent_by_points"])[150]) / 100
    cap = (row * Decimal("1.60")).quantize(Decimal("0.01"), ROUND_FLOOR)
    assert fired_branch(mid_rent("2026-02-01", rent=f"{cap}", dwelling={"wws_points": 150}), MT13) is None
    assert fired_branch(mid_rent("2026-02-01", rent=f"{cap + Decimal('0.01')}", dwelling={"wws_points": 150}),
                        MT13) == "else"
    all_possible = stated(f"{cap + Decimal('0.01')}", day="2026-02-01")  # nothing stated: the same bound
    assert fired_branch(all_possible, STATED) == "else"
def test_stated_rule_does_not_apply_without_the_field_or_above_186_points():
    assert not fired(mid_rent("2024-08-01", rent="1000.00", dwelling={"wws_points": 150}), STATED)
    assert not undetermined(mid_rent("2024-08-01", rent="1000.00", dwelling={"wws_points": 150}), STATED)
    assert not fired(stated("1500.00", points=190, **NONE_APPLY), STATED)

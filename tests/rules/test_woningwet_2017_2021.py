"""The Woningwet as it read from 2017-07-01 to 2021-12-31, and the DAEB buy-back of 2022 (Ww 47 lid 1 j).

Texts read (MinBZK/regelrecht-corpus, the wetten.overheid.nl consolidations): 2017-07-01 (articles 19-55b,
the Veegwet wonen), 2021-07-01 (44c-45), 2021-09-11 (44a-45), 2021-10-28 (20-30, 41c-54) and 2022-01-01 (47);
their numbering is in data/structure_2017.json and structure_2021.json.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rulehelpers import fired, in_force, judge_component
from woningwet_engine.rulebook.model import LegalBasis
from woningwet_engine.rulebook.provisions import deciding_problems

WW = "BWBR0005181"


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def ww(article, lid=None, onderdeel=None, **kw):
    return LegalBasis(bwb=WW, name="Woningwet", article=article, lid=lid, onderdeel=onderdeel, **kw)


# --- the numbering of the texts of the day ---------------------------------------------------------

def test_the_veegwet_adds_onderdelen_j_k_to_art_45_lid_2_from_2017_07_01():
    k = ww("45", "2", "k")
    assert deciding_problems(k, day("2017-07-01"), day("2021-12-31")) == []
    assert "art. 45 lid 2 has no onderdeel k in the 2015 text" in deciding_problems(k, day("2016-01-01"), day("2016-12-31"))


def test_art_47_lid_1_runs_to_i_from_2017_and_to_j_only_from_2022():
    assert deciding_problems(ww("47", "1", "i"), day("2017-07-01"), day("2021-12-31")) == []
    assert "art. 47 lid 1 has no onderdeel j in the 2017 text" in deciding_problems(ww("47", "1", "j"), day("2018-01-01"),
                                                                                    day("2018-01-01"))
    assert "art. 47 lid 1 has no onderdeel j in the 2021 text" in deciding_problems(ww("47", "1", "j"), day("2021-10-01"),
                                                                                    day("2021-10-01"))
    assert deciding_problems(ww("47", "1", "j"), day("2022-01-01"), day("2022-12-31")) == []


def test_art_44c_is_gone_from_the_consolidation_of_2021_09_11():
    steps = ww("44c", "1", onderdelen="a-i")
    assert deciding_problems(steps, day("2017-07-01"), day("2021-09-10")) == []
    assert "art. 44c does not exist in the 2021 text" in deciding_problems(steps, day("2021-09-11"), day("2021-12-31"))


def test_a_range_whose_end_the_2017_text_lacks_is_an_error():
    assert any("the text has no l in the 2017 text" in p
               for p in deciding_problems(ww("45", "2", onderdelen="a-l"), day("2018-01-01"), day("2018-01-01")))


@pytest.mark.parametrize("date,span", [("2016-06-01", "a-i"), ("2018-06-01", "a-k"), ("2023-06-01", "a-l")])
def test_no_rule_cites_the_list_of_art_45_lid_2_of_the_day(date, span):
    # no rule decides letting land: the reason cites the limitative list as the text of the day has it
    cr = judge_component(date, object="land", activity="let")
    [r] = [r for r in cr.reasons if r.effect == "undetermined"]
    assert (r.rule, r.citation.article, r.citation.lid, r.citation.onderdelen) == ("GEB-02", "45", "2", span)


# --- Ww 47 lid 1 j: the buy-back of 2022 is DAEB ---------------------------------------------------

def buyback(date, *, obligation=True, activity="acquire", tenure="sale", rent=None, **kw):
    dwelling = {"tenure": tenure, "rent": rent}
    if activity == "sell":
        kw["sale"] = {"buyer": "owner_occupier", "price": "300000", "leegwaarde": "300000", "vacant": True}
    return judge_component(date, activity=activity, dwelling=dwelling, buyback_obligation=obligation, **kw)


def test_a_2022_buy_back_for_resale_is_daeb_and_cites_47_lid_1_j():
    cr = buyback("2022-06-01")
    assert cr.verdict == "daeb" and fired(cr, "DAEB-01.j") and not fired(cr, "DAEB-08")
    [r] = [r for r in cr.reasons if r.rule == "DAEB-01.j"]
    assert (r.citation.article, r.citation.lid, r.citation.onderdeel) == ("47", "1", "j")
    assert r.inputs.facts["daeb_buyback"] is True
    # the non-DAEB rules of art. 45 lid 4 and the remaining non-DAEB conditions do not apply to it
    assert not any(fired(cr, rid) for rid in ("GEB-04", "GEB-04.land", "GEO-07.dwelling", "MT-13", "MT-14"))


def test_the_resale_of_bought_back_dwellings_is_daeb_too():
    cr = buyback("2022-06-01", activity="sell")
    assert cr.verdict == "daeb" and fired(cr, "DAEB-01.j")


def test_without_a_contractual_buy_back_duty_a_sale_dwelling_stays_non_daeb():
    cr = buyback("2022-06-01", obligation=None)
    assert cr.verdict == "non_daeb" and fired(cr, "DAEB-08") and not fired(cr, "DAEB-01.j")
    assert fired(cr, "MT-13") and fired(cr, "GEB-04")


def test_a_buy_back_to_let_is_not_under_j():
    cr = buyback("2022-06-01", tenure="rent", rent="1200.00")
    assert cr.verdict == "non_daeb" and not fired(cr, "DAEB-01.j")


def test_before_2022_the_buy_back_is_non_daeb_and_only_exempt_from_the_market_test():
    cr = buyback("2021-06-01")
    assert cr.verdict == "non_daeb" and fired(cr, "DAEB-08") and fired(cr, "MT-03.buyback-2019")
    assert not in_force("DAEB-01.j", "2021-12-31") and in_force("DAEB-01.j", "2022-01-01")
    late = buyback("2021-12-31")
    assert late.verdict == "non_daeb" and fired(late, "DAEB-08") and fired(late, "GEB-04")

"""The BTIV as restructured on 2022-01-01 (Stb. 2021, 570): every citation in the numbering of the text in
force on the case date, and the rules whose content changed split at that date.

Texts read: the wetten.overheid.nl consolidations of the BTIV of 2022-01-01, 2024-01-01 and 2025-01-01
(MinBZK/regelrecht-corpus); their numbering is in data/structure_2022/2024/2025.json.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rulehelpers import condition_ids, fired, fired_branch, in_force, judge_component, rulebook
from woningwet_engine.errors import InputError
from woningwet_engine.rulebook.loader import build_rulebook
from woningwet_engine.rulebook.model import LegalBasis, bases_on, uncovered
from woningwet_engine.rulebook.provisions import deciding_problems
from woningwet_engine.rulebook.static_check import check_citations

BTIV, WW = "BWBR0036702", "BWBR0005181"
D16, D22, D24, D25 = "2016-06-01", "2022-06-01", "2024-06-01", "2025-06-01"
NON_TI = ["investor_legal_person", "developer", "municipality", "subsidiary"]


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def sell(date, *, buyer="investor_legal_person", price="200000", obj="dwelling", rent="600.00", **sale):
    block = {"buyer": buyer, "price": price, "leegwaarde": "250000", **sale}
    extra = {"dwelling": {"rent": rent}} if obj == "dwelling" else {}
    return judge_component(date, activity="sell", object=obj, units=1, sale=block, **extra)


def cite(cr, rule_id):
    [r] = [r for r in cr.reasons if r.rule == rule_id and r.effect != "undetermined"]
    return r


def where(c):
    return tuple(x for x in (c.article, c.lid, c.onderdeel, c.sub, c.onderdelen) if x)


# --- the static check reads a citation in the text in force on its days ----------------------------

def test_a_2015_article_cited_on_a_2022_date_fails_the_check():
    gone = LegalBasis(bwb=BTIV, name="BTIV", article="26", lid="1", onderdeel="a", sub="2°")
    assert deciding_problems(gone, day("2015-07-01"), day("2016-06-01")) == []
    assert "art. 26 does not exist in the 2022 text" in deciding_problems(gone, day("2015-07-01"), None)
    # the same citation, dated to end with its text, passes over an open-ended rule
    assert deciding_problems(gone.model_copy(update={"valid_to": day("2021-12-31")}), day("2015-07-01"), None) == []


def test_a_listing_of_2015_that_gained_leden_in_2022_must_name_the_lid():
    old = LegalBasis(bwb=BTIV, name="BTIV", article="24", onderdeel="b")
    assert deciding_problems(old, day("2016-01-01"), day("2016-01-01")) == []
    assert any("has leden 1, 2, 3, 4, 5 in the 2022 text" in p for p in deciding_problems(old, day("2022-01-01"), None))


def test_the_2025_text_is_read_for_the_articles_that_changed_then():
    # 23a lid 2 (public offer of potentieel te liberaliseren dwellings) got onderdelen a-c in 2025
    offer = LegalBasis(bwb=BTIV, name="BTIV", article="23a", lid="2")
    assert deciding_problems(offer, day("2022-01-01"), day("2024-12-31")) == []
    assert any("lists onderdelen a-c in the 2025 text" in p for p in deciding_problems(offer, day("2025-01-01"), None))


def test_days_no_structure_covers_are_checked_for_the_level_only():
    # 2016-10-28 .. 2021-12-31: the BTIV was not read article by article; a lid added then is no error,
    # a list cited without its item still is (in the 2015 numbering)
    assert deciding_problems(LegalBasis(bwb=BTIV, name="BTIV", article="13", lid="4"), day("2017-01-01"),
                             day("2021-12-31")) == []
    assert deciding_problems(LegalBasis(bwb=BTIV, name="BTIV", article="47"), day("2017-01-01"), day("2021-12-31"))


def test_every_citation_of_the_rulebook_passes_on_every_day_it_is_used():
    assert [f for f in check_citations(rulebook())] == []


def test_a_dated_citation_that_leaves_days_uncited_is_refused():
    files = dict(rulebook().files)
    text = files["verkoop.yaml"].decode()
    old = '{bwb: BWBR0036702, name: BTIV, article: "39", lid: "2", onderdeel: c, valid_from: 2022-01-01}'
    assert old in text
    files["verkoop.yaml"] = text.replace(old, old.replace("2022-01-01", "2023-01-01")).encode()
    with pytest.raises(InputError) as err:
        build_rulebook(files)
    assert any("no citation in force from 2022-01-01 to 2022-12-31" in p.message for p in err.value.problems)


def test_bases_on_and_uncovered():
    a = LegalBasis(bwb=BTIV, name="BTIV", article="24", onderdeel="b", valid_to=day("2021-12-31"))
    b = LegalBasis(bwb=BTIV, name="BTIV", article="22", lid="1", onderdeel="a", sub="2°", valid_from=day("2022-01-01"))
    assert bases_on([a, b], day("2021-12-31")) == [a] and bases_on([a, b], day("2022-01-01")) == [b]
    assert uncovered([a, b], day("2015-07-01"), None) == []
    assert uncovered([a], day("2015-07-01"), None) == [(day("2022-01-01"), None)]
    assert uncovered([b], day("2015-07-01"), day("2022-06-01")) == [(day("2015-07-01"), day("2021-12-31"))]


# --- reasons cite the numbering of the case date ---------------------------------------------------

@pytest.mark.parametrize("date, expected", [(D16, ("24", "b")), (D22, ("22", "1", "a", "2°"))])
def test_owner_occupier_exemption_cites_the_article_in_force(date, expected):
    cr = sell(date, buyer="owner_occupier", price="230000")
    c = cite(cr, "VK-02" if date < "2022" else "VK-02.2022").citation
    assert where(c) == expected and f"g={date}" in c.juriconnect


def test_decision_period_and_refusal_grounds_from_2022():
    cr = sell(D22, price="300000", market_value="300000")
    cites = [where(c) for c in [cite(cr, "VK-07.2022").citation, *cite(cr, "VK-07.2022").also_cites]]
    assert ("25", "1") in cites and ("24", "1", "a-d") in cites and not any(c[0] in ("26", "27") for c in cites)


def test_market_financing_of_non_daeb_cites_13a_from_2022():
    for date, art in (("2016-06-01", "44"), ("2022-06-01", "13a")):
        book = rulebook().at(day(date))
        [fin] = [cr for cr in book.rules if cr.rule.id == "FIN-01"]
        assert [lb.article for lb in bases_on(fin.rule.legal_basis, day(date)) if lb.bwb == BTIV] == ["61", art]


def test_mv_annex_is_bijlage_2_from_2022():
    for date, annex in ((D16, "bijlage 3"), (D22, "bijlage 2")):
        cr = judge_component(date, object="mv", activity="build", mv={"vera_code": "BUU"})
        assert annex in {c.article for r in cr.reasons if r.rule == "MV-02" for c in [r.citation, *r.also_cites]}


# --- sales from 2022: market value, no 75% of leegwaarde ---------------------------------------------

@pytest.mark.parametrize("buyer", NON_TI)
def test_vk04_2022_sale_below_market_value_is_a_refusal_ground(buyer):
    cr = sell(D22, buyer=buyer, price="180000", market_value="200000")
    r = cite(cr, "VK-04.2022")
    assert r.branch == "else" and r.effect == "violation" and cr.compliant is False
    assert where(r.citation) == ("24", "2", "a-c")
    assert not fired(cr, "VK-04") and not fired(cr, "VK-04.vacant")


def test_vk04_2022_at_market_value_passes_with_the_letting_clause():
    cr = sell(D22, price="200000", market_value="200000")
    assert fired_branch(cr, "VK-04.2022") == "then"
    assert {"sale-market-value", "sale-letting-clause", "sale-views"} <= condition_ids(cr)


def test_vk04_2022_not_before_2022_nor_for_owner_occupiers():
    assert not fired(sell("2021-06-01", price="200000", market_value="200000"), "VK-04.2022")
    assert fired(sell("2021-06-01", price="200000", market_value="200000"), "VK-04")
    assert not fired(sell(D22, buyer="owner_occupier", price="230000", market_value="250000"), "VK-04.2022")


def test_vk04_2022_the_75_percent_route_is_gone():
    # 80% of leegwaarde passed the 2015 test; from 2022 only the market value counts
    old = sell("2021-06-01", price="200000", market_value="260000")
    new = sell(D22, price="200000", market_value="260000")
    assert fired_branch(old, "VK-04") == "then" and fired_branch(new, "VK-04.2022") == "else"


@pytest.mark.parametrize("price, branch", [("500000", "then"), ("499999", "else")])
def test_vk06_2022_mv_to_others_needs_market_value(price, branch):
    cr = sell(D22, obj="mv", buyer="investor_legal_person", price=price, market_value="500000")
    assert fired_branch(cr, "VK-06.2022") == branch and not fired(cr, "VK-06")
    assert where(cite(cr, "VK-06.2022").citation) == ("24", "2", "d")


def test_vk06_2022_not_for_the_sitting_tenant_nor_a_building_that_is_not_let():
    assert not fired(sell(D22, obj="mv", buyer="mv_tenant", price="100000", market_value="500000"), "VK-06.2022")
    assert not fired(sell(D22, obj="mv", price="100000", market_value="500000", vacant=True), "VK-06.2022")


# --- sales from 2022: maatschappelijk vastgoed needs no minimum price (BTIV 22 lid 1 b) ----------------

@pytest.mark.parametrize("buyer", ["mv_tenant", "ti"])
def test_let_mv_to_its_tenant_or_a_ti_is_exempt_at_any_price_from_2022(buyer):
    # 40% of the vacant value and no market value at all: in 2021 the tenant sale still needed approval
    cr = sell(D22, obj="mv", buyer=buyer, price="100000", leegwaarde="250000")
    assert fired(cr, "VK-02.mv-2022") and where(cite(cr, "VK-02.mv-2022").citation) == ("22", "1", "b", "1°")
    assert not fired(cr, "VK-01.2022") and not fired(cr, "VK-07.2022") and "aw-approval-sale" not in condition_ids(cr)
    if buyer == "mv_tenant":
        before = sell("2021-12-31", obj="mv", buyer=buyer, price="100000", leegwaarde="250000")
        assert fired(before, "VK-01") and not fired(before, "VK-02.mv-2022")


def test_let_mv_to_an_investor_needs_approval_from_2022():
    cr = sell(D22, obj="mv", price="600000", leegwaarde="500000", market_value="500000")
    assert fired(cr, "VK-01.2022") and fired(cr, "VK-07.2022") and "aw-approval-sale" in condition_ids(cr)
    assert not fired(cr, "VK-02.mv-2022") and not fired(cr, "VK-02.mv-vacant-2022")


def test_mv_that_is_not_let_is_exempt_to_any_buyer_from_2022():
    cr = sell(D22, obj="mv", price="100000", leegwaarde="500000", vacant=True)
    assert fired(cr, "VK-02.mv-vacant-2022") and where(cite(cr, "VK-02.mv-vacant-2022").citation) == ("22", "1", "b", "2°")
    assert not fired(cr, "VK-01.2022") and not fired(cr, "VK-02.mv-2022")
    assert not fired(sell(D22, obj="mv", buyer="mv_tenant", price="100000"), "VK-02.mv-vacant-2022")
    to_ti = sell(D22, obj="mv", buyer="ti", price="100000", vacant=True)  # not let: b 2°, not b 1° i
    assert fired(to_ti, "VK-02.mv-vacant-2022") and not fired(to_ti, "VK-02.mv-2022")


def test_dwelling_sales_keep_their_2022_exemptions():
    ok = sell(D22, buyer="owner_occupier", price="230000")  # 92% of 250,000
    assert fired(ok, "VK-02.2022") and not fired(ok, "VK-02") and not fired(ok, "VK-01.2022")
    low = sell(D22, buyer="owner_occupier", price="200000")  # 80%, no clauses
    assert fired(low, "VK-01.2022") and not fired(low, "VK-02.2022") and fired(low, "VK-07.2022")
    assert not fired(sell(D22, obj="mv", buyer="ti", price="1"), "VK-02.2022")
    assert not in_force("VK-01", D22) and not in_force("VK-02", D22) and not in_force("VK-07", D22)
    assert not in_force("VK-01.2022", "2021-12-31")


@pytest.mark.parametrize("buyer, branch", [("developer", "then"), ("subsidiary", "else")])
def test_vk05_offer_2022_public_offer_only(buyer, branch):
    cr = sell(D22, buyer=buyer, rent="900.00", price="300000", market_value="300000")
    assert fired_branch(cr, "VK-05.offer-2022") == branch and not fired(cr, "VK-05.offer")
    assert ("sale-public-offer" in condition_ids(cr)) is (branch == "then")


def test_vk05_offer_2022_cites_23a_lid_2_per_text():
    c22 = cite(sell(D22, buyer="developer", rent="1000.00"), "VK-05.offer-2022").citation
    c25 = cite(sell(D25, buyer="developer", rent="1000.00"), "VK-05.offer-2022").citation
    assert where(c22) == ("23a", "2") and where(c25) == ("23a", "2", "a-c")


def test_vk05_offer_2022_not_for_regulated_dwellings():
    assert not fired(sell(D22, buyer="developer", rent="600.00"), "VK-05.offer-2022")


@pytest.mark.parametrize("date, income, branch", [(D22, "45482", "then"), (D22, "45482.01", "else"),
                                                  (D24, "53218", "then"), (D24, "53218.01", "else")])
def test_vov_income_limit_from_the_consolidated_text(date, income, branch):
    cr = sell(date, buyer="sitting_tenant", price="160000", vov_clauses=True, buyer_income=income)
    assert fired_branch(cr, "VK-03.income-2022") == branch
    assert where(cite(cr, "VK-03.income-2022").citation) == ("22", "2")


def test_vov_income_rule_of_2015_ends_with_its_text():
    assert in_force("VK-03.income", "2021-12-31") and not in_force("VK-03.income", "2022-01-01")
    assert not fired(sell(D16, buyer="sitting_tenant", price="160000", vov_clauses=True, buyer_income="30000"),
                     "VK-03.income-2022")


def test_vk12_cites_22_lid_2_of_2025():
    cr = sell(D25, buyer="sitting_tenant", price="160000", vov_clauses=True, buyer_income="30000", rent="800.00")
    r = cite(cr, "VK-12")
    assert where(r.citation) == ("22", "2") and r.confidence == "verified"


# --- services, MV, BOG and leefbaarheid from 2022 -----------------------------------------------------

def test_care_service_from_2022_is_outside_the_gebied_and_unverified():
    cr = judge_component(D22, object="service", service={"kind": "care"})
    r = cite(cr, "GEB-07.2022")
    assert cr.verdict == "forbidden" and r.confidence == "unverified" and not fired(cr, "GEB-07")
    assert where(r.citation) == ("45", "2", "c", "1°-3°")


def test_living_related_service_from_2022_is_not_excluded():
    assert not fired(judge_component(D22, object="service", service={"kind": "living_related"}), "GEB-07.2022")
    assert not fired(judge_component("2021-06-01", object="service", service={"kind": "care"}), "GEB-07.2022")


@pytest.mark.parametrize("approved, branch", [(True, "then"), (False, "else")])
def test_school_from_2022_needs_admission_but_no_minimum_rent(approved, branch):
    cr = judge_component(D22, object="mv", activity="build", mv={"vera_code": "BAS", "minister_approval": approved,
                                                                 "annual_rent": "1000", "build_cost": "1000000"})
    assert fired_branch(cr, "MV-04.2022") == branch and not fired(cr, "MV-04")
    assert "mv-school-min-rent" not in condition_ids(cr)


def test_school_rule_of_2015_keeps_its_minimum_rent_until_2021():
    cr = judge_component("2021-06-01", object="mv", activity="build", mv={"vera_code": "BAS", "minister_approval": True,
                                                                           "annual_rent": "1000", "build_cost": "1000000"})
    assert fired_branch(cr, "MV-04") == "else" and not fired(cr, "MV-04.2022")


@pytest.mark.parametrize("rule_id", ["BOG-01", "BOG-01.office", "BOG-04", "BOG-05", "BOG-06", "VK-04", "VK-04.vacant",
                                     "VK-05", "VK-06", "GEB-07", "GEB-07.exception", "MV-04", "MV-05"])
def test_rules_whose_provision_is_not_in_the_2022_text_end_with_2021(rule_id):
    assert in_force(rule_id, "2021-12-31") and not in_force(rule_id, "2022-01-01")


def test_ontmoeting_cites_btiv_51_d_and_ww_47_1_f_from_2022():
    cr = judge_component(D22, object="leefbaarheid", leefbaarheid={"category": "ontmoeting"})
    r = cite(cr, "LFB-04")
    assert where(r.citation) == ("51", "d") and r.confidence == "verified"
    assert ("47", "1", "f") in [where(c) for c in r.also_cites]


def test_leefbaarheid_is_daeb_by_ww_47_1_f_from_2022():
    for date, expected in ((D16, ("51", "3")), (D22, ("47", "1", "f"))):
        cr = judge_component(date, object="leefbaarheid", leefbaarheid={"category": "woonmaatschappelijk_werk"})
        assert where(cite(cr, "DAEB-04").citation) == expected


def test_bog_from_2022_is_told_the_open_norm_instead_of_the_2015_figures():
    # Ww 45 lid 2 g (2022): kleinschalig, no figure; the 2015 figures of BTIV 52 are not applied
    cr = judge_component(D22, object="bog", activity="build", bog={"use": "shop"}, floor_area_m2=500, cost="1000000")
    r = cite(cr, "BOG-01.2022")
    assert r.effect == "info" and where(r.citation) == ("45", "2", "g") and "small-scale" in r.text
    assert not fired(cr, "BOG-01") and cr.verdict == "non_daeb"
    assert not fired(judge_component("2021-06-01", object="bog", activity="build", bog={"use": "shop"},
                                     floor_area_m2=500, cost="1000000"), "BOG-01.2022")
    assert not fired(judge_component(D22, object="bog", activity="let", bog={"use": "shop"}), "BOG-01.2022")


# --- BTIV 47 in the consolidation of 2016-10-28: lid 1 a-o, lid 2 (who may receive services) ---------

@pytest.mark.parametrize("date, kind, expected", [
    ("2016-06-01", "owner_occupier_service", [("47", "p")]),
    ("2017-06-01", "owner_occupier_service", [("47", "2", "a-e")]),
    ("2016-06-01", "care", [("47", "c")]),
    ("2017-06-01", "care", [("47", "1", "c")]),
])
def test_excluded_services_cite_the_numbering_of_their_date(date, kind, expected):
    cr = judge_component(date, object="service", service={"kind": kind})
    r = cite(cr, "GEB-07")
    assert [where(c) for c in [r.citation, *r.also_cites] if c.bwb == BTIV] == expected


def test_bog_open_norm_not_for_the_corporation_s_own_office():
    cr = judge_component(D22, object="bog", activity="build", bog={"use": "office", "own_office": True},
                         floor_area_m2=500, cost="1000000")
    assert not fired(cr, "BOG-01.2022")


# --- BTIV 49a lid 1: acquiring to demolish and rebuild or convert within five years -------------------

@pytest.mark.parametrize("obj, rule, block", [("bog", "BOG-04.2022", {}), ("mv", "MV-05.2022", {"mv": {"vera_code": None}})])
def test_49a_acquisition_to_redevelop_needs_no_minister_from_2022(obj, rule, block):
    cr = judge_component(D22, activity="acquire", object=obj, redevelop_within_5_years=True, **block)
    assert fired(cr, rule) and where(cite(cr, rule).citation) == ("49a", "1", "a-b")
    assert "redevelop-within-five-years" in condition_ids(cr) and "minister-admission-acquisition" not in condition_ids(cr)
    plain = judge_component(D22, activity="acquire", object=obj, redevelop_within_5_years=False, **block)
    assert not fired(plain, rule)
    old = judge_component("2021-06-01", activity="acquire", object=obj, redevelop_within_5_years=True, **block)
    assert not fired(old, rule) and "minister-admission-acquisition" in condition_ids(old)


def test_49a_not_for_a_building_already_on_bijlage_2():
    cr = judge_component(D22, activity="acquire", object="mv", redevelop_within_5_years=True, mv={"vera_code": "BUU"})
    assert not fired(cr, "MV-05.2022")


# --- the Woningwet in the numbering of 2022 and 2026 (every cited article read) ------------------------

def test_ww_21_refusal_grounds_moved_from_lid_2_to_lid_1_in_2022():
    old = LegalBasis(bwb=WW, name="Woningwet", article="21", lid="2", onderdeel="f")
    assert deciding_problems(old, day("2021-06-01"), day("2021-12-31")) == []
    assert "art. 21 lid 2 has no onderdeel f in the 2022 text" in deciding_problems(old, day("2022-01-01"), None)
    for date, expected in (("2021-06-01", ("21", "2", "f")), (D22, ("21", "1", "g"))):
        cr = judge_component(date, object="verbinding", activity="guarantee")
        assert expected in {where(c) for r in cr.reasons if r.rule == "FIN-04" for c in [r.citation, *r.also_cites]}


def test_ww_44c_exists_in_no_text_read_from_2022():
    gone = LegalBasis(bwb=WW, name="Woningwet", article="44c", lid="1", onderdelen="a-i")
    assert deciding_problems(gone, day("2015-07-01"), day("2016-12-31")) == []
    problems = deciding_problems(gone, day("2022-01-01"), None)
    assert "art. 44c does not exist in the 2022 text" in problems and "art. 44c does not exist in the 2026 text" in problems


def test_ww_46_gained_leden_between_the_2022_and_the_2026_text():
    seventh = LegalBasis(bwb=WW, name="Woningwet", article="46", lid="7")
    assert "art. 46 has no lid 7 in the 2022 text" in deciding_problems(seventh, day("2022-01-01"), day("2025-12-31"))
    assert deciding_problems(seventh, day("2026-01-01"), None) == []


def test_a_range_of_onderdelen_must_exist_in_the_text():
    wide = LegalBasis(bwb=WW, name="Woningwet", article="44a", lid="1", onderdelen="a-c")
    assert deciding_problems(wide, day("2015-07-01"), day("2016-12-31")) == []
    assert any("onderdelen a-c: the text has no c in the 2022 text" in p for p in deciding_problems(wide, day("2022-01-01"), None))
    subs = LegalBasis(bwb=WW, name="Woningwet", article="45", lid="2", onderdeel="c", onderdelen="1°-4°")
    assert any("sub-points 1°-4°: the text has no 4°" in p for p in deciding_problems(subs, day("2022-01-01"), None))

"""Citations reach the provision that decides: lid, onderdeel and sub-point, chosen per fact.

The check compares every citation with the numbering of the texts in force on the days it is used
(data/structure_2015.json, structure_2022.json ...; see tests/rules/test_btiv_2022.py for the later texts):
a citation that stops at a level that still lists items must name the item that applied, map the
deciding fact to it (`by`), or say that the whole list applies.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rulehelpers import component, fired, judge, judge_component, make_case, rulebook
from woningwet_engine.errors import InputError
from woningwet_engine.result import Citation
from woningwet_engine.rulebook.loader import build_rulebook
from woningwet_engine.rulebook.model import LegalBasis
from woningwet_engine.rulebook.provisions import deciding_problems
from woningwet_engine.rulebook.static_check import check_citations, condition_use, derivation_use, parameter_use

BTIV, WW = "BWBR0036702", "BWBR0005181"


def _cites(obj):
    """Every Citation inside a result (reasons, plan checks, conditions, splits...)."""
    if isinstance(obj, Citation):
        yield obj
    elif isinstance(obj, list):
        for x in obj:
            yield from _cites(x)
    elif hasattr(type(obj), "model_fields") and not isinstance(obj, type):
        for name in type(obj).model_fields:
            yield from _cites(getattr(obj, name))


def _reason(cr, rule_id):
    [r] = [r for r in cr.reasons if r.rule == rule_id and r.effect != "undetermined"]
    return r


# --- the checker itself ----------------------------------------------------------------------------

def test_a_reason_citing_a_list_without_its_item_fails_the_check():
    listed = Citation(bwb=BTIV, name="BTIV", article="47", text="BTIV art. 47", juriconnect="x", url="y")
    assert any("lists onderdelen a-p" in p for p in deciding_problems(listed))
    named = listed.model_copy(update={"onderdeel": "f"})
    assert deciding_problems(named) == []


@pytest.mark.parametrize("basis, problem", [
    (dict(article="26", lid="1", onderdeel="a"), "sub-points 1°-2°"),
    (dict(article="21"), "has leden 1, 2"),
    (dict(article="16", lid="1"), "lists onderdelen a-b"),
    (dict(article="24", onderdeel="z"), "no onderdeel z"),
])
def test_checker_names_the_missing_level(basis, problem):
    assert any(problem in p for p in deciding_problems(LegalBasis(bwb=BTIV, name="BTIV", **basis)))


def test_whole_list_and_opening_words_are_accepted():
    assert deciding_problems(LegalBasis(bwb=WW, name="Woningwet", article="44c", lid="1", onderdelen="a-i")) == []
    assert deciding_problems(LegalBasis(bwb=BTIV, name="BTIV", article="44", lid="1", aanhef=True)) == []
    assert deciding_problems(LegalBasis(bwb=BTIV, name="BTIV", article="26", lid="1", onderdeel="a", sub="1°")) == []


def test_every_legal_basis_in_the_rulebook_resolves_to_its_deciding_provision():
    book = rulebook()
    first = book.meta.coverage_from
    bases = [(cr.rule.id, lb, cr.rule.valid_from, cr.rule.valid_to) for cr in book.rules for lb in cr.rule.legal_basis]
    use = condition_use(book)  # a condition is read on the days of the rules that trigger it
    bases += [(c.id, lb, *use.get(c.id, (first, None))) for c in book.conditions.values() for lb in c.legal_basis]
    bases += [(p.id, lb, *parameter_use(p)) for p in book.params.values() for lb in p.legal_basis]
    bases += [(e.id, lb, first, None) for e in book.out_of_scope for lb in e.legal_basis]
    bases += [(d.id, lb, d.valid_from, derivation_use(book, d)) for d in book.derivations for lb in d.legal_basis]
    assert len(book.derivations) > 5
    problems = [(who, msg) for who, lb, start, end in bases for msg in deciding_problems(lb, max(start, first), end)]
    assert problems == []


def test_seed_case_outputs_cite_deciding_provisions():
    from woningwet_engine.case import load_case
    from woningwet_engine.engine import judge as judge_case
    from pathlib import Path

    def on(c):  # a citation is read in the text in force on the date of its link
        return dt.date.fromisoformat(c.juriconnect.split("&g=")[1][:10])

    for path in sorted((Path(__file__).resolve().parents[2] / "cases").glob("*.yaml")):
        result = judge_case(load_case(path), rulebook())
        bad = {(c.text, p) for c in _cites(result) for p in deciding_problems(c, on(c), on(c))}
        assert not bad, (path.name, sorted(bad)[:5])


# --- fact-to-onderdeel mapping ---------------------------------------------------------------------

@pytest.mark.parametrize("kind, onderdeel", [("cleaning", "f"), ("notary", "j"), ("care", "c"), ("childcare", "m")])
def test_excluded_service_cites_the_onderdeel_that_applied(kind, onderdeel):
    cr = judge_component("2016-06-01", object="service", service={"kind": kind})
    c = _reason(cr, "GEB-07").citation
    assert (c.article, c.onderdeel) == ("47", onderdeel)
    assert f"&o={onderdeel}&z=" in c.juriconnect and "g=2016-06-01" in c.url
    assert deciding_problems(c) == []


@pytest.mark.parametrize("kind, onderdeel", [("cleaning_new_occupant_or_nuisance", "f"),
                                             ("utility_via_dwelling_installation", "b")])
def test_service_exception_is_a_reason_citing_its_onderdeel(kind, onderdeel):
    cr = judge_component("2016-06-01", object="service", service={"kind": kind})
    assert cr.verdict == "daeb" and not fired(cr, "GEB-07")
    assert _reason(cr, "GEB-07.exception").citation.onderdeel == onderdeel


def test_living_related_service_has_no_exception_reason():
    cr = judge_component("2016-06-01", object="service", service={"kind": "living_related"})
    assert not fired(cr, "GEB-07.exception") and not fired(cr, "GEB-07")


@pytest.mark.parametrize("sale, obj, onderdeel", [
    ({"buyer": "ti", "price": "100000", "leegwaarde": "200000"}, "dwelling", "a"),
    ({"buyer": "owner_occupier", "price": "190000", "leegwaarde": "200000"}, "dwelling", "b"),
    ({"buyer": "mv_tenant", "price": "200000", "leegwaarde": "200000"}, "mv", "d"),
])
def test_aw_sale_exemption_cites_the_onderdeel_of_btiv_24(sale, obj, onderdeel):
    cr = judge_component("2016-06-01", activity="sell", object=obj, sale=sale)
    c = _reason(cr, "VK-02").citation
    assert (c.article, c.onderdeel) == ("24", onderdeel)


def test_verkoop_onder_voorwaarden_is_the_24_c_exemption_not_24_b():
    cr = judge_component("2016-06-01", activity="sell",
                         sale={"buyer": "owner_occupier", "price": "120000", "leegwaarde": "200000",
                               "vov_clauses": True})
    assert not fired(cr, "VK-02")
    assert any(c.article == "24" and c.onderdeel == "c" for c in [_reason(cr, "VK-03").citation]
               + _reason(cr, "VK-03").also_cites)


@pytest.mark.parametrize("sale, onderdeel", [
    ({"buyer": "investor_legal_person", "price": "900000", "leegwaarde": "1000000"}, "a"),
    ({"buyer": "owner_occupier", "price": "12000000", "leegwaarde": "12000000"}, "b"),
])
def test_rvt_sale_exemption_is_a_reason_citing_btiv_21_lid_2(sale, onderdeel):
    cr = judge_component("2016-06-01", activity="sell", sale=sale)
    c = _reason(cr, "VK-08.exempt").citation
    assert (c.article, c.lid, c.onderdeel) == ("21", "2", onderdeel) and not fired(cr, "VK-08")


def test_rvt_sale_of_ten_million_to_an_investor_needs_approval_and_no_exemption():
    cr = judge_component("2016-06-01", activity="sell",
                         sale={"buyer": "investor_legal_person", "price": "10000000", "leegwaarde": "12000000"})
    assert fired(cr, "VK-08") and not fired(cr, "VK-08.exempt")


@pytest.mark.parametrize("cost, statutes, rule", [
    ("2999999.99", False, "FIN-05.below-threshold"),
    ("4000000", False, "FIN-05.maintenance-exempt"),
    ("3000000", False, "FIN-05.maintenance-exempt"),
])
def test_rvt_investment_exemptions_are_reasons(cost, statutes, rule):
    cr = judge_component("2016-06-01", activity="renovate", cost=cost,
                         corp={"statutes_require_rvt_for_maintenance": statutes})
    assert fired(cr, rule)
    assert "rvt-approval-investment" not in {c.id for c in cr.conditions}


def test_rvt_investment_exemptions_do_not_fire_when_approval_is_needed():
    cr = judge_component("2016-06-01", activity="renovate", cost="4000000",
                         corp={"statutes_require_rvt_for_maintenance": True})
    assert fired(cr, "FIN-05.statutes")
    assert not fired(cr, "FIN-05.maintenance-exempt") and not fired(cr, "FIN-05.below-threshold")
    assert not fired(judge_component("2016-06-01", cost="3000000"), "FIN-05.below-threshold")


@pytest.mark.parametrize("activity, onderdeel", [("guarantee", "f"), ("lend", "e")])
def test_verbinding_ground_cited_by_activity(activity, onderdeel):
    cr = judge_component("2016-06-01", object="verbinding", activity=activity)
    r = _reason(cr, "FIN-04")
    assert any(c.article == "21" and c.lid == "2" and c.onderdeel == onderdeel for c in [r.citation] + r.also_cites)


def test_sub_point_is_in_the_reference_and_the_text():
    cr = judge_component("2016-06-01", activity="sell", lang="nl",
                         sale={"buyer": "investor_legal_person", "price": "160000", "leegwaarde": "200000",
                               "vacant": False})
    c = _reason(cr, "VK-04").citation
    assert (c.article, c.lid, c.onderdeel, c.sub) == ("26", "1", "a", "2°")
    assert "&lid=1&o=a&o=2°&z=" in c.juriconnect and "o=a&o=2%C2%B0&z=" in c.url and c.text == "BTIV art. 26 lid 1 onderdeel a onder 2°"


def test_policy_norm_is_not_presented_as_statute():
    cr = judge_component("2016-06-01", financing="wsw")
    c = _reason(cr, "FIN-06").citation
    assert c.policy and "policy norm, not statute" in c.text


def test_plan_checks_carry_also_cites():
    homes = component(id="W", project="P1", floor_area_m2=3000, cost="6000000")
    shop = component(id="S", project="P1", object="bog", floor_area_m2=100, cost="100000")
    result = judge(make_case("2016-06-01", [homes, shop]))
    check = next(c for c in result.plan.checks if c.rule == "BOG-01.plan")
    rule = rulebook().rule("BOG-01.plan").rule
    assert len(check.also_cites) == len(rule.legal_basis) - 1 >= 1


# --- the mapping is validated ----------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [
    ("{fact: service_kindd, map: {care: c}}", "unknown fact"),
    ("{fact: service_kind, map: {caring: c}}", "'caring' is not one of its values"),
    ("{fact: service_kind, map: {care: '3'}}", "is not an onderdeel"),
    ("{fact: project_cost, map: {care: c}}", "only enum and bool facts"),
])
def test_bad_fact_mapping_is_refused(bad, message):
    files = dict(rulebook().files)
    text = files["diensten.yaml"].decode()
    start = text.index("by: {fact: service_kind, map: {care: c,")
    end = text.index("}}", start) + 2  # the end of the map and of `by`
    files["diensten.yaml"] = (text[:start] + "by: " + bad + text[end:]).encode()
    with pytest.raises(InputError) as exc:
        build_rulebook(files)
    assert any(message in p.message for p in exc.value.problems), [p.message for p in exc.value.problems]


# --- a condition is cited from the first day a rule that triggers it applies ------------------------

def test_condition_of_a_later_rule_is_checked_from_that_rule_s_day():
    """market-lenders-cap-2022 cites BTIV 13 lid 4 (Stb. 2021, 575), which the 2015 text lacks: fine while
    only FIN-03.2022 (from 2022) triggers it, an error once a 2015 rule does."""
    def problems(book):
        return [f.message for f in check_citations(book) if f.subject == "condition market-lenders-cap-2022"]

    assert problems(rulebook()) == []
    files = dict(rulebook().files)
    text = files["financiering.yaml"].decode()
    first = text.index("conditions: [market-lenders-cap]")
    files["financiering.yaml"] = (text[:first] + "conditions: [market-lenders-cap-2022]"
                                  + text[first + len("conditions: [market-lenders-cap]"):]).encode()
    assert any("no lid 4 in the 2015 text" in m for m in problems(build_rulebook(files)))


def test_btiv_citations_from_its_renumbering_are_not_read_in_the_2015_numbering():
    # BTIV 13 gained a lid 2 by the consolidation of 2016-10-28 (data/regulations.yaml `structures`: the 2015
    # numbering holds until 2016-10-27): lid 4 does not exist in the 2015 text, but may be cited from the
    # next day on (FIN-03.2016)
    lid4 = LegalBasis(bwb=BTIV, name="BTIV", article="13", lid="4")
    day = dt.date(2016, 10, 27)
    assert deciding_problems(lid4, day, day)
    assert deciding_problems(lid4, day + dt.timedelta(days=1), day + dt.timedelta(days=1)) == []
    # the Woningwet keeps the 2015 numbering until 2016-12-31
    lid = LegalBasis(bwb=WW, name="Woningwet", article="45", lid="9")
    assert deciding_problems(lid, dt.date(2016, 12, 31), dt.date(2016, 12, 31))
    assert deciding_problems(lid, dt.date(2017, 1, 1), dt.date(2017, 1, 1)) == []

"""Rules not (yet / any longer) in force: a component the rule would apply to is told so, with the
rule's citation and validity dates (woningwet_engine/inforce.py; `question:` in the rule files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from a2helpers import mid_rent
from rulehelpers import rests_on, fired, make_case, component, rule_ids
from woningwet_engine.engine import judge
from woningwet_engine.errors import InputError
from woningwet_engine.report import memo_for
from woningwet_engine.report.render import render_md
from woningwet_engine.rulebook.loader import build_rulebook, read_rules_dir

ROOT = Path(__file__).resolve().parents[2]
NON_DAEB_2024 = "1100.00"  # above the liberalisatiegrens of 2024 (879.66)


def not_in_force(cr, rule_id):
    found = [r for r in cr.reasons if r.rule == rule_id and r.effect == "not_in_force"]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture(scope="module")
def files():
    return read_rules_dir(ROOT / "rules")


def with_text(files, name, old, new):
    text = files[name].decode()
    assert old in text, (name, old)
    return {**files, name: text.replace(old, new, 1).encode()}


# --- lapsed ---------------------------------------------------------------------------------------

def test_2024_non_daeb_build_is_told_the_market_test_lapsed():
    cr = mid_rent("2024-03-01", rent=NON_DAEB_2024)
    assert cr.verdict == "non_daeb" and not fired(cr, "MT-01")
    r = not_in_force(cr, "MT-01")
    assert r is not None and r.branch is None and r.verdict is None
    # the market test ends with art. 44c, which the consolidation of 2021-09-11 no longer has
    assert "No longer in force on 2024-03-01" in r.text and "2015-07-01" in r.text and "2021-09-10" in r.text
    c = r.citation
    assert (c.name, c.article, c.lid, c.onderdelen) == ("Woningwet", "44c", "1", "a-i")
    # the dated link shows the article as it read on the rule's last day
    assert "z=2021-09-10" in c.url and "g=2021-09-10" in c.juriconnect
    assert [a.article for a in r.also_cites] == ["45"]
    assert r.inputs.facts["activity"] == "build" and r.inputs.facts["rent"] == NON_DAEB_2024
    assert any(p.id == "liberalisatiegrens" for p in r.inputs.params)


def test_no_lapsed_market_test_for_a_daeb_dwelling_in_2024():
    cr = mid_rent("2024-03-01", rent="700.00")
    assert cr.verdict == "daeb"
    assert not [r for r in cr.reasons if r.effect == "not_in_force"]


def test_lapsed_herstructurering_waiver_is_named_for_herstructurering_only():
    land = {"herstructurering": True, "acquired_on": "2014-12-31"}
    cr = mid_rent("2024-03-01", rent=NON_DAEB_2024, land=land)
    # the 2019 continuation lapsed last: it is named, the 2015 text (lapsed 2019-05-27) is not
    assert not_in_force(cr, "MT-04.2019") is not None and not_in_force(cr, "MT-04") is None
    assert not_in_force(cr, "MT-01") is None
    plain = mid_rent("2024-03-01", rent=NON_DAEB_2024)
    assert not_in_force(plain, "MT-04.2019") is None


def test_dutch_text():
    cr = mid_rent("2024-03-01", rent=NON_DAEB_2024, lang="nl")
    r = not_in_force(cr, "MT-01")
    assert r.text.startswith("Niet meer van kracht op 2024-03-01: Nieuwe niet-DAEB-activiteit")
    assert "gold van 2015-07-01 tot en met 2021-09-10" in r.text


# --- not yet in force -----------------------------------------------------------------------------

def test_2018_non_daeb_build_is_told_what_starts_in_2022():
    cr = mid_rent("2018-06-01", rent="900.00")
    assert fired(cr, "MT-01") and not fired(cr, "MT-13")
    r = not_in_force(cr, "MT-13")
    assert r is not None and "Not yet in force on 2018-06-01" in r.text and "from 2021-09-11" in r.text
    assert "z=2021-09-11" in r.citation.url
    # MT-13 rests on a secondary source, but the 2018 outcome does not rest on MT-13
    assert not rests_on(cr, "MT-13")


def test_nothing_not_yet_in_force_for_a_daeb_dwelling_in_2018():
    cr = mid_rent("2018-06-01", rent="600.00")
    assert cr.verdict == "daeb" and not_in_force(cr, "MT-13") is None


# --- the mechanism --------------------------------------------------------------------------------

def test_only_the_nearest_change_of_a_question_is_named(files):
    """With MT-12 (2022-2023) also governing the question, a 2024 case names MT-12, the last rule to
    lapse, and no longer MT-01; a 2016 case names both rules starting on 2022-01-01."""
    book = build_rulebook(with_text(files, "markttoets.yaml", "  - id: MT-12\n",
                                    "  - id: MT-12\n    question: markttoets\n"))
    case = make_case("2024-03-01", [component(dwelling={"rent": NON_DAEB_2024})])
    cr = judge(case, book, lang="en").components[0]
    assert rule_ids(cr, "not_in_force") == {"MT-12"}
    early = judge(case, book, at=dt.date(2016, 6, 1), lang="en").components[0]
    assert rule_ids(early, "not_in_force") == {"MT-12", "MT-13"}


def test_not_in_force_reasons_decide_nothing(files):
    """Without any `question:` the results are the same except for the not-in-force reasons."""
    plain = {name: b"\n".join(line for line in data.split(b"\n") if not line.strip().startswith(b"question:"))
             for name, data in files.items()}
    book, bare = build_rulebook(files), build_rulebook(plain)
    assert not any(cr.rule.question for cr in bare.rules) and any(cr.rule.question for cr in book.rules)
    for day in ("2016-06-01", "2024-03-01"):
        case = make_case(day, [component(id="A", dwelling={"rent": "1100.00"}), component(id="B"),
                               component(id="C", land={"herstructurering": True, "acquired_on": "2014-12-31"},
                                         dwelling={"rent": "1100.00"})])
        full, base = judge(case, book).model_dump(mode="json"), judge(case, bare).model_dump(mode="json")
        assert any(r["effect"] == "not_in_force" for c in full["components"] for r in c["reasons"])
        for c in full["components"]:
            c["reasons"] = [r for r in c["reasons"] if r["effect"] != "not_in_force"]
        for part in ("summary", "components", "plan", "splits", "route"):
            assert full[part] == base[part], (day, part)


def test_a_question_belongs_to_component_rules(files):
    broken = with_text(files, "leefbaarheid.yaml", "  - id: LFB-02\n", "  - id: LFB-02\n    question: cap\n")
    with pytest.raises(InputError) as err:
        build_rulebook(broken)
    assert any("only component rules name a 'question'" in p.message for p in err.value.problems)


def test_the_memo_shows_the_lapsed_market_test():
    book = build_rulebook(read_rules_dir(ROOT / "rules"))
    case = make_case("2024-03-01", [component(dwelling={"rent": NON_DAEB_2024})])
    for lang, label, words in (("nl", "Niet van kracht", "Niet meer van kracht op 2024-03-01"),
                               ("en", "Not in force", "No longer in force on 2024-03-01")):
        memo, _ = memo_for(case, book, lang)
        text = render_md(memo)
        assert label in text and words in text and "44c" in text


# --- before the regime: a case of 2014 ------------------------------------------------------------

def test_a_2014_case_is_told_the_revised_woningwet_is_not_yet_in_force():
    case = make_case("2014-06-01", [component(id="A"), component(id="B", dwelling={"rent": "850.00"}),
                                    component(id="C", object="bog")])
    result = judge(case, build_rulebook(read_rules_dir(ROOT / "rules")), lang="en")
    assert not result.summary.compliant and result.summary.undetermined == ["A", "B", "C"]
    assert not result.regime.rules_in_force
    for cr in result.components:
        first = cr.reasons[0]
        assert first.effect == "undetermined" and "was not yet in force; it applies from 2015-07-01" in first.text
        assert (first.citation.name, first.citation.article) == (
            "Herzieningswet toegelaten instellingen volkshuisvesting", "I")
        assert "z=2015-07-01" in first.citation.url
    a, b, c = result.components
    # the rules that decide from 2015-07-01, with their own citations and dates
    r = not_in_force(a, "DAEB-01.b")
    assert r is not None and "Not yet in force on 2014-06-01" in r.text and "from 2015-07-01" in r.text
    assert (r.citation.article, r.citation.lid, r.citation.onderdeel) == ("47", "1", "b")
    assert "DAEB-01.b" in a.reasons[0].text and not_in_force(b, "DAEB-01.b") is not None
    # the BOG rules need facts derived only from 2015-07-01: the regime reason alone, no guessed rule
    assert [x.effect for x in c.reasons] == ["undetermined"]


def test_the_last_day_before_the_regime_and_the_first_day_of_it():
    case = make_case("2015-06-30", [component()])
    book = build_rulebook(read_rules_dir(ROOT / "rules"))
    before = judge(case, book).components[0]
    assert before.verdict == "undetermined" and not_in_force(before, "DAEB-01.b") is not None
    on = judge(case, book, at=dt.date(2015, 7, 1)).components[0]
    assert on.verdict == "daeb" and fired(on, "DAEB-01.b")
    assert not [x for x in on.reasons if x.effect in ("not_in_force", "undetermined")]


def test_the_2014_memo_says_so():
    case = make_case("2014-06-01", [component()])
    memo, _ = memo_for(case, build_rulebook(read_rules_dir(ROOT / "rules")), "nl")
    text = render_md(memo)
    assert "gold de herziene Woningwet" in text and "Nog niet van kracht op 2014-06-01" in text


def test_a_not_in_force_reason_cites_the_onderdeel_its_fact_picks(files):
    """VK-02 cites BTIV 24 by buyer (`by` mapping): named as not yet in force in 2014, it cites the
    onderdeel of this sale (a: to a corporation), not the whole list."""
    book = build_rulebook(with_text(files, "verkoop.yaml", "  - id: VK-02\n", "  - id: VK-02\n    question: vrijstelling\n"))
    sale = component(activity="sell", sale={"buyer": "ti", "price": "150000", "leegwaarde": "200000"})
    cr = judge(make_case("2014-06-01", [sale]), book).components[0]
    r = not_in_force(cr, "VK-02")
    assert r is not None and (r.citation.article, r.citation.onderdeel) == ("24", "a")
    assert not_in_force(judge(make_case("2014-06-01", [component()]), book).components[0], "VK-02") is None

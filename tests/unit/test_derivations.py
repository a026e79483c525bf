"""Declared derivations (rules/derivations.yaml) and traced parameter reads (derivations.py, facts.Fact)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from a2helpers import judge_plan, letting
from rulehelpers import component, judge as judge_case, make_case, rulebook
from woningwet_engine.compare import compare_results, render_text
from woningwet_engine.case import load_case
from woningwet_engine.derivations import Env, TracingParams
from woningwet_engine.engine import judge
from woningwet_engine.errors import EngineError, InputError
from woningwet_engine.facts import build_facts
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.rulebook.loader import build_rulebook, read_rules_dir

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "woningwet_engine"
LETTINGS_CASE = ROOT / "cases" / "laak-lettings-2022.yaml"


def _check(result, rule):
    return next(c for c in result.plan.checks if c.rule == rule)


def test_pt01_in_2019_lists_the_income_limits_that_decided_counting_and_takes_them_as_assumptions():
    r = judge_plan("2019-06-01", lettings=[letting("2019-03-01", "20000.00", rent="600.00"),
                                           letting("2019-04-01", "30000.00", rent="700.00", size=3)])
    pt = _check(r, "PT-01")
    ids = [p.id for p in pt.inputs.params]
    assert {"pt_income_limit_single", "pt_income_limit_multi", "liberalisatiegrens"} <= set(ids)
    single = next(p for p in pt.inputs.params if p.id == "pt_income_limit_single")
    assert single.value == "22700.00" and single.confidence == "secondary"
    # secondary figures the check rests on are assumptions of the plan
    pt01 = f"‘{rulebook().rule('PT-01').rule.title.en}’"  # the rules that read a figure, by title
    assert any(a.startswith("passend toewijzen income limit, single person below state-pension age: EUR 22,700.00")
               and pt01 in a for a in r.plan.assumptions)
    assert any(a.startswith("rent liberalisation threshold (") and pt01 in a for a in r.plan.assumptions)
    # a figure no letting needed was not read, so it is not claimed either
    assert "pt_income_limit_single_aow" not in ids


def test_pt01_without_lettings_needing_the_limit_does_not_list_it():
    r = judge_plan("2019-06-01", lettings=[letting("2019-03-01", "20000.00", rent="600.00", eligible=True)])
    ids = [p.id for p in _check(r, "PT-01").inputs.params]
    assert "liberalisatiegrens" in ids and not any(i.startswith("pt_income_limit_") for i in ids)


@pytest.mark.parametrize("lang, words", [("nl", "nodig voor toewijzingen aan huurtoeslaggerechtigden"),
                                         ("en", "needed for lettings to households eligible for huurtoeslag")])
def test_pt03_in_2024_names_the_unknown_figure_not_the_derived_fact(lang, words):
    # 2024: the limit for multi-person AOW-age households is a declared gap (the 2022 figures are filled)
    case = make_case("2024-06-01", [component()],
                     lettings=[letting("2024-03-01", "20000.00", rent="600.00", size=2, aow=True)])
    r = judge_case(case, lang=lang)
    pt = _check(r, "PT-03")
    assert pt.status == "unknown"
    assert words in pt.text and "pt_income_limit_multi_aow" not in pt.text
    title = getattr(load_rulebook().params["pt_income_limit_multi_aow"].title, lang)
    assert f"{title[0].lower()}{title[1:]} ({words})" in pt.text
    unknown = next(p for p in pt.inputs.params if p.id == "pt_income_limit_multi_aow")
    assert unknown.value is None


def test_a_read_the_declaration_does_not_list_is_an_error():
    env = Env(TracingParams({"a": 1, "b": 2}, frozenset({"a"}), "demo"), {}, {}, dt.date(2020, 1, 1))
    assert env.param("a") == 1 and env.params.read == ["a"]
    with pytest.raises(EngineError, match="demo reads parameter b"):
        env.param("b")
    with pytest.raises(EngineError, match="needs a date 'cutoff'"):
        env.date("cutoff")


def _book_with(tmp_path, old: str, new: str):
    files = read_rules_dir(ROOT / "rules")
    text = files["derivations.yaml"].decode()
    assert old in text
    files["derivations.yaml"] = text.replace(old, new, 1).encode()
    return build_rulebook(files, label=str(tmp_path))


@pytest.mark.parametrize("old, new, message", [
    ("function: passend_toewijzen", "function: no_such_body", "unknown derivation function 'no_such_body'"),
    ("produces: [pt_eligible_count, pt_share, pt_elderly_assets_count]",
     "produces: [pt_eligible_count, pt_shares, pt_elderly_assets_count]", "unknown plan fact 'pt_shares'"),
    ("reads: [liberalisatiegrens]", "reads: [liberalisatiegrenz]", "reads unknown parameter 'liberalisatiegrenz'"),
    ("    valid_from: 2022-01-01\n", "    valid_from: 2021-06-01\n", "both produce alloc_"),
    ("    valid_from: 2016-01-01\n", "    valid_from: 2015-07-01\n", "pt_income_limit_single, which has no entry"),
])
def test_the_loader_refuses_a_bad_declaration_with_file_and_line(tmp_path, old, new, message):
    with pytest.raises(InputError) as exc:
        _book_with(tmp_path, old, new)
    problems = [p for p in exc.value.problems if message in p.message]
    assert problems, [p.message for p in exc.value.problems]
    assert problems[0].file.endswith("derivations.yaml") and problems[0].line


def test_derivation_dates_are_change_points(tmp_path):
    book = load_rulebook()
    moved = _book_with(tmp_path, "    valid_from: 2016-01-01\n", "    valid_from: 2016-03-01\n")
    assert dt.date(2016, 3, 1) in moved.change_points() and dt.date(2016, 3, 1) not in book.change_points()


def test_allocation_switches_declaration_on_its_date():
    book = load_rulebook()
    case = load_case(LETTINGS_CASE)
    for day, expected in ((dt.date(2021, 12, 31), "allocation-2015"), (dt.date(2022, 1, 1), "allocation-2022")):
        plan = build_facts(case, book.at(day))[2]
        assert plan.derived_by["alloc_share_low"] == expected
        assert book.derivation("alloc_share_low", "plan", day).id == expected
    assert "daeb_income_limit_single" in build_facts(case, book.at(dt.date(2022, 6, 1)))[2].reads["alloc_share_target"]
    assert "daeb_income_limit_middle" in build_facts(case, book.at(dt.date(2021, 6, 1)))[2].reads["alloc_share_target"]


def test_compare_attributes_the_2022_allocation_change_to_the_declared_derivation_and_its_legal_basis():
    book = load_rulebook()
    case = load_case(LETTINGS_CASE)
    ra = judge(case, book, at=dt.date(2021, 6, 1))
    rb = judge(case, book, at=dt.date(2022, 6, 1))
    cmp = compare_results(ra, rb, book)
    changed = {(d["from"], d["to"]): d for d in cmp["regime"]["derivations_changed"]}
    alloc = changed[("allocation-2015", "allocation-2022")]
    assert "alloc_share_low" in alloc["facts"] and alloc["valid_to"] == "2022-01-01.."
    assert {"bwb": "BWBR0036702", "name": "BTIV", "article": "16", "lid": "1", "aanhef": True} in alloc["legal_basis"]
    causes = [c for ch in cmp["plan"] for c in ch["because"] if c["derivations_changed"]]
    assert causes and all("allocation-2022" in c["derivations_changed"] for c in causes)
    low = next(ch for ch in cmp["plan"] if ch["check"] == "PLAN-TOE-LOW")
    assert low["from"] == "fail" and low["because"][0]["derivations_changed"] == ["allocation-2022"]
    text = render_text(cmp, "nl")
    # the declaration by its title, with its legal basis in the same citation text as every result
    # (the opening words and the listed onderdelen are named)
    assert "afleiding gewijzigd: Toewijzing: één inkomensgrens per huishoudensgrootte (BTIV 16 zoals gewijzigd bij " \
           "Stb. 2021, 509) (BTIV art. 16 lid 1 aanhef; BTIV art. 57 onderdelen a tot en met d)" in text
    assert "BTIV art. 16(1) opening words; BTIV art. 57 items a to d" in render_text(cmp, "en")
    # the same case judged on two dates within one allocation regime names no derivation
    same = compare_results(judge(case, book, at=dt.date(2022, 3, 1)), rb, book)
    assert same["regime"]["derivations_changed"] == []


def test_no_legal_date_literal_in_the_fact_and_stage_modules():
    """Dates of the law (cut-offs, regime switches) live in rules/, not in Python."""
    found = []
    for name in ("facts.py", "derivations.py", "verdict.py", "plan.py", "split.py", "remediation.py", "engine.py"):
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "date" \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, int):
                found.append(f"{name}:{node.lineno}")
    assert not found, found

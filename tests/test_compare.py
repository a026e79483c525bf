"""The comparison engine (woningwet_engine/compare.py) and `woningwet compare`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine.case import load_case
from woningwet_engine.cli import main
from woningwet_engine.compare import compare_results, render_text

ROOT = Path(__file__).resolve().parents[1]
KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"


def changes_of(cmp: dict, comp_id: str) -> list[dict]:
    for comp in cmp["components"]:
        if comp["id"] == comp_id:
            return comp["changes"]
    return []


def cause_rules(change: dict) -> set[str]:
    return {c["rule"] for c in change["because"]}


@pytest.fixture(scope="module")
def kanaleneiland():
    case = load_case(KANALENEILAND)
    a = judge(case, "2016-06-01", lang="en")
    b = judge(case, "2022-06-01", lang="en")
    return a, b, compare_results(a, b, rulebook())


@pytest.mark.parametrize("comp_id", ["K4", "K5"])
def test_markttoets_conditions_disappear_for_midrent_and_koop(kanaleneiland, comp_id):
    a, b, cmp = kanaleneiland
    before = {c.id for c in next(x for x in a.components if x.id == comp_id).conditions}
    assert any(c.startswith("markttoets-") for c in before)
    removed = [ch for ch in changes_of(cmp, comp_id) if ch["field"] == "condition" and ch["to"] == "absent"]
    removed_ids = {ch["condition"] for ch in removed}
    assert {c for c in before if c.startswith("markttoets-")} <= removed_ids
    for ch in removed:
        if ch["condition"].startswith("markttoets-"):
            # caused by a markttoets rule that is no longer in force in 2022
            mt = [c for c in ch["because"] if c["rule"].startswith("MT-")]
            assert mt and all(c["in_force_from"] and not c["in_force_to"] and c["fired_from"] for c in mt)
            assert {c["rule"] for c in mt} <= set(cmp["regime"]["rules_only_from"])


def test_leefbaarheid_cap_check_gone(kanaleneiland):
    a, b, cmp = kanaleneiland
    assert "PLAN-LFB-CAP" in {ch.id for ch in a.plan.checks}
    assert "PLAN-LFB-CAP" not in {ch.id for ch in b.plan.checks}
    gone = [p for p in cmp["plan"] if p["check"] == "PLAN-LFB-CAP"]
    assert len(gone) == 1 and gone[0]["to"] == "absent"
    assert gone[0]["because"][0]["rule"] == "LFB-02" and not gone[0]["because"][0]["in_force_to"]


def test_resident_initiatives_budget_becomes_allowed(kanaleneiland):
    a, b, cmp = kanaleneiland
    verdict = [ch for ch in changes_of(cmp, "K11") if ch["field"] == "verdict"]
    assert len(verdict) == 1
    assert verdict[0]["from"] == "forbidden" and verdict[0]["to"] in ("daeb", "non_daeb")
    causes = {c["rule"]: c for c in verdict[0]["because"]}
    assert "LFB-03.ontmoeting" in causes
    assert causes["LFB-03.ontmoeting"]["fired_from"] and not causes["LFB-03.ontmoeting"]["in_force_to"]
    assert any(r["rule"] == "LFB-03.ontmoeting" for r in cmp["regime"]["rules_ending"])


def test_unchanged_components_are_not_listed(kanaleneiland):
    a, b, cmp = kanaleneiland
    listed = {c["id"] for c in cmp["components"]}
    for ca, cb in zip(a.components, b.components):
        same = (ca.verdict, ca.compliant, ca.party, sorted(c.id for c in ca.conditions)) == \
               (cb.verdict, cb.compliant, cb.party, sorted(c.id for c in cb.conditions))
        if same and sorted(c.triggered_by for c in ca.conditions) == sorted(c.triggered_by for c in cb.conditions):
            assert ca.id not in listed
        else:
            assert ca.id in listed


def test_regime_lists_rules_and_change_points_between_the_dates(kanaleneiland):
    _, _, cmp = kanaleneiland
    reg = cmp["regime"]
    book = rulebook()
    ids_2016 = {cr.rule.id for cr in book.at(dt.date(2016, 6, 1)).rules}
    ids_2022 = {cr.rule.id for cr in book.at(dt.date(2022, 6, 1)).rules}
    assert set(reg["rules_only_from"]) == ids_2016 - ids_2022
    assert set(reg["rules_only_to"]) == ids_2022 - ids_2016
    assert all("2016-06-01" < d <= "2022-06-01" for d in reg["change_points"])
    assert "2022-01-01" in reg["change_points"]
    assert "files_changed" not in reg  # one rulebook on both sides


def test_same_date_means_no_changes():
    case = load_case(KANALENEILAND)
    a = judge(case, "2019-03-01")
    cmp = compare_results(a, judge(case, "2019-03-01"), rulebook())
    assert cmp["summary"] == {"components_changed": 0, "plan_checks_changed": 0, "changed": False}
    assert cmp["regime"]["params_changed"] == [] and cmp["regime"]["change_points"] == []


def test_parameter_change_is_named_as_cause():
    # a rent between the 2016 and the 2022 liberalisatiegrens: non-DAEB in 2016, DAEB in 2022
    book = rulebook()
    lib16 = book.at(dt.date(2016, 6, 1)).values["liberalisatiegrens"]
    lib22 = book.at(dt.date(2022, 6, 1)).values["liberalisatiegrens"]
    assert lib16 < lib22
    rent = f"{(lib16 + lib22) // 2 / 100:.2f}"
    case = make_case("2016-06-01", [component(dwelling={"rent": rent})])
    a, b = judge(case, "2016-06-01"), judge(case, "2022-06-01")
    assert a.components[0].verdict != b.components[0].verdict
    cmp = compare_results(a, b, book)
    verdict = [ch for ch in changes_of(cmp, "C1") if ch["field"] == "verdict"][0]
    assert any("liberalisatiegrens" in c["params_changed"] for c in verdict["because"])
    assert any(p["id"] == "liberalisatiegrens" for p in cmp["regime"]["params_changed"])
    text = render_text(cmp, "en")  # the figure by its title and its values in words, not its code
    assert "Rent liberalisation threshold (huurtoeslag maximum rent; DAEB rent ceiling): EUR 710.68 → EUR 763.47" in text
    assert "parameter changed: Rent liberalisation threshold" in text and "liberalisatiegrens:" not in text


def test_different_cases_are_refused():
    a = judge(make_case("2020-01-01", [component()], case_id="one"))
    b = judge(make_case("2020-01-01", [component()], case_id="two"))
    with pytest.raises(ValueError):
        compare_results(a, b, rulebook())


def test_cli_compare_json_and_text():
    runner = CliRunner()
    res = runner.invoke(main, ["compare", str(KANALENEILAND), "--at", "2016-06-01", "--at", "2022-06-01",
                               "--format", "json", "--lang", "en"])
    assert res.exit_code == 1, res.output  # changes found
    data = json.loads(res.stdout)
    assert data["from"]["date"] == "2016-06-01" and data["to"]["date"] == "2022-06-01"
    assert {"K4", "K5", "K11"} <= {c["id"] for c in data["components"]}
    again = runner.invoke(main, ["compare", str(KANALENEILAND), "--at", "2016-06-01", "--at", "2022-06-01",
                                 "--format", "json", "--lang", "en"])
    assert again.stdout == res.stdout  # deterministic
    text = runner.invoke(main, ["compare", str(KANALENEILAND), "--at", "2016-06-01", "--at", "2022-06-01", "-v"])
    assert "K11" in text.stdout and "LFB-03.ontmoeting" in text.stdout and "PLAN-" not in text.stdout
    # a plan check by its title, its statuses as words
    assert "  Leefbaarheid per DAEB-huurwoning ten hoogste het maximumbedrag (het plan): voldoet → niet van " \
           "toepassing (door ‘Leefbaarheid per DAEB-huurwoning ten hoogste het maximumbedrag’)" in text.stdout
    # without --verbose: the headline only, what changed for the plan first, short lines
    short = runner.invoke(main, ["compare", str(KANALENEILAND), "--at", "2016-06-01", "--at", "2022-06-01"])
    lines = short.stdout.splitlines()
    assert lines[1].startswith("Uitkomst voor het plan:") and short.exit_code == 1
    assert any(l.startswith("  K11 ") and "verboden → DAEB" in l for l in lines), lines
    assert "--verbose" in lines[-1] and len(short.stdout) < len(text.stdout) / 3
    # the verbose text opens with the same headline, whose last line points below instead of to --verbose
    head = short.stdout.splitlines()[:-1]
    assert text.stdout.splitlines()[:len(head)] == head
    assert text.stdout.splitlines()[len(head)].endswith("details hieronder.")
    same = runner.invoke(main, ["compare", str(KANALENEILAND), "--at", "2016-06-01", "--at", "2016-06-01"])
    assert same.exit_code == 0


@pytest.mark.parametrize("args", [["--at", "2016-06-01"], ["--at", "2016-06-01", "--at", "2016-13-01"],
                                  ["--at", "1990-01-01", "--at", "2016-06-01"]])
def test_cli_compare_bad_input_exits_2(args):
    res = CliRunner().invoke(main, ["compare", str(KANALENEILAND), *args])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("fout: 1 probleem in de invoer:")  # Dutch by default


def test_a_changed_rent_table_is_shown_by_its_range_and_the_mid_rent_check_follows_it():
    case = make_case("2024-08-01", [component(dwelling={"rent": "1054.38", "wws_points": 170})])
    cmp = compare_results(judge(case, "2024-08-01"), judge(case, "2025-02-01"), rulebook())
    table = next(p for p in cmp["regime"]["params_changed"] if p["id"] == "wws_max_rent_by_points")
    assert table["unit"] == "eur_by_points" and "170=1054.38" in table["from"] and "170=1078.85" in table["to"]
    text = render_text(cmp, "nl")
    assert ("tabel van 40 tot en met 250 punten (€ 235,96 tot € 1.572,20) → "
            "tabel van 40 tot en met 250 punten (€ 241,44 tot € 1.608,68)") in text

"""Coalition and multi-year plans (woningwet_engine/coalition): several corporations and partners in
one case, each corporation judged on its own facts by the ordinary engine, each phase under its own law."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from woningwet_engine.case import load_case
from woningwet_engine.coalition.judge import judge_coalition
from woningwet_engine.coalition.load import is_coalition_data, load_any_case
from woningwet_engine.coalition.subcases import apportion, build_subcases
from woningwet_engine.engine import judge
from woningwet_engine.result import canonical_json
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.yamlio import load_yaml_file

ROOT = Path(__file__).resolve().parents[1]
LAAK = ROOT / "cases" / "coalition" / "laak-coalitie.yaml"
KANALENEILAND = ROOT / "cases" / "coalition" / "kanaleneiland-fasen.yaml"
COALITION_CASES = sorted((ROOT / "cases" / "coalition").glob("*.yaml"))


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


@pytest.fixture(scope="module")
def laak(book):
    return judge_coalition(load_any_case(LAAK, book), book)


@pytest.fixture(scope="module")
def kanaleneiland(book):
    return judge_coalition(load_any_case(KANALENEILAND, book), book)


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "woningwet_engine.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def part(res, corporation, phase):
    return next(p for p in res.parts if p.corporation == corporation and p.phase == phase)


def comp(res, corporation, phase, cid):
    return next(c for c in part(res, corporation, phase).result.components if c.id == cid)


# ---- golden results --------------------------------------------------------------------------------

def test_coalition_samples_exist():
    assert {p.stem for p in COALITION_CASES} >= {"laak-coalitie", "kanaleneiland-fasen"}
    assert all(is_coalition_data(load_yaml_file(p).data) for p in COALITION_CASES)


@pytest.mark.parametrize("case_path", COALITION_CASES, ids=[p.stem for p in COALITION_CASES])
def test_coalition_result_matches_golden(case_path, book):
    golden = ROOT / "reports" / "coalition" / f"{case_path.stem}.json"
    current = canonical_json(judge_coalition(load_any_case(case_path, book), book))
    assert current == golden.read_text(encoding="utf-8"), f"{golden.name} is stale: run `bash scripts/run`"


# ---- the Laak coalition ----------------------------------------------------------------------------

def test_laak_has_three_corporations_the_municipality_and_partners(laak):
    kinds = {p.id: p.kind for p in laak.parties}
    assert [p.id for p in laak.parties if p.kind == "corporation"] == ["staedion", "vestia", "duwo"]
    assert kinds["den-haag"] == "municipality"
    assert kinds["mooi"] == "welfare" and kinds["hhs"] == "education"


def test_each_corporation_gets_plan_checks_on_its_own_facts(laak):
    stock = {}
    for corp in ("staedion", "vestia", "duwo"):
        checks = {c.id: c for c in part(laak, corp, "wijkmakelaar").result.plan.checks}
        cap = checks["PLAN-LFB-CAP"]
        stock[corp] = cap.inputs.facts["lfb_per_daeb_home"]
        assert checks["PLAN-SCH-PROPOSAL"].status == ("fail" if corp == "staedion" else "pass")
    # each over its own DAEB stock: (own leefbaarheid in the plan + elsewhere) / own DAEB rental homes
    assert "33.000 DAEB" in part(laak, "staedion", "wijkmakelaar").result.plan.checks[0].text
    assert stock == {"staedion": "89.70", "vestia": "88.34", "duwo": "1.04"}


def test_shared_budget_is_split_by_stock_to_the_cent(laak, book):
    shares = {s.part: s.fraction for p in laak.parts for s in p.shares if s.component == "L2"}
    # stock in the area 4200 : 2600 : 400
    assert shares == {"L2.staedion": "0.5833", "L2.vestia": "0.3611", "L2.duwo": "0.0556"}
    subs, _ = build_subcases(load_any_case(LAAK, book))
    amounts = {c.id: c.leefbaarheid.annual_amount for s in subs for c in s.case.components if c.id[:3] in ("L2.", "L4.")}
    assert sum(v for k, v in amounts.items() if k.startswith("L2.")) == 300000_00
    assert amounts["L2.staedion"] == 175000_00 and amounts["L2.duwo"] == 16666_67
    # agreed amounts are taken as given
    assert (amounts["L4.staedion"], amounts["L4.vestia"], amounts["L4.duwo"]) == (20000_00, 15000_00, 5000_00)


def test_coalition_budget_goes_to_the_municipality_with_the_legal_reason(laak):
    l4 = [h for h in laak.handovers if h.component == "L4"]
    assert {h.corporation for h in l4} == {"staedion", "vestia", "duwo"}
    for h in l4:
        assert h.to == "den-haag" and h.kind == "municipality" and h.rule == "LFB-03"
        assert h.citation.article == "51" and h.citation.lid == "1"
        assert "Gemeente Den Haag" in h.text


def test_neighbourhood_party_goes_to_the_welfare_partner_in_2016(laak):
    (h,) = [h for h in laak.handovers if h.component == "L5"]
    assert (h.corporation, h.phase, h.date) == ("staedion", "wijkmakelaar", "2016-06-01")
    assert h.to == "mooi" and h.rule == "LFB-03.ontmoeting"
    assert comp(laak, "staedion", "wijkmakelaar", "L5").verdict == "forbidden"


def test_the_2022_phase_allows_the_neighbourhood_party_as_leefbaarheid(laak):
    l10 = comp(laak, "staedion", "stichting", "L10")
    assert l10.verdict == "daeb" and l10.compliant
    assert "LFB-04" in {r.rule for r in l10.reasons}
    assert not [h for h in laak.handovers if h.component == "L10"]
    (phase,) = [p for p in laak.phases if p.id == "stichting"]
    causes = {c.rule: c for c in phase.causes}
    assert causes["LFB-03.ontmoeting"].in_force_first and not causes["LFB-03.ontmoeting"].in_force_here
    assert "L10" in causes["LFB-04"].parts


def test_agreements_are_checked_per_municipality_and_corporation(laak):
    checks = {(a.municipality, a.corporation): a for a in laak.agreements}
    assert checks[("GM0518", "staedion")].status == "ok"
    duwo = checks[("GM0518", "duwo")]
    assert duwo.status == "missing" and duwo.uncovered == ["L2.duwo"]
    (gap,) = [g for g in duwo.gaps if g.agreement == "PA-DENHAAG-2016"]
    assert set(gap.missing) == {"corporation", "tenants"}
    assert (duwo.citation.article, duwo.citation.lid) == ("44", "2")
    # without an agreement that binds it, DUWO's share of the budget is outside the gebied (Ww 45 lid 2 f 1°)
    assert comp(laak, "duwo", "wijkmakelaar", "L2.duwo").verdict == "forbidden"
    assert comp(laak, "staedion", "wijkmakelaar", "L2.staedion").verdict == "daeb"


def test_partner_work_is_listed_not_judged(laak):
    assert {(w.component, w.carried_by) for w in laak.partner_work} == {("L8", "den-haag"), ("L9", "hhs")}
    judged = {c.id for p in laak.parts for c in p.result.components}
    assert not judged & {"L8", "L9"}


# ---- the phased Kanaleneiland ----------------------------------------------------------------------

def test_each_phase_is_judged_under_its_own_law(kanaleneiland, book):
    dates = {p.phase: p.result.date for p in kanaleneiland.parts}
    assert dates == {"noord-2016": "2016-06-01", "noord-2022": "2022-06-01"}
    first, second = (part(kanaleneiland, "mitros", ph).result for ph in ("noord-2016", "noord-2022"))
    assert first.regime.selection != second.regime.selection
    assert "PLAN-LFB-CAP" in {c.id for c in first.plan.checks}
    assert "PLAN-LFB-CAP" not in {c.id for c in second.plan.checks}
    # the phase's own corporation facts: separated by 2022, turnover of 2020-2021
    subs, _ = build_subcases(load_any_case(KANALENEILAND, book))
    corp = {s.phase: s.case.corporation for s in subs}
    assert corp["noord-2016"].separation_regime is None and corp["noord-2022"].separation_regime == "ADM"
    assert [t.year for t in corp["noord-2022"].turnover] == [2020, 2021]


def test_2022_phase_names_the_cap_and_the_market_test_as_causes(kanaleneiland):
    (phase,) = [p for p in kanaleneiland.phases if p.id == "noord-2022"]
    causes = {c.rule: c for c in phase.causes}
    assert "mitros:PLAN-LFB-CAP" in causes["LFB-02"].parts and not causes["LFB-02"].in_force_here
    market_test = {r for r in causes if r.startswith("MT-")}
    assert "MT-13" in market_test and {"MT-04", "MT-06"} & market_test
    assert all("K4" in causes[r].parts for r in market_test)
    assert "LFB-02" in phase.law_since_first["rules_only_from"]
    assert "2022-01-01" in phase.law_since_first["change_points"]


# ---- single-corporation cases are untouched --------------------------------------------------------

def test_one_corporation_as_a_coalition_gives_the_same_verdicts(book, tmp_path):
    data = yaml.safe_load((ROOT / "cases" / "laak-2016.yaml").read_text(encoding="utf-8"))
    single = judge(load_case(ROOT / "cases" / "laak-2016.yaml"), book)
    corp = {"id": "staedion", **data.pop("corporation")}
    data["corporations"] = [corp]
    data["partners"] = [{"id": "den-haag", "name": "Gemeente Den Haag", "kind": "municipality",
                         "municipality": "GM0518"}]
    for a in data["performance_agreements"]:
        a["parties"] = ["den-haag", "staedion"]
    for c in data["components"]:
        c["carried_by"] = "staedion"
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    res = judge_coalition(load_any_case(path, book), book)
    (only,) = res.parts
    a, b = single.model_dump(mode="json"), only.result.model_dump(mode="json")
    for key in ("components", "plan", "splits", "route", "summary"):
        assert a[key] == b[key], key


# ---- split keys --------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 10**12), weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_apportion_adds_up_and_stays_within_a_unit(total, weights):
    if sum(weights) == 0:
        with pytest.raises(ValueError):
            apportion(total, weights)
        return
    parts = apportion(total, weights)
    assert sum(parts) == total
    for p, w in zip(parts, weights):
        exact = total * w / sum(weights)
        assert abs(p - exact) < 1 + 1e-6


# ---- bad input: exit 2 with file, line and field, nothing written -----------------------------------

def _bad_case(tmp_path, old, new, name="bad.yaml"):
    text = LAAK.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    return path, line


@pytest.mark.parametrize("old,new,field,words", [
    ("    carried_by: vestia\n", "    carried_by: haag-wonen\n", "components.2.carried_by", "niet noemt"),
    ("split: {by: shares, shares: {staedion: 0.6, vestia: 0.3, duwo: 0.1}}",
     "split: {by: shares, shares: {staedion: 0.6, vestia: 0.3, duwo: 0.05}}", "components.10.split.shares",
     "tellen op tot 0.95, niet tot 1"),
    ("split: {by: amounts, amounts: {staedion: 20000, vestia: 15000, duwo: 5000}}",
     "split: {by: amounts, amounts: {staedion: 20000, vestia: 15000, duwo: 4000}}", "components.3.split.amounts",
     "€ 39.000,00, niet tot de € 40.000,00 van het onderdeel"),
    ("    start: 2022-06-01\n", "    start: 2031-06-01\n", "phases.1.start", "valt buiten de periode die het regelboek beslaat"),
])
def test_bad_coalition_input_exits_2_with_file_line_and_field(tmp_path, old, new, field, words):
    """Each problem with file, line and field, said in Dutch (the default)."""
    path, line = _bad_case(tmp_path, old, new)
    out = tmp_path / "out.json"
    for args in (("check", path, "--format", "json", "-o", out), ("report", path, "-o", out)):
        proc = run(*args)
        assert proc.returncode == 2, proc.stderr
        assert f"{path}:{line} [{field}]" in proc.stderr and words in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        assert not out.exists()


def test_component_date_outside_its_phase_is_refused(tmp_path):
    path, line = _bad_case(tmp_path, "    phase: stichting\n    carried_by: staedion\n",
                           "    phase: stichting\n    date: 2016-01-01\n    carried_by: staedion\n")
    proc = run("check", path)
    assert proc.returncode == 2
    assert f"{path}:{line + 1} [components.9.date]" in proc.stderr and "valt buiten fase" in proc.stderr


# ---- command line ------------------------------------------------------------------------------------

def test_check_text_and_exit_code(tmp_path):
    proc = run("check", LAAK)
    assert proc.returncode == 1  # not compliant: forbidden parts in 2016
    assert "Gemeente Den Haag" in proc.stdout and "Stichting MOOI" in proc.stdout


def test_memo_shows_parties_handovers_agreements_and_timeline(tmp_path):
    for fmt in ("md", "html"):
        out = tmp_path / f"m.{fmt}"
        proc = run("report", LAAK, "--format", fmt, "-o", out)
        assert proc.returncode == 0, proc.stderr
        text = out.read_text(encoding="utf-8")
        for words in ("Stichting Vestia", "Stichting DUWO", "Gemeente Den Haag", "Stichting MOOI", "PA-DENHAAG-2016",
                      "LFB-04", "wetten.overheid.nl/jci1.3:c:BWBR0005181&amp;artikel=44&amp;lid=2"
                      if fmt == "html" else "wetten.overheid.nl/jci1.3:c:BWBR0005181&artikel=44&lid=2"):
            assert words in text, (fmt, words)
    proc = run("report", LAAK, "--lang", "en", "--format", "md")
    assert proc.returncode == 0 and "What to hand over, and to whom" in proc.stdout


def test_compare_works_on_the_whole_coalition_plan(tmp_path):
    out = tmp_path / "cmp.json"
    proc = run("compare", LAAK, "--at", "2016-06-01", "--at", "2022-06-01", "--format", "json", "-o", out)
    assert proc.returncode == 1, proc.stderr
    cmp = json.loads(out.read_text(encoding="utf-8"))
    assert [p["case"] for p in cmp["parts"]] == ["staedion", "vestia", "duwo"]
    l5 = next(c for c in cmp["parts"][0]["components"] if c["id"] == "L5")
    verdict = next(ch for ch in l5["changes"] if ch["field"] == "verdict")
    assert (verdict["from"], verdict["to"]) == ("forbidden", "daeb")


def test_schema_describes_both_case_formats():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(run("schema", "case").stdout)
    assert schema["title"] == "Case" and len(schema["anyOf"]) == 2
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in [LAAK, KANALENEILAND, ROOT / "cases" / "laak-2016.yaml"]:
        data = json.loads(json.dumps(load_any_case(path).canonical()))
        assert not list(validator.iter_errors(data)), path
    broken = json.loads(json.dumps(load_any_case(LAAK).canonical()))
    broken["components"][0]["carried_by"] = "Not An Id"
    assert list(validator.iter_errors(broken))


def test_coalition_memos_in_reports_are_current(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from woningwet_engine.cli import main

    monkeypatch.chdir(ROOT)  # memos name their case file relative to the project root
    r = CliRunner().invoke(main, ["report-all", "--cases", "cases/coalition", "-o", str(tmp_path)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    fresh = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(fresh) == sorted(f"{p.stem}.nl.{fmt}" for p in COALITION_CASES for fmt in ("md", "html"))
    stale = [n for n, data in fresh.items() if (ROOT / "reports" / "coalition" / n).read_bytes() != data]
    assert not stale, f"stale memos {stale}: run `bash scripts/run`"


def test_web_api_and_pages_take_coalition_cases(tmp_path):
    from urllib.parse import urlencode

    from click.testing import CliRunner
    from webhelpers import Server

    from woningwet_engine.cli import main

    srv = Server(tmp_path)
    try:
        expected = CliRunner().invoke(main, ["check", str(LAAK), "--format", "json"]).stdout_bytes
        status, headers, body = srv.post("/api/check", LAAK.read_bytes())
        assert status == 200 and body == expected
        assert headers["x-woningwet-compliant"] == "false"
        status, _, body = srv.post("/api/report?format=md", LAAK.read_bytes())
        assert status == 200 and "Stichting MOOI" in body.decode("utf-8")
        form = urlencode({"name": "laak-coalitie.yaml", "case": LAAK.read_text(encoding="utf-8"), "lang": "nl"})
        status, _, page = srv.request("POST", "/check", form.encode("utf-8"),
                                      {"content-type": "application/x-www-form-urlencoded"})
        html = page.decode("utf-8")
        assert status == 200, html[:500]
        assert "Gemeente Den Haag" in html and 'data-component="L2.duwo"' in html
    finally:
        srv.stop()

"""`woningwet rules check`: the static analysis of the rulebook, on the real rulebook and on fixtures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from woningwet_engine.cli import main
from woningwet_engine.conditions.evaluator import Tri, evaluate
from woningwet_engine.errors import InputError
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.rulebook.model import LegalBasis
from woningwet_engine.rulebook import static_check as sc

FIXTURES = Path(__file__).parent / "fixtures" / "broken-rulebook"
BROKEN = FIXTURES / "analysis"
NO_COVERAGE = Path("/nonexistent/.rule-coverage.json")


@pytest.fixture(scope="module")
def broken_report():
    book = load_rulebook(BROKEN)
    return book, sc.check_rulebook(book, [], NO_COVERAGE)


def _subjects(report, kind):
    return {f.subject for f in report.findings if f.kind == kind and f.severity == "error"}


def test_real_rulebook_passes_the_gate():
    """CI gate: the project's rulebook has no unexplained gap, conflict, dead rule or bad citation."""
    res = CliRunner().invoke(main, ["rules", "check", "--coverage", str(NO_COVERAGE)])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1].startswith("ok: 0 error(s)")


def test_broken_fixture_fails_with_exit_1():
    res = CliRunner().invoke(main, ["rules", "check", "--rules", str(BROKEN), "--coverage", str(NO_COVERAGE)])
    assert res.exit_code == 1
    assert "FAIL" in res.output.splitlines()[-1]


def test_gap_found_with_a_deciding_example(broken_report):
    book, report = broken_report
    gaps = [f for f in report.findings if f.kind == "gap" and f.subject == "dwelling/build"]
    assert len(gaps) == 1
    gap = gaps[0]
    # the example is a real counter-example: the rent is above the limit, and no verdict rule fires on it
    limit = book.at(gap.period[0]).values["rent_limit"]
    assert gap.example["rent"] > limit
    fact = dict(gap.example, object="dwelling", activity="build", kind="component", id="x")
    for cr in book.at(gap.period[0]).rules:
        for b in sc.branches_of(cr):
            if b.verdict:
                assert evaluate(b.root, fact, book.at(gap.period[0]).values) is not Tri.TRUE
    # a dwelling that is built at or below the limit is decided, so the gap is exactly the upper side
    assert gap.period == (dt.date(2015, 7, 1), dt.date(2016, 12, 31))
    # renting out or selling a dwelling is not decided by any rule of this fixture either
    assert "dwelling/sell" in _subjects(report, "gap")
    assert "public_space/build" not in _subjects(report, "gap")


def test_conflict_overridden_unreachable_citation(broken_report):
    _, report = broken_report
    assert _subjects(report, "conflict") == {"GEB-02.a#then + GEB-02.b#then"}
    assert _subjects(report, "overridden") == {"LFB-05#then"}
    assert _subjects(report, "unreachable") == {"BOG-02#else"}
    cites = [f for f in report.findings if f.kind == "citation"]
    assert [f.subject for f in cites] == ["MV-01"] and "Woningwet" in cites[0].message


def test_undefined_parameter_period_is_refused_naming_file_and_field():
    res = CliRunner().invoke(main, ["rules", "check", "--rules", str(FIXTURES / "param-period")])
    assert res.exit_code == 2
    assert "param-period/daeb.yaml:10 [rules.0]" in res.output
    assert "rent_limit" in res.output and "2016-01-01" in res.output
    assert "Traceback" not in res.output


def test_parameter_check_itself_finds_the_missing_period():
    book = load_rulebook(BROKEN)
    pf = book.params["rent_limit"]
    truncated = pf.model_copy(update={"values": pf.values[:1]})
    broken = dataclasses.replace(book, params=dict(book.params, rent_limit=truncated))
    found = sc.check_parameters(broken)
    assert [(f.kind, f.subject) for f in found] == [("parameter", "DAEB-01.gap")]
    assert found[0].period == (dt.date(2016, 1, 1), dt.date(2016, 12, 31))
    nulled = pf.model_copy(update={"values": [pf.values[0], pf.values[1].model_copy(update={"value": None})]})
    gap_book = dataclasses.replace(book, params=dict(book.params, rent_limit=nulled))
    assert [f.kind for f in sc.check_parameters(gap_book)] == ["notice"]
    assert "declared gap" in sc.check_parameters(gap_book)[0].message


def test_a_bounded_parameter_is_named_as_bounded_not_as_a_gap():
    found = [f for f in sc.check_parameters(load_rulebook()) if f.subject == "SCH-01"]
    assert found and all(f.kind == "notice" and "bounded only (an interval)" in f.message for f in found)
    assert {f.period[0] for f in found} == {dt.date(2020, 1, 1), dt.date(2022, 5, 1)}  # verlicht_max_turnover


def test_citation_checks():
    ok = LegalBasis(bwb="BWBR0036702", name="BTIV", article="49", lid="1")
    assert sc._citation_problems(ok, dt.date(2015, 7, 1), set()) == []
    assert "before it took effect" in sc._citation_problems(ok, dt.date(2014, 1, 1), set())[0]
    unknown = LegalBasis(bwb="BWBR9999999", name="Nepwet", article="1")
    assert "unknown regulation" in sc._citation_problems(unknown, dt.date(2016, 1, 1), set())[0]
    no_lid = LegalBasis(bwb="BWBR0005181", name="Woningwet", article="45", onderdeel="a")
    assert sc._citation_problems(no_lid, dt.date(2016, 1, 1), set()) == []
    assert "without a lid" in sc._citation_problems(no_lid, dt.date(2016, 1, 1), {("BWBR0005181", "45")})[0]


def test_allow_list_accepts_named_findings_and_reports_stale_entries(tmp_path):
    allow = tmp_path / "allow.yaml"
    allow.write_text(
        "allow:\n"
        "  - {kind: gap, object: '*', activity: '*', reason: 'fixture: every undecided combination is accepted'}\n"
        "  - {kind: conflict, rule: 'GEB-02.a#then + GEB-02.b#then', reason: 'fixture: parties deliberately differ'}\n"
        "  - {kind: overridden, rule: LFB-05, reason: 'fixture: kept to show the override'}\n"
        "  - {kind: unreachable, rule: BOG-02#else, reason: 'fixture: dead on purpose'}\n"
        "  - {kind: citation, rule: MV-01, reason: 'fixture: wrong name on purpose'}\n"
        "  - {kind: gap, object: mv, activity: build, valid_to: 2014-12-31, reason: 'before coverage: matches nothing'}\n",
        encoding="utf-8")
    res = CliRunner().invoke(main, ["rules", "check", "--rules", str(BROKEN), "--allow", str(allow),
                                    "--coverage", str(NO_COVERAGE), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["ok"] is True and data["stats"]["allowed"] > 5
    stale = [f for f in data["findings"] if f["kind"] == "notice" and "matches nothing" in f["message"]]
    assert [f["subject"] for f in stale] == ["mv/build"]


@pytest.mark.parametrize("text, field", [
    ("allow:\n  - {kind: gapp, object: mv, activity: build, reason: 'a reason that is long'}\n", "allow.0.kind"),
    ("allow:\n  - {kind: gap, object: mv, activity: build, reason: ''}\n", "allow.0.reason"),
    ("allow:\n  - {kind: gap, object: house, activity: build, reason: 'a reason that is long'}\n", "allow.0"),
    ("allow:\n  - {kind: unreachable, reason: 'a reason that is long'}\n", "allow.0.rule"),
    ("allowed: []\n", "allow"),
])
def test_bad_allow_list_is_an_input_error(tmp_path, text, field):
    allow = tmp_path / "check-allow.yaml"
    allow.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        sc.load_allow(allow)
    assert exc.value.problems[0].path == field and exc.value.problems[0].file == str(allow)
    res = CliRunner().invoke(main, ["rules", "check", "--rules", str(BROKEN), "--allow", str(allow)])
    assert res.exit_code == 2 and str(allow) in res.output


def test_coverage_file_untested_rules(tmp_path):
    book = load_rulebook(BROKEN)
    rules = {cr.rule.id: {"fired_by": {"t::a": ["then"]}, "branches_fired": ["then"], "not_fired_by": []}
             for cr in book.rules}
    rules["LFB-05"]["fired_by"] = {}
    cov = tmp_path / ".rule-coverage.json"
    cov.write_text(json.dumps({"version": 1, "complete": True, "rulebook_sha256": book.sha256, "rules": rules}))
    found = sc.check_coverage(book, cov)
    assert [(f.kind, f.subject) for f in found] == [("untested", "LFB-05")]
    cov.write_text(json.dumps({"version": 1, "complete": False, "rulebook_sha256": book.sha256, "rules": rules}))
    assert [f.kind for f in sc.check_coverage(book, cov)] == ["notice"]
    assert [f.kind for f in sc.check_coverage(book, tmp_path / "absent.json")] == ["notice"]


def test_bitset_analysis_matches_brute_force():
    """The big-int analysis of one combination agrees with evaluating every vector one by one."""
    book = load_rulebook()
    for day, obj, act in [(dt.date(2016, 9, 1), "dwelling", "build"), (dt.date(2016, 9, 1), "bog", "acquire"),
                          (dt.date(2023, 1, 1), "mv", "sell"), (dt.date(2019, 1, 1), "parking", "build")]:
        sel = book.at(day)
        vb = [b for cr in sel.rules if cr.rule.scope == "component" for b in sc.branches_of(cr) if b.verdict]
        reads = {f for b in vb for f in b.facts}
        for fixed in sc._variants(obj, act, reads):
            relevant = [b for b in vb if evaluate(b.root, fixed, sel.values) is not Tri.FALSE]
            gap, per_branch, _, wide = sc._analyse_combo(relevant, fixed, sel.values, sc.MAX_SPACE)
            assert not wide
            roots = {b.name: sc.simplify(b.root, fixed, sel.values) for b in relevant}
            domains = sc.fact_domains(list(roots.values()), sel.values, sc.COMPONENT_FIELDS)
            if fixed.get("regio_designated") is False and "in_regio" in domains:
                domains["in_regio"] = [None]
            vectors, sampled = sc._vectors(fixed, {k: v for k, v in domains.items() if k not in fixed}, "t", 10**7)
            assert not sampled
            brute_gap = False
            fired_any: set[str] = set()
            for v in vectors:
                fired = {b.name for b in relevant if evaluate(b.root, v, sel.values) is Tri.TRUE}
                brute_gap = brute_gap or not fired
                fired_any |= fired
            assert (gap is not None) == brute_gap, (day, obj, act, fixed)
            assert set(per_branch) == fired_any, (day, obj, act, fixed)


def test_known_regulations_are_data_and_an_unknown_one_is_named():
    regs = sc.known_regulations()
    assert regs["BWBR0014315"] == (("Uitvoeringswet huurprijzen woonruimte",), dt.date(2003, 7, 1))
    assert sc.REGULATIONS_FILE.name == "regulations.yaml" and sc.REGULATIONS_FILE.is_file()
    unknown = LegalBasis(bwb="BWBR0099999", name="Some Act", article="1")
    assert any("unknown regulation BWBR0099999" in m for m in sc._citation_problems(unknown, dt.date(2016, 1, 1), set()))
    assert sc._citation_problems(LegalBasis(bwb="BWBR0015386", name="Uitvoeringsregeling huurprijzen woonruimte",
                                            article="2"), dt.date(2024, 7, 1), set()) == []


def test_the_no_rule_reason_rests_on_the_basis_the_rulebook_declares(tmp_path):
    import shutil

    from woningwet_engine.engine import judge
    from woningwet_engine.rulebook.loader import DEFAULT_RULES_DIR
    from rulehelpers import component, make_case

    case = make_case("2016-06-01", [component(object="land", activity="let")])
    reason = next(r for r in judge(case, load_rulebook()).components[0].reasons if r.effect == "undetermined")
    assert (reason.rule, reason.citation.article, reason.citation.lid, reason.citation.onderdelen) == (
        "GEB-02", "45", "2", "a-i")
    root = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, root)
    meta = root / "rulebook.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace('lid: "2", onderdelen: a-i', 'lid: "1"'), encoding="utf-8")
    other = next(r for r in judge(case, load_rulebook(root)).components[0].reasons if r.effect == "undetermined")
    assert (other.citation.article, other.citation.lid, other.citation.onderdelen) == ("45", "1", None)

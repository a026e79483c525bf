"""Every rule of the rulebook must fire in some test and not fire in another (issue 3 item 8).

conftest.py orders this module last and records, per test, which rules fired and which were
evaluated on a fact they are about without firing. The check is enforced on a run of the whole
suite only; a partial run (one file, -k, ...) skips it.
"""

from __future__ import annotations

import pytest

from woningwet_engine import coverage
from woningwet_engine.rulebook import load_rulebook


def test_every_rule_fires_and_does_not_fire(rule_coverage_state):
    if not rule_coverage_state.full_run:
        pytest.skip(f"rule coverage is enforced on the whole suite only ({rule_coverage_state.why_partial})")
    book = load_rulebook()
    report = coverage.build_report(rule_coverage_state.recorder, book, complete=True)
    gaps = report["gaps"]
    lines = [f"{rid}: no test makes it {' and none makes it '.join(m)}" for rid, m in gaps.items()]
    assert not gaps, f"{len(gaps)} rule(s) lack scenario tests:\n" + "\n".join(lines)


def test_recorder_attributes_fired_and_not_fired_rules_to_the_current_test():
    """The recorder itself: a DAEB rental dwelling fires DAEB-01.b's then-branch, a dwelling above
    the limit fires its else-branch; leefbaarheid spending is not counted as a non-firing test of the
    markttoets rule MT-01, which is only about building and acquiring."""
    from rulehelpers import judge_one

    rec = coverage.Recorder(current="t-low")
    previous = coverage.installed()
    coverage.install(rec)
    try:
        judge_one("2016-03-01", dwelling={"rent": "700.00"})
        rec.current = "t-high"
        judge_one("2016-03-01", dwelling={"rent": "900.00"})
        rec.current = "t-lfb"
        judge_one("2016-03-01", object="leefbaarheid", agreed=True)
    finally:
        coverage.install(previous)
    assert rec.fired["DAEB-01.b"] == {"t-low": {"then"}, "t-high": {"else"}}
    assert "t-lfb" not in rec.not_fired.get("MT-01", set())
    # MT-01 (non-DAEB new build) does not fire on the DAEB dwelling, and that dwelling is about it
    assert "t-low" in rec.not_fired["MT-01"] and "t-high" in rec.fired["MT-01"]


def test_report_gaps_and_cli(tmp_path):
    from click.testing import CliRunner

    from woningwet_engine.cli import main

    book = load_rulebook()
    rec = coverage.Recorder()
    rid = book.rules[0].rule.id
    rec.fired[rid] = {"t1": {"then"}}
    rec.not_fired[rid] = {"t2"}
    report = coverage.build_report(rec, book, complete=False)
    assert rid not in report["gaps"]
    other = book.rules[1].rule.id
    assert report["gaps"][other] == ["fire", "not-fire"]
    path = tmp_path / "cov.json"
    coverage.write_report(report, path)
    res = CliRunner().invoke(main, ["rules", "coverage", "--file", str(path)])
    assert res.exit_code == 1
    assert f"ok  {rid}" in res.output and f"GAP {other}" in res.output and "partial test run" in res.output
    assert "out of scope" in res.output and "MT-09" in report["out_of_scope"]
    res = CliRunner().invoke(main, ["rules", "coverage", "--file", str(tmp_path / "absent.json")])
    assert res.exit_code == 2 and "run the test suite first" in res.output


def test_partial_run_skips_the_check_and_keeps_the_last_full_report(tmp_path):
    """Running one file must not enforce coverage nor overwrite the report of the last full run."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    report = root / coverage.REPORT_FILE
    before = report.stat().st_mtime_ns if report.exists() else None
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/test_rule_coverage.py::test_every_rule_fires_and_does_not_fire",
         "tests/test_rule_coverage.py::test_report_gaps_and_cli"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "SKIPPED [1]" in proc.stdout and "whole suite only" in proc.stdout
    after = report.stat().st_mtime_ns if report.exists() else None
    assert after == before

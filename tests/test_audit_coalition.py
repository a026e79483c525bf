"""Coalition cases in the decision log (issue #14): `check --record` and `report --record` record a
coalition case with its audit context and the hash of the memo it wrote; the record verifies, replays
identical (exit 0), shows in words in `audit show` and `audit list`, and `audit diff` (single-corporation
records only) refuses it cleanly. Records of single-corporation cases in the same log are unchanged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from woningwet_engine.audit.log import DecisionLog
from woningwet_engine.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAAK = ROOT / "cases" / "coalition" / "laak-coalitie.yaml"
FASEN = ROOT / "cases" / "coalition" / "kanaleneiland-fasen.yaml"
KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"


def run(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], **kw)


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    """A log with: 1 a coalition `check -o` with context, 2 a coalition `report` memo, 3 a single case."""
    tmp = tmp_path_factory.mktemp("coalition-log")
    path = tmp / "log.sqlite"
    out = tmp / "laak.json"
    plain = run("check", LAAK, "--format", "json")
    res = run("check", LAAK, "--format", "json", "-o", out, "--record", "--log", path,
              "--by", "A. Adviseur", "--purpose", "toets coalitie", "--board-decision", "RvC 2016-05 besluit 3")
    assert res.exit_code == plain.exit_code == 1, res.output  # not compliant, as without --record
    assert out.read_bytes() == plain.stdout_bytes, "recording does not change the output"
    assert "beslissing 1 vastgelegd (laak-coalitie" in res.stderr
    memo = tmp / "fasen.md"
    res = run("report", FASEN, "-o", memo, "--record", "--log", path, "--by", "B. Bestuurder")
    assert res.exit_code == 0, res.output
    res = run("check", KANALENEILAND, "-q", "--record", "--log", path)
    assert res.exit_code == 1, res.output
    return {"path": path, "out": out, "memo": memo, "tmp": tmp}


def test_a_coalition_record_carries_its_result_context_and_memo_hash(log):
    with DecisionLog.open(log["path"]) as dlog:
        rec = dlog.get(1)
        memo_rec = dlog.get(2)
    assert rec["result_json"].encode() == log["out"].read_bytes()
    assert json.loads(rec["result_json"])["kind"] == "coalition" and rec["case_id"] == "laak-coalitie"
    context = json.loads(rec["context"])
    assert context["by"] == "A. Adviseur" and context["by_self_declared"] is True
    assert context["purpose"] == "toets coalitie" and context["board_decision"] == "RvC 2016-05 besluit 3"
    (written,) = context["memos"]
    assert written["sha256"] == hashlib.sha256(log["out"].read_bytes()).hexdigest()
    (memo,) = json.loads(memo_rec["context"])["memos"]
    assert memo["format"] == "md" and memo["sha256"] == hashlib.sha256(log["memo"].read_bytes()).hexdigest()


def test_the_log_verifies_and_every_record_replays_identical(log):
    res = run("audit", "verify", "--log", log["path"])
    assert res.exit_code == 0 and "3 beslissing(en), keten intact" in res.output, res.output
    res = run("audit", "replay", "--all", "--log", log["path"])
    assert res.exit_code == 0 and "3 identiek" in res.output, res.output
    for rid in (1, 2):
        res = run("audit", "replay", str(rid), "--log", log["path"])
        assert res.exit_code == 0 and f"beslissing {rid}: identiek" in res.output, res.output
    res = run("audit", "replay", "1", "--log", log["path"], "--lang", "en")
    assert res.exit_code == 0 and "record 1: identical" in res.output and "A. Adviseur" in res.output


def test_show_and_list_name_the_coalition_record_in_words(log):
    res = run("audit", "show", "1", "--log", log["path"])
    assert res.exit_code == 0, res.output
    assert "Uitgevoerd door:" in res.output and "A. Adviseur (zelf opgegeven, niet geverifieerd)" in res.output
    assert "Coalitie Laak" in res.output and "Coalitie conform: nee" in res.output  # the coalition view
    listing = run("audit", "list", "--log", log["path"])
    lines = listing.output.splitlines()
    assert lines[0].startswith("1  ") and "laak-coalitie" in lines[0] and "niet conform" in lines[0]
    assert "kanaleneiland-fasen" in lines[1] and "woningwet report (memo)" in lines[1]
    res = run("audit", "verify-memo", log["memo"], "--log", log["path"])
    assert res.exit_code == 0 and "de memo van beslissing 2 (kanaleneiland-fasen" in res.output, res.output


def test_diff_refuses_a_coalition_record_and_still_diffs_a_single_case(log):
    res = run("audit", "diff", "1", "--at", "2022-06-01", "--log", log["path"])
    assert res.exit_code == 2 and "[beslissing 1]" in res.stderr and "audit replay" in res.stderr, res.output
    res = run("audit", "diff", "3", "--at", "2022-06-01", "--log", log["path"])
    assert res.exit_code in (0, 1), res.output


def test_a_bad_context_records_no_coalition_decision(tmp_path):
    path, out = tmp_path / "log.sqlite", tmp_path / "out.json"
    res = run("check", LAAK, "-o", out, "--record", "--log", path, "--by", "Jan\nde Vries")
    assert res.exit_code == 2 and "--by" in res.stderr
    assert not path.exists() and not out.exists()

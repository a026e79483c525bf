"""Command-line conventions: -h on every command, '-' reads the case from standard input, --quiet prints
nothing, --fail-on chooses when to exit 1 (default unchanged), schemas carry an $id with project and version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from woningwet_engine import __version__
from woningwet_engine.cli import main

ROOT = Path(__file__).resolve().parents[1]
LAAK = ROOT / "cases" / "laak-2016.yaml"  # forbidden components: not compliant
ROTTERDAM = ROOT / "cases" / "rotterdam-zuid-2024.yaml"  # not compliant, nothing forbidden


def run(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "woningwet_engine.cli", *args], input=stdin, capture_output=True,
                          timeout=120)


@pytest.mark.parametrize("command", [[], ["check"], ["report"], ["report-all"], ["rules"], ["rules", "list"],
                                     ["audit"], ["compare"], ["schema", "case"]])
def test_dash_h_is_help_everywhere(command):
    r = CliRunner().invoke(main, [*command, "-h"])
    assert r.exit_code == 0 and r.output.startswith("Usage: "), r.output


def test_dash_reads_the_case_from_standard_input():
    piped = run("check", "-", "--format", "json", stdin=LAAK.read_bytes())
    direct = run("check", str(LAAK), "--format", "json")
    assert piped.returncode == direct.returncode == 1
    a, b = json.loads(piped.stdout), json.loads(direct.stdout)
    assert a["components"] == b["components"] and a["summary"] == b["summary"]
    bad = run("check", "-", stdin=b"case_id: [oops\n")
    assert bad.returncode == 2 and b"<stdin>" in bad.stderr


def test_quiet_prints_nothing_and_keeps_the_exit_code():
    r = run("check", str(LAAK), "--quiet")
    assert r.returncode == 1 and r.stdout == b""


def test_fail_on_chooses_when_to_exit_1():
    assert run("check", str(ROTTERDAM), "-q").returncode == 1  # the default: not compliant
    assert run("check", str(ROTTERDAM), "-q", "--fail-on", "forbidden").returncode == 0  # nothing forbidden
    assert run("check", str(LAAK), "-q", "--fail-on", "forbidden").returncode == 1
    assert run("check", str(LAAK), "-q", "--fail-on", "never").returncode == 0
    assert run("check", str(LAAK), "-q", "--fail-on", "never", "--at", "13-01-2016").returncode == 2


def test_schemas_have_an_id_with_project_and_version():
    for what in ("case", "result"):
        r = CliRunner().invoke(main, ["schema", what])
        schema = json.loads(r.output)
        assert schema["$id"] == f"urn:woningwet-engine:{__version__}:schema:{what}"


def test_an_80_column_table_wraps_without_cutting_words():
    r = run("check", str(ROOT / "cases" / "kanaleneiland-2016.yaml"), "--width", "80")
    text = r.stdout.decode("utf-8")
    assert r.returncode == 1 and all(len(line) <= 80 for line in text.splitlines()), \
        [l for l in text.splitlines() if len(l) > 80]
    words = {w for line in text.splitlines() for w in line.split()}
    # every word of every component title appears whole
    import yaml

    case = yaml.safe_load((ROOT / "cases" / "kanaleneiland-2016.yaml").read_text(encoding="utf-8"))
    for comp in case["components"]:
        for w in comp["title"].split():
            assert w in words, w
    outcome = text.rstrip().split("\n\n")[-1].splitlines()
    assert any(line.startswith("Het plan voldoet niet (niet conform: 4;") for line in outcome[-2:])
    assert "nog niet te beoordelen: 3" in " ".join(outcome)


def _words(text: str) -> list[str]:
    return " ".join(text.split()).split(" ")


@pytest.mark.parametrize("args", [
    ["check", "cases/coalition/laak-coalitie.yaml"],
    ["check", "cases/coalition/kanaleneiland-fasen.yaml"],
    ["compare", "cases/kanaleneiland-2016.yaml", "--at", "2016-06-01", "--at", "2022-06-01", "-v"],
    ["compare", "cases/coalition/laak-coalitie.yaml", "--at", "2016-06-01", "--at", "2022-06-01", "-v"],
], ids=["coalition-laak", "coalition-kanaleneiland", "compare-verbose", "compare-coalition"])
def test_coalition_views_and_comparisons_fit_80_columns(args):
    """Every line of the coalition view and of `compare -v` fits 80 columns; wrapping loses no word
    and changes no word order (the same text as at 1000 columns, with other line breaks)."""
    argv = [a if not a.startswith("cases/") else str(ROOT / a) for a in args]
    narrow, wide = run(*argv, "--width", "80"), run(*argv, "--width", "1000")
    assert narrow.returncode == wide.returncode and narrow.returncode in (0, 1), narrow.stderr
    text = narrow.stdout.decode("utf-8")
    assert all(len(line) <= 80 for line in text.splitlines()), [l for l in text.splitlines() if len(l) > 80]
    assert max(len(line) for line in wide.stdout.decode("utf-8").splitlines()) > 80  # there was something to wrap
    if args[0] == "compare":  # the table of `check` is laid out anew for the width; prose only re-wraps
        assert _words(text) == _words(wide.stdout.decode("utf-8"))

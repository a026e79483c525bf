"""The `woningwet` command: exit codes, JSON output, clear input errors, nothing half-written."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "cases" / "kanaleneiland-2016.yaml"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "woningwet_engine.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_check_json_for_all_components_twice_identical(tmp_path):
    first = run("check", str(SAMPLE), "--format", "json")
    second = run("check", str(SAMPLE), "--format", "json")
    assert first.returncode == 1  # K8, K9, K11 and K16 are forbidden in 2016
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert len(data["components"]) == 17
    assert set(data) >= {"case", "date", "components", "plan", "provenance"}
    for comp in data["components"]:
        assert comp["reasons"][0]["citation"]["url"].startswith("https://wetten.overheid.nl/")


def test_output_file_and_text_table(tmp_path):
    out = tmp_path / "r.json"
    proc = run("check", str(SAMPLE), "--format", "json", "-o", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["case"] == "kanaleneiland-2016"
    table = run("check", str(SAMPLE), "--lang", "en")
    assert "K4 Nieuwbouw 100" in table.stdout and "non-DAEB" in table.stdout
    assert "non_daeb" not in table.stdout and table.stdout.rstrip().splitlines()[-1].startswith("The plan does not comply (not compliant: 4;")


def test_bad_case_exits_2_names_the_field_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.read_text().replace("units: 600", "units: lots"))
    out = tmp_path / "out.json"
    proc = run("check", str(bad), "--format", "json", "-o", str(out))
    assert proc.returncode == 2
    assert "components.0.units" in proc.stderr and str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.json*"))


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: [oops\n")
    proc = run("check", str(bad))
    assert proc.returncode == 2 and "ongeldige YAML" in proc.stderr  # problems are said in Dutch by default
    proc = run("check", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2 and "bestand niet te lezen" in proc.stderr


def test_bad_at_date():
    proc = run("check", str(SAMPLE), "--at", "2016-13-01")
    assert proc.returncode == 2 and "geen datum (verwacht: JJJJ-MM-DD)" in proc.stderr


def test_all_allowed_exits_0(tmp_path):
    case = tmp_path / "ok.yaml"
    lines = SAMPLE.read_text().split("\n  - id: K4")[0].replace("covers: [K1, K2, K3, K10, K17]", "covers: [K1]")
    case.write_text(lines + "\n")
    proc = run("check", str(case))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rules_commands():
    proc = run("rules", "validate")
    assert proc.returncode == 0 and proc.stdout.startswith("ok:")
    listed = run("rules", "list", "--at", "2022-06-01").stdout
    assert "LFB-06" in listed and "MT-01 " not in listed
    shown = run("rules", "show", "DAEB-01.b", "--at", "2016-06-01")
    assert "jci1.3:c:BWBR0005181&artikel=47&lid=1&o=b&z=2016-06-01" in shown.stdout
    assert run("rules", "show", "NOPE-01").returncode == 2


def test_schema_case_is_json():
    schema = json.loads(run("schema", "case").stdout)
    assert schema["title"] == "Case"

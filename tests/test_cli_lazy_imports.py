"""Each command imports what it needs and no more: `check` loads no memo, web, stock, comparison or
decision-log code (and no jinja2 or SQLite), so its start-up stays short (docs/benchmarks.md).

The probe runs the real command in a child process through click (as the console script does) and
lists the modules loaded when the command ends; the report command is the positive control: the
same probe sees jinja2 and the memo package there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"

PROBE = r"""
import json, sys
from woningwet_engine.cli import main
out, args = sys.argv[1], sys.argv[2:]
try:
    main.main(args=args, prog_name="woningwet", standalone_mode=False)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""

# modules (or packages: a name covers everything below it) that `check` must never load; the text
# table takes the memo's labels from report.model, but not its templates or pictures
NOT_FOR_CHECK = ("jinja2", "sqlite3", "cryptography", "woningwet_engine.report.cli", "woningwet_engine.report.svg",
                 "woningwet_engine.report.templatecache", "woningwet_engine.web",
                 "woningwet_engine.stock", "woningwet_engine.compare", "woningwet_engine.compare_cli",
                 "woningwet_engine.audit.log", "woningwet_engine.audit.replay", "woningwet_engine.coalition.judge",
                 "woningwet_engine.coalition.model", "woningwet_engine.coalition.report", "http.server")


def loaded_by(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", PROBE, str(out), *args], env=env, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert out.exists(), proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    return data["code"], set(data["modules"])


def offending(modules: set[str], names) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_check_loads_no_memo_web_stock_or_log_code(tmp_path, fmt):
    code, modules = loaded_by(tmp_path, "check", str(CASE), "--format", fmt, "-o", str(tmp_path / "out"))
    assert code == 1 and (tmp_path / "out").stat().st_size > 1000  # the case was judged and written
    assert "woningwet_engine.pipeline" in modules
    assert offending(modules, NOT_FOR_CHECK) == []
    # the text table and its labels only when a table is asked for
    assert ("woningwet_engine.textout" in modules) == (fmt == "text")
    assert ("woningwet_engine.report" in modules) == (fmt == "text")


def test_the_probe_sees_what_a_command_imports(tmp_path):
    code, modules = loaded_by(tmp_path, "report", str(CASE), "--format", "html", "-o", str(tmp_path / "m.html"))
    assert code in (0, None) and (tmp_path / "m.html").exists()
    assert {"jinja2", "woningwet_engine.report.svg"} <= set(offending(modules, NOT_FOR_CHECK))


def test_a_warm_check_does_not_import_pyyaml(tmp_path):
    """The case's parse and the sentence catalogues are read back from the cache directory, so PyYAML
    (~23 M instructions to import) is loaded only by a run that parses something."""
    args = ("check", str(CASE), "--format", "json", "-o", str(tmp_path / "out"))
    code, modules = loaded_by(tmp_path, *args)  # fills the caches
    assert code == 1 and "yaml" in modules and "woningwet_engine.yamlparse" in modules
    code, modules = loaded_by(tmp_path, *args)
    assert code == 1 and (tmp_path / "out").stat().st_size > 1000
    assert offending(modules, ("yaml", "_yaml", "woningwet_engine.yamlparse")) == []

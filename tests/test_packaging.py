"""The wheel carries the rulebook (issue #17): `pip install .` into a fresh virtual environment, then
`woningwet check <abs path>/cases/kanaleneiland-2016.yaml` from an empty directory gives the same
result as the source tree. One pip install, with the Python that runs the tests: CI runs the suite
on Python 3.13 and 3.11 too (scripts/test), so the install is checked on each. pip's wheel cache
makes the durable-rules build a one-time cost. Slow-ish (tens of seconds): the only test that installs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"
# durable-rules 2.0.28 calls PyEval_CallObject, removed in Python 3.13 (../shared/engineering/durable-rules.md)
BUILD_ENV = {"CPPFLAGS": "-DPyEval_CallObject=PyObject_CallObject"}


def _source_copy(dest: Path) -> Path:
    """The committed-looking tree (no .venv, caches or build output), so the build sees only sources."""
    ignore = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache",
                                    ".hypothesis", "*.sqlite*", ".rule-coverage.json", "reports")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def test_fresh_venv_install_runs_check_from_an_empty_directory(tmp_path):
    src = _source_copy(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          str(src)], capture_output=True, text=True, env=dict(os.environ, **BUILD_ENV), timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    shutil.rmtree(src)  # the installed package must not need the source tree
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WONINGWET_", "PYTHON"))}
    env["WONINGWET_NO_CACHE"] = "1"
    run = subprocess.run([str(venv / "bin" / "woningwet"), "check", str(CASE), "--format", "json"], cwd=empty,
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode in (0, 1), run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    result = json.loads(run.stdout)
    assert result["case"] == "kanaleneiland-2016" and result["components"]
    here = subprocess.run([sys.executable, "-m", "woningwet_engine.cli", "check", str(CASE), "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.stdout == here.stdout, "the installed wheel judges exactly as the source tree (same rulebook hash)"
    assert list(empty.iterdir()) == [], "check writes nothing in the working directory"

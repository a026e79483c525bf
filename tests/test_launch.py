"""The console script enters through woningwet_engine.launch: the collector is paused and the compile
cache installed before woningwet_engine.cli (click, the errors' dataclasses) is imported."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import sys
seen = {}

class Probe:
    def find_spec(self, name, path=None, target=None):
        if name == "woningwet_engine.cli" and not seen:
            import gc
            from woningwet_engine import compilecache
            seen.update(gc=gc.isenabled(), installed=compilecache._installed, click="click" in sys.modules)
        return None

sys.meta_path.insert(0, Probe())
sys.argv = ["woningwet", "--version"]
from woningwet_engine.launch import main
try:
    main()
except SystemExit as exc:
    print(exc.code, seen)
"""


def test_console_script_is_the_launcher():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["woningwet"] == "woningwet_engine.launch:main"


def test_launcher_pauses_the_collector_and_installs_the_cache_before_the_cli(tmp_path):
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("WONINGWET_NO_CACHE", None)
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "0 {'gc': False, 'installed': True, 'click': False}"


def test_launcher_runs_the_same_command_as_the_cli(tmp_path):
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    args = ["check", str(ROOT / "cases" / "kanaleneiland-2016.yaml"), "--format", "json"]
    via_cli = subprocess.run([sys.executable, "-m", "woningwet_engine.cli", *args], env=env, capture_output=True,
                             cwd=ROOT, timeout=120)
    code = "import sys; from woningwet_engine.launch import main; sys.argv[0] = 'woningwet'; main()"
    for _ in range(2):  # cold and warm caches
        via_launcher = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, cwd=ROOT,
                                      timeout=120)
        assert (via_launcher.returncode, via_launcher.stdout) == (via_cli.returncode, via_cli.stdout)

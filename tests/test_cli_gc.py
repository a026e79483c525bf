"""The command-line process pauses the cyclic garbage collector until the rulebook is loaded, then
freezes what exists and collects as usual (cli._BOOK_FIRST); other commands keep it on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import gc, json, sys
from woningwet_engine import cli
from woningwet_engine.rulebook import cache

seen = {}
real = cache.load_rulebook_cached
def load(*a, **k):
    seen["during_load"] = gc.isenabled()
    return real(*a, **k)
cache.load_rulebook_cached = load
import woningwet_engine.engine as engine
orig = engine.judge
def judge(*a, **k):
    seen["while_judging"] = gc.isenabled()
    seen["frozen"] = gc.get_freeze_count()
    return orig(*a, **k)
engine.judge = judge
import atexit, os
out = sys.argv[1]
def dump():
    with open(out, "w") as fh:
        json.dump(seen, fh)
real_exit = os._exit
def _exit(code):
    dump()
    real_exit(code)
os._exit = _exit
atexit.register(dump)
sys.argv = ["woningwet"] + sys.argv[2:]
seen["at_start"] = gc.isenabled()
try:
    cli.main()
finally:
    seen["after"] = gc.isenabled()
"""


def _probe(tmp_path, *args) -> dict:
    out = tmp_path / "seen.json"
    proc = subprocess.run([sys.executable, "-c", PROBE, str(out), *args], cwd=ROOT, capture_output=True)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return json.loads(out.read_text())


def test_check_collects_after_the_rulebook_is_loaded_and_frozen(tmp_path):
    seen = _probe(tmp_path, "check", "cases/kanaleneiland-2016.yaml", "--format", "json",
                  "-o", str(tmp_path / "r.json"))
    assert seen["at_start"] is True
    assert seen["during_load"] is False  # paused through start-up and the rulebook load
    assert seen["while_judging"] is True and seen["frozen"] > 10_000  # the rulebook is frozen, collection is on
    assert json.loads((tmp_path / "r.json").read_text())["case"]


def test_other_commands_keep_the_collector_on(tmp_path):
    seen = _probe(tmp_path, "schema", "case")
    assert seen.get("during_load") is None and seen["after"] is True

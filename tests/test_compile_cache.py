"""The CLI's table of what importing compiles (compilecache.py) gives the same classes and regular
expressions as compiling.

Each probe is a child process (the table replaces two module globals of the standard library, which
the test process must keep as they are): it imports the engine with the table installed (cold: an
empty cache directory; warm: the table the cold run wrote) or without it, and prints a fingerprint
of every dataclass's generated methods and every pydantic model's fields."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from woningwet_engine import compilecache

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"

PROBE = r"""
import dataclasses, json, re, sys
from woningwet_engine import compilecache
if sys.argv[1] == "cached":
    compilecache.install()
import pydantic
from woningwet_engine import cli, coalition, engine, result  # noqa: F401  (what `check` imports)
from woningwet_engine.coalition import load  # noqa: F401
from woningwet_engine import yamlparse  # noqa: F401  (PyYAML and its patterns: what parsing a case imports)

def shape(c):
    consts = [shape(k) if hasattr(k, "co_code") else sorted(k) if isinstance(k, frozenset) else repr(k)
              for k in c.co_consts]  # a frozenset's order differs between processes, not its members
    return [c.co_code.hex(), consts, c.co_names, c.co_varnames, c.co_filename, c.co_firstlineno]

def code(f):
    return shape(f.__code__) + [repr(f.__defaults__), repr(f.__kwdefaults__), repr(f.__annotations__)]

out = {"compiled": compilecache.compiled_this_run()}
for module in [sys.modules[m] for m in sorted(sys.modules) if m.split(".")[0] in ("woningwet_engine", "pydantic")]:
    for name, value in sorted(vars(module).items()):
        if not isinstance(value, type) or value.__module__ != module.__name__:
            continue
        if dataclasses.is_dataclass(value):  # the methods dataclasses generated (compiled from "<string>")
            made = {m: f for m, f in vars(value).items() if getattr(f, "__code__", None) is not None}
            out[f"{module.__name__}.{name}"] = {m: code(f) for m, f in sorted(made.items())
                                                 if f.__code__.co_filename == "<string>"}
        elif issubclass(value, pydantic.BaseModel):
            out[f"{module.__name__}.{name}"] = re.sub(" at 0x[0-9a-f]+", "", repr(value.model_fields))
if compilecache._installed:  # every pattern compiled so far equals the standard library's own compilation
    compiled = {**re._cache, **getattr(re, "_cache2", {})}
    out["patterns"] = len(compiled)
    out["patterns_equal"] = all(re._compiler.compile.original(p, f) == pattern for (_, p, f), pattern in compiled.items())
compilecache.save()
print(json.dumps(out))
"""


def probe(mode: str, cache: Path, **env) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, WONINGWET_CACHE_DIR=str(cache), **env), timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def table(cache: Path) -> Path:
    return cache / f"compilecache-{sys.implementation.cache_tag}.marshal"


def test_cached_code_makes_the_same_classes_as_compiling(tmp_path):
    cache = tmp_path / "cache"
    plain = probe("plain", cache)
    cold = probe("cached", cache)
    assert table(cache).exists()
    warm = probe("cached", cache)
    assert plain["compiled"] == 0  # not installed: nothing goes through the table
    assert cold["compiled"] > 300  # dataclass methods, forward references, patterns of the engine's imports
    assert warm["compiled"] == 0  # every one found in the table
    for run in (cold, warm):
        assert run.pop("patterns") > 40 and run.pop("patterns_equal") is True
        run.pop("compiled")
    plain.pop("compiled")
    assert len(plain) > 150
    assert cold == plain
    assert warm == plain


def test_a_damaged_or_foreign_table_is_not_used(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    table(cache).write_bytes(compilecache._header() + b"\x00not marshal data")
    table(cache).chmod(0o600)
    assert probe("cached", cache)["compiled"] > 300  # compiled as without the table, and written back
    assert probe("cached", cache)["compiled"] == 0
    table(cache).chmod(0o666)  # others could write it: code from it is never run
    assert probe("cached", cache)["compiled"] > 300
    assert probe("cached", cache, WONINGWET_NO_CACHE="1")["compiled"] == 0  # caches off: not installed


def test_the_cli_writes_the_table_once_and_prints_the_same_bytes(tmp_path):
    cache = tmp_path / "cache"

    def check(**env):
        proc = subprocess.run([sys.executable, "-m", "woningwet_engine.cli", "check", str(CASE), "--format", "json"],
                              capture_output=True, cwd=ROOT, timeout=300,
                              env=dict(os.environ, WONINGWET_CACHE_DIR=str(cache), **env))
        assert proc.returncode in (0, 1), proc.stderr
        return proc.stdout

    uncached = check(WONINGWET_NO_CACHE="1")
    assert not table(cache).exists()
    first = check()
    written = table(cache).stat()
    second = check()
    assert table(cache).stat().st_mtime_ns == written.st_mtime_ns  # nothing new to store
    assert first == second == uncached

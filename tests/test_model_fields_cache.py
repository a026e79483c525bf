"""The CLI's table of the models' collected fields (modelcache.install_fields) gives the same model
classes as pydantic's own field collection.

Each probe is a child process (the table replaces a function of pydantic's model metaclass, which
the test process must keep as it is): it imports what `check` and `report` import with the table
installed (cold: an empty cache directory; warm: the table the cold run wrote) or without it, and
prints every engine model's fields (every slot of every FieldInfo), what is left in its class
namespace, its class variables, its core schema and its JSON Schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"

PROBE = r"""
import json, re, sys
from woningwet_engine import modelcache
if sys.argv[1] == "cached":
    modelcache.install_fields()
import pydantic
from pydantic.fields import FieldInfo
from pydantic._internal import _model_construction
from woningwet_engine import cli, coalition, engine, result  # noqa: F401  (what `check` imports)
from woningwet_engine.coalition import load  # noqa: F401
from woningwet_engine.report import cli as report_cli  # noqa: F401
from woningwet_engine.rulebook import loader  # noqa: F401

def text(value):  # without what differs between processes anyway: addresses, and ids in schema refs
    return re.sub(" at 0x[0-9a-f]+", "", re.sub(r":[0-9]+'", "'", repr(value)))

slots = [s for k in FieldInfo.__mro__ for s in getattr(k, "__slots__", ())]
out = {"models": {}}
for module in [sys.modules[m] for m in sorted(sys.modules) if m.split(".")[0] == "woningwet_engine"]:
    for name, value in sorted(vars(module).items()):
        if not (isinstance(value, type) and issubclass(value, pydantic.BaseModel) and value.__module__ == module.__name__):
            continue
        fields = {f: {s: text(getattr(info, s, "<unset>")) for s in slots} for f, info in value.__pydantic_fields__.items()}
        value.model_rebuild(force=True)
        out["models"][f"{module.__name__}.{name}"] = {
            "fields": fields, "namespace": sorted(vars(value)), "class_vars": sorted(value.__class_vars__),
            "extra_info": text(value.__pydantic_extra_info__), "core_schema": text(value.__pydantic_core_schema__),
            "json_schema": value.model_json_schema(), "private": text(value.__private_attributes__)}
collect = _model_construction.collect_model_fields
out["installed"] = hasattr(collect, "__wrapped__")
out["collected_now"] = sorted(modelcache._fields_new)
modelcache.save_fields()
print(json.dumps(out))
"""


def probe(mode: str, cache: Path, **env) -> dict:
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("WONINGWET_")}
    run_env.update(WONINGWET_CACHE_DIR=str(cache), **env)
    proc = subprocess.run([sys.executable, "-c", PROBE, mode], env=run_env, capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_models_from_the_table_equal_collected_ones(tmp_path):
    cache = tmp_path / "cache"
    plain = probe("plain", cache)
    cold = probe("cached", cache)
    warm = probe("cached", cache)
    assert plain["models"] and cold["installed"] and warm["installed"]
    assert len(plain["models"]) > 60  # the case, result, rulebook and coalition models
    assert cold["collected_now"]  # the first run collects and stores
    # the second takes every stored model from the table: only one whose fields cannot be pickled
    # (a lambda as default factory) is collected again
    assert warm["collected_now"] == []
    assert len(cold["collected_now"]) >= len(plain["models"]) - 5
    assert cold["models"] == plain["models"]
    assert warm["models"] == plain["models"]


def test_a_damaged_or_foreign_table_is_not_used(tmp_path):
    cache = tmp_path / "cache"
    plain = probe("plain", cache)
    probe("cached", cache)
    [table] = cache.glob("modelfields-*.pickle")
    table.write_bytes(b"not a pickle")
    damaged = probe("cached", cache)
    assert damaged["collected_now"] and damaged["models"] == plain["models"]
    table.chmod(0o666)  # writable by others: not trusted, so collected again (and replaced by a private one)
    foreign = probe("cached", cache)
    assert foreign["collected_now"] and foreign["models"] == plain["models"]
    assert probe("cached", cache)["collected_now"] == []


def test_an_edited_model_module_is_collected_again(tmp_path, monkeypatch):
    """The table is keyed by the source files' modification times and sizes, as byte code is: a
    changed module never meets the fields of its old version."""
    from woningwet_engine import modelcache

    package = tmp_path / "package"
    for sub in ("", "rulebook", "conditions"):
        (package / sub).mkdir(parents=True, exist_ok=True)
        (package / sub / "models.py").write_text("x = 1\n")
    monkeypatch.setattr(modelcache, "_PACKAGE", package)
    first = modelcache._fields_file()
    assert modelcache._fields_file() == first
    source = package / "rulebook" / "models.py"
    st = source.stat()
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    touched = modelcache._fields_file()
    source.write_text("x = 12\n")
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    resized = modelcache._fields_file()
    (package / "conditions" / "more.py").write_text("")
    added = modelcache._fields_file()
    (package / "notes.txt").write_text("not a module")
    assert len({first, touched, resized, added}) == 4
    assert modelcache._fields_file() == added


def test_check_with_the_table_gives_the_same_json(tmp_path):
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WONINGWET_")}
    cmd = [sys.executable, "-m", "woningwet_engine.cli", "check", str(CASE), "--format", "json"]
    outputs = []
    for extra in ({"WONINGWET_NO_CACHE": "1"}, {}, {}):
        proc = subprocess.run(cmd, env={**env, "WONINGWET_CACHE_DIR": str(cache), **extra}, capture_output=True,
                              timeout=300)
        assert proc.returncode in (0, 1), proc.stderr
        outputs.append(proc.stdout)
    assert list(cache.glob("modelfields-*.pickle"))  # python -m comes through Group.__call__ too
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]

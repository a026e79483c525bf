"""CLI start-up shortcuts keep every byte: orjson output, the stored model validators, libyaml parsing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from woningwet_engine import modelcache
from woningwet_engine.case import Case, load_case
from woningwet_engine.engine import judge
from woningwet_engine.result import Result, canonical_json

from rulehelpers import rulebook

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"

# what a result may hold: no floats (amounts and ratios are decimal strings)
_scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text()
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_orjson_writes_the_same_bytes_as_json(data):
    import orjson

    expected = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    try:
        fast = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    except orjson.JSONEncodeError:  # lone surrogates: canonical_json falls back to json
        return
    assert fast == expected


def test_canonical_json_of_a_result_equals_the_json_module():
    result = judge(load_case(CASE), rulebook())
    text = canonical_json(result)
    assert text == json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    assert canonical_json([result, result]) == json.dumps([result.model_dump(mode="json")] * 2,
                                                          ensure_ascii=False, indent=2) + "\n"


def test_canonical_json_falls_back_where_orjson_refuses():
    from woningwet_engine.result import Summary

    big = Summary(components=2**70, by_verdict={"daeb": 1}, compliant=True)
    assert canonical_json(big) == json.dumps(big.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def _check(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "woningwet_engine.cli", "check", *args], env=env,
                          capture_output=True, text=True, cwd=ROOT)


def test_stored_validators_give_identical_results_and_errors(tmp_path):
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("WONINGWET_NO_CACHE", None)
    bad = tmp_path / "bad.yaml"
    bad.write_text(CASE.read_text(encoding="utf-8").replace("units: 600", "units: -600"), encoding="utf-8")
    first = _check(env, str(CASE), "--format", "json")  # miss: builds the models, stores them
    stored = list((tmp_path / "cache").glob("models-*.pickle"))
    assert len(stored) == 1
    second = _check(env, str(CASE), "--format", "json")  # hit
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout
    errors_hit = _check(env, str(bad))
    env_off = dict(env, WONINGWET_NO_CACHE="1")
    errors_off = _check(env_off, str(bad))
    assert errors_hit.returncode == errors_off.returncode == 2
    assert errors_hit.stderr == errors_off.stderr and "units" in errors_hit.stderr


def test_install_uses_the_cache_and_refuses_foreign_files(tmp_path, monkeypatch):
    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    assert modelcache.install() is False  # nothing stored yet
    modelcache.store()
    target = modelcache._path()
    assert target.exists()
    assert modelcache.install() is True
    os.chmod(target, 0o666)  # writable by others: never trusted
    assert modelcache.install() is False
    os.chmod(target, 0o600)
    target.write_bytes(b"not a pickle")
    assert modelcache.install() is False


def test_validators_from_the_store_validate_like_built_ones(tmp_path):
    """In a fresh process: a case validated by stored validators equals one validated normally."""
    code = (
        "import json,sys\n"
        "from woningwet_engine import modelcache\n"
        "assert modelcache.install()\n"
        "from woningwet_engine.case import load_case\n"
        f"c = load_case({str(CASE)!r})\n"
        "print(json.dumps(c.canonical(), sort_keys=True))\n")
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("WONINGWET_NO_CACHE", None)
    subprocess.run([sys.executable, "-c", "from woningwet_engine import modelcache; modelcache.store()"],
                   env=env, check=True, cwd=ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == json.loads(json.dumps(load_case(CASE).canonical(), sort_keys=True))


@pytest.mark.parametrize("text, message", [
    ("a: &x 1\nb: *x\n", "aliases are not allowed"),
    ("a: 1\na: 2\n", "duplicate key"),
    ("[" * 50000, "nested deeper than"),
    ("a: [1,\n  2", "invalid YAML"),
])
def test_libyaml_parser_keeps_the_loader_guards(text, message):
    from woningwet_engine.errors import InputError
    from woningwet_engine.yamlio import load_yaml_text

    with pytest.raises(InputError) as exc:
        load_yaml_text(text, "f.yaml")
    assert message in str(exc.value.problems[0])


def test_result_schema_still_builds_after_installing(tmp_path, monkeypatch):
    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    modelcache.store()
    modelcache.install()
    schema = Result.model_json_schema()
    assert "components" in schema["properties"]
    assert Case.model_json_schema()["title"] == "Case"


def test_stored_validators_are_built_only_for_the_models_used(tmp_path):
    """In a fresh process: after install, validating a case builds the Case validator from the store;
    a model nobody used (the rulebook's) still has pydantic's placeholder, and builds when used."""
    code = (
        "from pydantic_core import SchemaValidator\n"
        "from pydantic._internal._mock_val_ser import MockValSer\n"
        "from woningwet_engine import modelcache\n"
        "assert modelcache.install()\n"
        "from woningwet_engine.case import Case, load_case\n"
        "from woningwet_engine.rulebook.model import Bilingual\n"
        "assert isinstance(Case.__dict__['__pydantic_validator__'], MockValSer)\n"
        f"load_case({str(CASE)!r})\n"
        "assert isinstance(Case.__dict__['__pydantic_validator__'], SchemaValidator)\n"
        "assert isinstance(Bilingual.__dict__['__pydantic_validator__'], MockValSer)\n"
        "assert Bilingual(nl='a', en='b').model_dump() == {'nl': 'a', 'en': 'b'}\n"
        "assert isinstance(Bilingual.__dict__['__pydantic_validator__'], SchemaValidator)\n"
        "assert not Case.__pydantic_complete__\n")
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("WONINGWET_NO_CACHE", None)
    subprocess.run([sys.executable, "-c", "from woningwet_engine import modelcache; modelcache.store()"],
                   env=env, check=True, cwd=ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr


def _case_field_types() -> list:
    """The type of every field of every case model, as remediation trials validate a field value."""
    from typing import Annotated

    from pydantic import BaseModel

    from woningwet_engine import case

    kinds = []
    for cls in vars(case).values():
        if isinstance(cls, type) and issubclass(cls, BaseModel) and cls.__module__ == case.__name__:
            for info in cls.model_fields.values():
                kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
                if not (isinstance(kind, type) and issubclass(kind, BaseModel)):  # TypeAdapter refuses a config
                    kinds.append(kind)
    return kinds


_KINDS = _case_field_types()
_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
                       | st.dates(), lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


def _outcome(validator, value):
    from pydantic import ValidationError

    try:
        out = validator.validate_python(value)
    except ValidationError as exc:
        return "error", exc.errors(include_url=False)
    return "ok", type(out), out


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_type_validator_validates_as_pydantics_type_adapter(data):
    """modelcache.type_validator (no plugin lookup) keeps TypeAdapter's values, types and errors on
    every case field type, with random values and the field's own enum members and their values."""
    from pydantic import TypeAdapter

    kind = data.draw(st.sampled_from(_KINDS))
    members = [m for t in _enums_in(kind) for m in t]
    value = data.draw(_values | (st.sampled_from(members) if members else st.nothing())
                      | (st.sampled_from([m.value for m in members]) if members else st.nothing()))
    config = {"use_enum_values": True}
    expected = _outcome(TypeAdapter(kind, config=config), value)
    assert _outcome(modelcache.type_validator(kind, config), value) == expected


def _enums_in(kind) -> list[type]:
    from enum import Enum
    from typing import get_args

    if isinstance(kind, type) and issubclass(kind, Enum):
        return [kind]
    return [e for arg in get_args(kind) for e in _enums_in(arg)]


def test_a_warm_check_does_not_look_for_pydantic_plugins(tmp_path):
    """The plugin lookup (importlib.metadata, every distribution's entry points) is not on the path
    of a `check` whose models come from the cache: remediation trials validate through
    modelcache.type_validator. The control: pydantic's own TypeAdapter loads it."""
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("WONINGWET_NO_CACHE", None)
    probe = ("import sys\nfrom woningwet_engine.cli import main\n"
             "try:\n    main.main(args=sys.argv[1:], prog_name='woningwet', standalone_mode=False)\n"
             "except SystemExit:\n    pass\n"
             "print('importlib.metadata' in sys.modules, 'pydantic.plugin._loader' in sys.modules)\n")
    args = ["check", str(CASE), "--format", "json", "-o", str(tmp_path / "out.json")]
    for _ in range(2):  # the first run stores the models
        out = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
    assert (tmp_path / "out.json").stat().st_size > 1000
    control = subprocess.run([sys.executable, "-c", "import sys\nfrom pydantic import TypeAdapter\nTypeAdapter(int)\n"
                              "print('pydantic.plugin._loader' in sys.modules)"], capture_output=True, text=True)
    assert control.stdout.split() == ["True"]

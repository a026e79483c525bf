"""Case files: safe loading, one clear error per problem, JSON Schema, money in cents."""

import json
from pathlib import Path

import pytest

from woningwet_engine.case import case_json_schema, load_case
from woningwet_engine.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "cases" / "kanaleneiland-2016.yaml"


def write(tmp_path, text, name="case.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sample_with(tmp_path, old, new):
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    return write(tmp_path, text.replace(old, new, 1))


def problems(path):
    with pytest.raises(InputError) as err:
        load_case(path)
    return err.value.problems


def test_sample_case_loads_with_money_in_cents():
    case = load_case(SAMPLE)
    k4 = next(c for c in case.components if c.id == "K4")
    assert k4.dwelling.rent == 85000
    assert case.canonical()["components"][3]["dwelling"]["rent"] == "850.00"


def test_wrong_type_names_field_and_line(tmp_path):
    path = sample_with(tmp_path, "units: 600", "units: many")
    [p] = problems(path)
    assert p.path == "components.0.units" and p.file == str(path)
    assert p.line == SAMPLE.read_text().splitlines().index("    units: 600") + 1


def test_unknown_field_is_refused(tmp_path):
    path = sample_with(tmp_path, "    units: 600", "    units: 600\n    colour: red")
    [p] = problems(path)
    assert p.path == "components.0.colour" and "unknown field" in p.message


def test_every_problem_is_reported(tmp_path):
    path = sample_with(tmp_path, "units: 600", "units: -1")
    text = path.read_text().replace("rent: 650.00", "rent: 650.001")
    path.write_text(text)
    found = {p.path for p in problems(path)}
    assert {"components.0.units", "components.2.dwelling.rent"} <= found


@pytest.mark.parametrize("text, message", [
    ("case_id: [unclosed", "invalid YAML"),
    ("a: &x [1]\nb: *x\n", "aliases are not allowed"),
    ("a: !!python/object:os.system x\n", "invalid YAML"),
    ("a: 1\na: 2\n", "duplicate key"),
    ("", "empty"),
    ("- just\n- a list\n", "mapping"),
])
def test_unsafe_or_invalid_yaml(tmp_path, text, message):
    [p] = problems(write(tmp_path, text))
    assert message in p.message


def test_nan_and_infinite_amounts_are_refused(tmp_path):
    path = sample_with(tmp_path, "rent: 650.00", "rent: .nan")
    assert any("NaN" in p.message for p in problems(path))


def test_schema_describes_the_format():
    schema = case_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"case_id", "date", "corporation", "components"} <= set(schema["required"])
    json.dumps(schema)

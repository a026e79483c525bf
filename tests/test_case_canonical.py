"""The canonical form of a case (its hash, the case an audit record stores) survives new optional fields.

A field added to the case model after cases were first recorded (Extended.ADDED) is part of the canonical
form only when it is set, so every case that does not use it keeps its hash, every committed result keeps
its provenance and every recorded decision still replays. Fields that existed before keep their defaults
in the form: dropping them would change every existing hash too.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from woningwet_engine.audit.replay import recorded_case
from woningwet_engine.case import Case, Dwelling, Extended, RentSurcharges, Strict, load_case
from woningwet_engine.coalition.load import load_any_case
from woningwet_engine.result import sha256_of

ROOT = Path(__file__).resolve().parents[1]
V1_LOG = ROOT / "tests" / "fixtures" / "audit" / "decision-log-v1.sqlite.gz"


def _all_models(base=Strict):
    for sub in base.__subclasses__():
        yield sub
        yield from _all_models(sub)


@pytest.mark.parametrize("path", sorted((ROOT / "cases").glob("**/*.yaml")), ids=lambda p: p.name)
def test_every_sample_case_hashes_as_its_committed_result(path):
    report = ROOT / "reports" / path.relative_to(ROOT / "cases").with_suffix(".json")
    if not report.exists():
        pytest.skip("no committed result")
    recorded = json.loads(report.read_text(encoding="utf-8"))
    case = load_any_case(path)  # a single corporation's case or a coalition, hashed the same way
    assert recorded["provenance"]["case_sha256"] == sha256_of(case.canonical())
    assert "rent_surcharges" not in json.dumps(case.canonical())


def test_records_made_before_the_added_field_still_normalise_to_their_hash(tmp_path):
    log = tmp_path / "v1.sqlite"
    log.write_bytes(gzip.decompress(V1_LOG.read_bytes()))
    con = sqlite3.connect(log)
    con.row_factory = sqlite3.Row
    records = [dict(r) for r in con.execute("SELECT * FROM records ORDER BY id")]
    con.close()
    assert records
    for rec in records:
        case = recorded_case(rec)  # raises when the stored case no longer gives the recorded hash
        assert sha256_of(case.canonical()) == rec["case_sha256"]
        assert json.loads(rec["case_json"]) == case.canonical()  # byte for byte the same form


def test_an_added_field_is_in_the_form_only_when_set():
    plain = Dwelling(rent=90000, wws_points=150)
    assert "rent_surcharges" not in plain.model_dump(mode="json")
    stated = Dwelling(rent=90000, wws_points=150, rent_surcharges=RentSurcharges(new_middle_segment=True))
    dumped = stated.model_dump(mode="json")
    assert dumped["rent_surcharges"]["new_middle_segment"] is True
    assert dumped["rent_surcharges"]["rijksmonument"] is None  # inside a set field, the defaults stay
    assert Dwelling.model_validate(dumped) == stated
    assert sha256_of(plain.model_dump(mode="json")) != sha256_of(dumped)


def test_added_fields_are_optional_and_declared_where_they_live():
    extended = [m for m in _all_models() if issubclass(m, Extended) and m.ADDED]
    assert Dwelling in extended
    for model in extended:
        for name in model.ADDED:
            field = model.model_fields[name]
            assert field.default is None and not field.is_required(), (model.__name__, name)


@settings(max_examples=60, deadline=None)
@given(rent=st.integers(0, 500_000), points=st.none() | st.integers(0, 400),
       surcharges=st.none() | st.fixed_dictionaries({}, optional={
           k: st.none() | st.booleans() for k in RentSurcharges.model_fields}))
def test_canonical_form_round_trips_and_omits_only_the_unset_addition(rent, points, surcharges):
    d = Dwelling(rent=rent, wws_points=points,
                 rent_surcharges=None if surcharges is None else RentSurcharges(**surcharges))
    form = d.model_dump(mode="json")
    assert Dwelling.model_validate(form).model_dump(mode="json") == form
    assert ("rent_surcharges" in form) == (surcharges is not None)
    # every field that existed before the addition is in the form, set or not
    assert set(form) - {"rent_surcharges"} == set(Dwelling.model_fields) - {"rent_surcharges"}


def test_a_case_with_stated_surcharges_round_trips_through_its_file(tmp_path):
    base = load_case(ROOT / "cases" / "kanaleneiland-2016.yaml").canonical()
    base["components"][0]["dwelling"]["rent_surcharges"] = {"rijksmonument": False}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(base), encoding="utf-8")
    case = load_case(path)
    assert isinstance(case, Case) and case.components[0].dwelling.rent_surcharges.rijksmonument is False
    # the set field is in the form with its own defaults filled in, like every other set field
    base["components"][0]["dwelling"]["rent_surcharges"] = {**dict.fromkeys(RentSurcharges.model_fields),
                                                           "rijksmonument": False}
    assert case.canonical() == base

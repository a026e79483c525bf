"""Result models built without validating again (result.trusted) equal those built and validated
afresh from the same fields: as models, in the fields set and in their JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulehelpers import rulebook
from woningwet_engine.case import load_case
from woningwet_engine.engine import judge
from woningwet_engine.result import Citation, Inputs, Reason, trusted

CASES = sorted((Path(__file__).resolve().parents[1] / "cases").glob("*.yaml"))


def _afresh(model):
    """The model validated again from the fields it has set (what its constructor would give)."""
    return type(model)(**{name: getattr(model, name) for name in model.model_fields_set})


def _same(made, fresh) -> bool:
    return (made == fresh and made.model_fields_set == fresh.model_fields_set
            and made.model_dump_json() == fresh.model_dump_json())


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_reason_of_a_judgement_equals_one_validated_afresh(path, lang):
    book = rulebook()
    result = judge(load_case(path), book, lang=lang)
    reasons = [r for c in result.components for r in c.reasons]
    assert reasons
    for r in reasons:
        assert _same(r, _afresh(r)), r.rule
        assert _same(r.inputs, _afresh(r.inputs)), r.rule


def test_fields_not_given_get_their_defaults_and_stay_unset():
    cite = Citation(bwb="BWBR0005181", name="Woningwet", article="45", text="art. 45 Woningwet",
                    juriconnect="jci1.3:c:BWBR0005181&artikel=45", url="https://wetten.overheid.nl/x")
    fields = dict(rule="R-1", effect="info", text="tekst", citation=cite, confidence="verified")
    made, fresh = trusted(Reason, **fields), Reason(**fields)
    assert _same(made, fresh)
    assert made.model_fields_set == set(fields)
    assert made.branch is None and made.also_cites == [] and made.inputs == Inputs()
    assert made.inputs is not trusted(Reason, **fields).inputs  # a default factory's value per model


def test_a_value_is_not_converted():
    """trusted keeps what it is given (the caller's promise): a wrong type shows, it is not fixed."""
    made = trusted(Inputs, facts={}, params=())
    assert made != Inputs(facts={}, params=())  # validation would make the tuple a list


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_component_result_and_why_not_entry_equals_one_validated_afresh(path):
    result = judge(load_case(path), rulebook())
    assert result.components
    for c in result.components:
        assert _same(c, _afresh(c)), c.id
        assert type(c.activity) is str and type(c.object) is str  # as validation gives, not the case's enums
        for nf in c.not_fired:
            assert _same(nf, _afresh(nf)), nf.rule

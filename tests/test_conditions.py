"""The condition language: parsing and type checks, Kleene evaluation, why-not, compilation."""

import pytest

from woningwet_engine.conditions import Tri, compile_condition, evaluate, explain, parse_condition
from woningwet_engine.conditions.nodes import ConditionError, FieldSpec

SCHEMA = {
    "rent": FieldSpec("eur"),
    "share": FieldSpec("bp"),
    "units": FieldSpec("int"),
    "ok": FieldSpec("bool"),
    "object": FieldSpec("enum", ("dwelling", "bog", "mv")),
    "code": FieldSpec("code"),
}
UNITS = {"limit": "eur", "max_share": "ratio", "codes": "codes", "n": "count"}


def cond(text):
    return parse_condition(text, SCHEMA, UNITS)


def test_literals_are_converted_to_the_fact_unit():
    c = cond("rent <= 710.68 and share < 0.25")
    assert evaluate(c, {"rent": 71068, "share": 2499}, {}) is Tri.TRUE
    assert evaluate(c, {"rent": 71069, "share": 2499}, {}) is Tri.FALSE
    assert evaluate(c, {"rent": 71068, "share": 2500}, {}) is Tri.FALSE


def test_parameters_and_reversed_comparison():
    c = cond("param.limit >= rent")
    assert c.params == ("limit",) and c.facts == ("rent",)
    assert evaluate(c, {"rent": 100}, {"limit": 100}) is Tri.TRUE
    assert evaluate(c, {"rent": 101}, {"limit": 100}) is Tri.FALSE


@pytest.mark.parametrize("text, message", [
    ("rent <= 'abc'", "is a number"),
    ("object == 'house'", "not a value of 'object'"),
    ("object < 'bog'", "needs a number"),
    ("unknown_fact == 1", "unknown fact"),
    ("rent <= param.nope", "unknown parameter"),
    ("rent <= param.max_share", "cannot be compared"),
    ("units == 1.5", "whole number"),
    ("ok == 1", "true/false"),
    ("__import__('os').system('x')", "functions are present"),
    ("rent <= 1 <= 2", "chained"),
    ("rent +", "syntax error"),
    ("code in param.limit", "code-list parameter"),
    ("rent in []", "non-empty"),
])
def test_type_and_syntax_errors_are_explained(text, message):
    with pytest.raises(ConditionError) as err:
        cond(text)
    assert message in str(err.value)


def test_missing_facts_make_atoms_unknown_not_false():
    c = cond("object == 'dwelling' and rent <= param.limit")
    assert evaluate(c, {"object": "dwelling"}, {"limit": 100}) is Tri.UNKNOWN
    assert evaluate(c, {"object": "bog"}, {"limit": 100}) is Tri.FALSE  # FALSE wins over UNKNOWN in 'and'
    assert evaluate(cond("ok == true or rent > 1"), {"ok": True}, {}) is Tri.TRUE  # TRUE wins in 'or'
    assert evaluate(c, {"object": "dwelling", "rent": 50}, {"limit": None}) is Tri.UNKNOWN  # unknown figure


def test_not_and_membership():
    c = cond("not (object in ['bog', 'mv']) and code not in param.codes")
    assert evaluate(c, {"object": "dwelling", "code": "X"}, {"codes": ["A", "B"]}) is Tri.TRUE
    assert evaluate(c, {"object": "dwelling", "code": "A"}, {"codes": ["A", "B"]}) is Tri.FALSE
    assert evaluate(c, {"object": "dwelling"}, {"codes": ["A"]}) is Tri.UNKNOWN
    assert evaluate(cond("missing(code)"), {}, {}) is Tri.TRUE
    assert evaluate(cond("present(code)"), {}, {}) is Tri.FALSE


def test_explain_names_the_first_failing_atom_and_the_value_seen():
    c = cond("object == 'dwelling' and rent <= param.limit")
    why = explain(c, {"object": "dwelling", "rent": 85000}, {"limit": 71068})
    assert why.status is Tri.FALSE
    assert why.atom == "rent <= param.limit" and why.seen == 85000
    assert explain(c, {"object": "dwelling", "rent": 100}, {"limit": 71068}) is None
    why = explain(c, {"object": "dwelling"}, {"limit": 71068})
    assert why.status is Tri.UNKNOWN and why.missing_facts == ("rent",)


def test_compiled_condition_substitutes_parameters_and_guards_negations():
    c = cond("object == 'dwelling' and rent <= param.limit and code != 'X'")
    compiled = compile_condition(c, {"limit": 71068})
    assert compiled == {"$and": [
        {"object": "dwelling"}, {"$lte": {"rent": 71068}},
        {"$and": [{"$ex": {"code": 1}}, {"$neq": {"code": "X"}}]},
    ]}


def test_condition_with_unknown_parameter_compiles_to_never():
    c = cond("rent <= param.limit")
    assert compile_condition(c, {"limit": None}) is False
    # in an 'or' the unknown branch drops out and the rest stays
    c = cond("rent <= param.limit or ok == true")
    assert compile_condition(c, {"limit": None}) == {"ok": True}


def test_negation_is_pushed_to_the_atoms():
    c = cond("not (rent <= param.limit and ok == true)")
    assert compile_condition(c, {"limit": 5}) == {"$or": [
        {"$gt": {"rent": 5}}, {"$and": [{"$ex": {"ok": 1}}, {"$neq": {"ok": True}}]}]}

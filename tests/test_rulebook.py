"""Rulebook loading and validation: schema, unique ids, citations, parameter coverage, dated selection."""

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from woningwet_engine.errors import InputError
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.rulebook.citation import juriconnect, wetten_url
from woningwet_engine.rulebook.loader import Selection, build_rulebook, read_rules_dir
from woningwet_engine.rulebook.params import resolve

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def files():
    return read_rules_dir(ROOT / "rules")


def test_real_rulebook_validates(files):
    book = build_rulebook(files)
    assert book.rules and all(cr.rule.legal_basis for cr in book.rules)
    assert len({cr.rule.id for cr in book.rules}) == len(book.rules)


def test_selection_follows_the_case_date(files):
    book = build_rulebook(files)
    in_2016 = {cr.rule.id for cr in book.at(dt.date(2016, 6, 1)).rules}
    in_2022 = {cr.rule.id for cr in book.at(dt.date(2022, 6, 1)).rules}
    assert "MT-01" in in_2016 and "MT-01" not in in_2022
    assert "LFB-06" in in_2022 and "LFB-06" not in in_2016
    lib = book.at(dt.date(2022, 6, 1)).params["liberalisatiegrens"]
    assert lib.value == 76347 and lib.confidence == "secondary"
    # dates inside one regime period share a compiled ruleset
    assert book.at(dt.date(2016, 6, 1)).key == book.at(dt.date(2016, 7, 1)).key
    assert book.at(dt.date(2016, 6, 1)).key != book.at(dt.date(2022, 6, 1)).key


def replace(files, name, old, new):
    text = files[name].decode()
    assert old in text, (name, old)
    out = dict(files)
    out[name] = text.replace(old, new, 1).encode()
    return out


def problems_of(files):
    with pytest.raises(InputError) as err:
        build_rulebook(files)
    return err.value.problems


BOOK = load_rulebook()


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=BOOK.meta.coverage_from, max_value=BOOK.meta.coverage_to))
def test_selection_of_a_day_is_that_days_law(day):
    """Rulebook.at works the rules and figures out once per period between change points; a day's
    selection must still be exactly what that day's own law gives, key included, whichever days
    were asked for before."""
    book = BOOK
    sel = book.at(day)
    rules = tuple(r for r in book.rules if r.rule.valid_on(day))
    params = {pid: resolve(book.params[pid], day) for pid in sorted(book.params)}
    derivations = tuple(d for d in book.derivations if d.valid_on(day))
    own = Selection(day, rules, params, book.sha256, derivations, book.policy)
    assert sel.date == day
    assert [r.rule.id for r in sel.rules] == [r.rule.id for r in rules]
    assert sel.params == params and sel.derivations == derivations
    assert sel.key == own.key
    # the other days of its period share the undated memo; a day of another period does not
    later = day + dt.timedelta(days=1)
    if book.covers(later):
        same_period = later not in book.change_points()
        assert (book.at(later).period_memo is sel.period_memo) == same_period


def test_duplicate_rule_id(files):
    broken = replace(files, "daeb.yaml", "id: DAEB-01.c", "id: DAEB-01.b")
    assert any("already defined" in p.message for p in problems_of(broken))


def test_rule_without_citation(files):
    broken = replace(files, "geo.yaml", """    legal_basis:
      - {bwb: BWBR0005181, name: Woningwet, article: "41c", lid: "1"}
      - {bwb: BWBR0005181, name: Woningwet, article: "41c", lid: "2"}
      - {bwb: BWBR0036702, name: BTIV, article: "36", onderdelen: a-c}""", "    legal_basis: []")
    [p] = problems_of(broken)
    assert p.path == "rules.1.legal_basis" and p.line is not None


def test_condition_errors_point_at_the_rule(files):
    broken = replace(files, "geo.yaml", "when: in_working_municipality == false", "when: in_working_municipality == 3")
    [p] = problems_of(broken)
    assert p.file.endswith("geo.yaml") and p.path == "rules.0.when" and "true/false" in p.message


def test_parameter_must_cover_every_date_a_rule_is_valid(files):
    broken = replace(files, "parameters/bog_max_cost.yaml", "valid_from: 2015-07-01", "valid_from: 2016-01-01")
    assert any("bog_max_cost" in p.message and "2015-07-01" in p.message for p in problems_of(broken))


def test_unknown_condition_id_and_placeholder(files):
    broken = replace(files, "daeb.yaml", "conditions: [transfer-market-value", "conditions: [no-such-thing")
    broken = replace(broken, "daeb.yaml", "{lfb_amount}", "{lfb_amont}")
    messages = [p.message for p in problems_of(broken)]
    assert any("unknown condition id 'no-such-thing'" in m for m in messages)
    assert any("unknown fact '{lfb_amont}'" in m for m in messages)


def test_overlapping_parameter_values(files):
    broken = replace(files, "parameters/liberalisatiegrens.yaml", "valid_to: 2014-12-31", "valid_to: 2015-01-31")
    assert any("overlap" in p.message for p in problems_of(broken))


def test_citations_are_date_exact():
    day = dt.date(2016, 6, 1)
    ref = juriconnect("BWBR0005181", "47", "1", "b", day)
    assert ref == "jci1.3:c:BWBR0005181&artikel=47&lid=1&o=b&z=2016-06-01&g=2016-06-01"
    assert wetten_url("BWBR0005181", "47", "1", "b", day) == "https://wetten.overheid.nl/" + ref
    assert juriconnect("BWBR0036702", "bijlage 3", None, None, day).startswith("jci1.3:c:BWBR0036702&bijlage=3&")


def test_load_rulebook_default_dir():
    book = load_rulebook()
    # covered from 2014 so that a case before the revised Woningwet is told so; the rules start 2015-07-01
    assert book.meta.coverage_from == dt.date(2014, 1, 1) and book.first_day == dt.date(2015, 7, 1)

"""Bounded figures: a parameter the law bounds but no source fixes is an interval with a source per
bound; a check is decided when it holds (or fails) for every value in it, undetermined otherwise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rulehelpers import rulebook
from woningwet_engine.case import load_case
from woningwet_engine.conditions.interval import Interval, compare, deciding_bound
from woningwet_engine.engine import judge
from woningwet_engine.rulebook.params import ParameterFile, resolve

KANALENEILAND = Path(__file__).resolve().parents[2] / "cases" / "kanaleneiland-2016.yaml"


def _cap_check(case, lang):
    result = judge(case, rulebook(), lang=lang)
    [check] = [c for c in result.plan.checks if c.id == "PLAN-LFB-CAP"]
    return result, check


@pytest.mark.parametrize("lang, words", [("nl", "ten minste € 125,00"), ("en", "at least EUR 125.00")])
def test_kanaleneiland_2016_leefbaarheid_cap_decided_on_the_lower_bound(lang, words):
    _, check = _cap_check(load_case(KANALENEILAND), lang)
    assert check.status == "pass" and words in check.text
    assert check.inputs.facts["lfb_per_daeb_home"] == "117.70"
    [cap] = [p for p in check.inputs.params if p.id == "leefbaarheid_cap_per_daeb_home"]
    assert cap.value == "125.00.." and cap.confidence == "secondary"
    [bound] = cap.bounds
    assert bound.bound == "lower" and bound.value == "125.00" and "BTIV 51 lid 2" in bound.source


@pytest.mark.parametrize("lang, words", [("nl", "alleen begrensd: ten minste € 125,00"),
                                         ("en", "only bounded: at least EUR 125.00")])
def test_kanaleneiland_at_140_per_home_stays_undetermined_and_says_why(lang, words):
    case = load_case(KANALENEILAND)
    corp = case.corporation.model_copy(update={"leefbaarheid_other_annual": 318_000_000})  # 140 per home
    _, check = _cap_check(case.model_copy(update={"corporation": corp}), lang)
    assert check.status == "unknown"
    assert check.inputs.facts["lfb_per_daeb_home"] == "140.00"
    assert words in check.text and "BTIV 51 lid 2" in check.text


def test_the_2015_cap_stays_a_point_value():
    book = rulebook()
    p = resolve(book.params["leefbaarheid_cap_per_daeb_home"], dt.date(2015, 9, 1))
    assert p.value == 12500 and p.bounds == ()
    p16 = resolve(book.params["leefbaarheid_cap_per_daeb_home"], dt.date(2016, 6, 1))
    assert p16.value == Interval(12500, None) and p16.bounds[0][:3] == ("lower", 12500, "secondary")


@pytest.mark.parametrize("op, value, expected, bound", [
    ("<=", 11770, True, "lower"), ("<=", 14000, None, None), (">", 11770, False, "lower"),
    (">=", 20000, None, None), ("<", 12500, None, None), ("<", 12499, True, "lower"),
])
def test_compare_with_an_open_ended_interval(op, value, expected, bound):
    iv = Interval(12500, None)
    assert compare(op, value, iv) is expected and deciding_bound(op, value, iv) == bound


def test_upper_bound_decides_the_failing_side():
    iv = Interval(100, 200)
    assert compare("<=", 201, iv) is False and deciding_bound("<=", 201, iv) == "upper"
    assert compare(">=", 200, iv) is True and deciding_bound(">=", 200, iv) == "upper"


def _param(values):
    return {"id": "x", "title": {"nl": "x", "en": "x"}, "unit": "eur",
            "legal_basis": [{"bwb": "BWBR0036702", "name": "BTIV", "article": "51", "lid": "2"}], "values": values}


def test_parameter_file_refuses_a_value_and_an_interval_together_and_a_reversed_interval():
    base = {"valid_from": "2016-01-01", "confidence": "secondary", "source": "s"}
    both = dict(base, value="1.00", interval={"lower": {"value": "1.00", "confidence": "verified", "source": "s"}})
    with pytest.raises(ValueError, match="either a value or an interval"):
        ParameterFile.model_validate(_param([both]))
    reversed_ = dict(base, interval={"lower": {"value": "2.00", "confidence": "verified", "source": "a"},
                                     "upper": {"value": "1.00", "confidence": "verified", "source": "b"}})
    with pytest.raises(ValueError, match="lower bound is above"):
        ParameterFile.model_validate(_param([reversed_]))
    with pytest.raises(ValueError, match="lower or an upper"):
        ParameterFile.model_validate(_param([dict(base, interval={})]))

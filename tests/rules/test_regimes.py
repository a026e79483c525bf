"""Regime dates and confidence tags of the GEB/DAEB/MV/BOG/LFB/GEO/REL rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from rulehelpers import fired_branch, in_force, judge_component, rulebook

# catalogue [S] -> secondary, [R] (or an engine reading marked [R]) -> unverified; LFB-04 and LFB-06 ([S] in
# the catalogue) are verified in the consolidations of 2022-01-01; GEB-07.2022 and MV-04.2022 are this
# rulebook's readings of the 2022 texts (tests/rules/test_btiv_2022.py)
SECONDARY = {"GEO-05", "GEO-06"}
UNVERIFIED = {"DAEB-01.d", "DAEB-08", "MV-11", "BOG-06", "GEB-04.land", "GEB-10.unlisted", "GEB-02.i-sale", "LFB-02",
              "GEB-07.2022", "MV-04.2022"}
MY_FILES = {"gebied.yaml", "diensten.yaml", "daeb.yaml", "maatschappelijk-vastgoed.yaml", "bog.yaml",
            "leefbaarheid.yaml", "geo.yaml", "relatie.yaml"}


def test_confidence_follows_the_catalogue_tags():
    checked = 0
    for cr in rulebook().rules:
        rule = cr.rule
        if cr.file.rsplit("/", 1)[-1] not in MY_FILES:
            continue
        checked += 1
        expected = "secondary" if rule.id in SECONDARY else "unverified" if rule.id in UNVERIFIED else "verified"
        assert rule.confidence == expected, rule.id
    assert checked > 60


@pytest.mark.parametrize("rule_id,first_day,last_day", [
    ("LFB-01", "2015-07-01", "2021-12-31"),
    ("LFB-02", "2015-07-01", "2021-12-31"),
    ("LFB-03.ontmoeting", "2015-07-01", "2021-12-31"),
    ("BOG-03", "2015-07-01", "2021-12-31"),
    ("GEO-02", "2015-07-01", "2015-12-31"),
    ("GEO-02.regio", "2016-01-01", None),
    ("GEO-04", "2016-01-01", None),
    ("GEO-05", "2016-08-30", None),
    ("GEO-06", "2016-08-30", None),
    ("LFB-04", "2022-01-01", None),
    ("LFB-06", "2022-01-01", None),
    ("MV-11", "2022-01-01", None),
    ("BOG-06", "2016-01-01", "2021-12-31"),
])
def test_rule_periods(rule_id, first_day, last_day):
    first = dt.date.fromisoformat(first_day)
    assert in_force(rule_id, first)
    if first > dt.date(2015, 7, 1):
        assert not in_force(rule_id, first - dt.timedelta(days=1))
    if last_day is None:
        assert in_force(rule_id, "2026-12-31")
    else:
        last = dt.date.fromisoformat(last_day)
        assert in_force(rule_id, last) and not in_force(rule_id, last + dt.timedelta(days=1))


@settings(max_examples=25, deadline=None)
@given(day=st.dates(dt.date(2015, 7, 1), dt.date(2026, 12, 31)), cents=st.integers(30000, 120000))
def test_daeb_iff_rent_at_most_the_liberalisatiegrens(day, cents):
    limit = rulebook().at(day).values["liberalisatiegrens"]
    r = judge_component(day, dwelling={"rent": f"{cents / 100:.2f}"})
    assert r.verdict == ("daeb" if cents <= limit else "non_daeb")
    assert fired_branch(r, "DAEB-01.b") == ("then" if cents <= limit else "else")

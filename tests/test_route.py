"""The approval route (route.py): a topological order of the needed conditions with earliest dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from rulehelpers import judge, rulebook
from woningwet_engine.case import load_case
from woningwet_engine.cli import main
from woningwet_engine.errors import EngineError
from woningwet_engine.route import closure_dependencies, schedule

ROOT = Path(__file__).resolve().parents[1]
KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"
START = dt.date(2016, 6, 1)


@st.composite
def dags(draw):
    n = draw(st.integers(1, 12))
    ids = [f"c{k}" for k in range(n)]
    # edges only from later to earlier ids: acyclic by construction, in a shuffled listing order
    deps = {cid: sorted(draw(st.sets(st.sampled_from(ids[:k]), max_size=k)) if k else []) for k, cid in enumerate(ids)}
    weeks = {cid: draw(st.one_of(st.none(), st.integers(0, 20))) for cid in ids}
    order = draw(st.permutations(ids))
    return list(order), deps, weeks


@settings(max_examples=100, deadline=None)
@given(dags())
def test_schedule_respects_dependencies_and_dates_are_monotone(dag):
    ids, deps, weeks = dag
    rank = {cid: k for k, cid in enumerate(ids)}
    steps = [(s.id, s.start, s.end) for s in schedule(ids, deps, weeks, rank, START)]
    assert sorted(s[0] for s in steps) == sorted(ids)
    position = {cid: k for k, (cid, _, _) in enumerate(steps)}
    dates = {cid: (begin, end) for cid, begin, end in steps}
    for cid in ids:
        begin, end = dates[cid]
        assert end - begin == dt.timedelta(weeks=weeks[cid] or 0)
        for d in deps[cid]:
            assert position[d] < position[cid]
            assert dates[d][1] <= begin  # a step starts only after every step it depends on has ended
        # earliest: as soon as the last dependency ends (or at the start)
        assert begin == max([START] + [dates[d][1] for d in deps[cid]])


def test_schedule_rejects_a_cycle():
    with pytest.raises(EngineError, match="cycle"):
        schedule(["a", "b"], {"a": ["b"], "b": ["a"]}, {}, {}, START)


def test_dependencies_pass_through_conditions_the_plan_does_not_need():
    cat = {"a": SimpleNamespace(depends_on=[]), "b": SimpleNamespace(depends_on=["a"]),
           "c": SimpleNamespace(depends_on=["b"])}
    assert closure_dependencies(cat, ["a", "c"]) == {"a": [], "c": ["a"]}


def test_kanaleneiland_route_follows_the_catalogue():
    result = judge(load_case(KANALENEILAND))
    book = rulebook()
    values = book.at(START).values
    steps = {s.id: s for s in result.route}
    assert [s.order for s in result.route] == list(range(1, len(result.route) + 1))
    position = {s.id: s.order for s in result.route}
    for s in result.route:
        assert s.legal_basis and s.actor
        for d in s.depends_on:
            assert position[d] < s.order
            assert steps[d].earliest_end <= s.earliest_start
    # the sale of K12 (the corporation carries out the sale): four-week offer, then the minister's period
    sale = steps["aw-approval-sale"]
    assert "K12" in sale.components and "sale-public-offer" in sale.depends_on
    offer_weeks = book.conditions["sale-public-offer"].period_weeks
    expected_end = START + dt.timedelta(weeks=offer_weeks + values["sale_approval_weeks"])
    assert sale.earliest_end == expected_end.isoformat() and sale.evidence
    # the shop plinth K6 stays with the corporation: markttoets windows of the 2015 regime
    window = steps["markttoets-minister-window"]
    assert window.period_weeks == values["markttoets_minister_weeks"]
    assert steps["markttoets-objection-window"].period_weeks == values["markttoets_objection_weeks"]
    assert "markttoets-objection-window" in window.depends_on
    # components handed to others bring no steps: K4 and K5 go to the market
    assert all("K4" not in s.components and "K5" not in s.components for s in result.route)


def test_cli_start_option_shifts_every_date():
    runner = CliRunner()
    base = runner.invoke(main, ["check", str(KANALENEILAND), "--format", "json"])
    later = runner.invoke(main, ["check", str(KANALENEILAND), "--format", "json", "--start", "2016-09-01"])
    assert base.exit_code in (0, 1) and later.exit_code == base.exit_code, later.output
    a, b = json.loads(base.stdout)["route"], json.loads(later.stdout)["route"]
    shift = dt.date(2016, 9, 1) - START
    assert {s["id"] for s in a} == {s["id"] for s in b}
    later_by_id = {s["id"]: s for s in b}
    # steps that wait for no yearly statutory date shift by exactly the same amount; the others move
    # to the next such date (the annual overview of 1 July 2017, the prestatieafspraken of 15 December 2017)
    for x in a:
        y = later_by_id[x["id"]]
        if x["id"] in ("annual-overview", "prestatieafspraken"):
            assert y["due"] == {"annual-overview": "2017-07-01", "prestatieafspraken": "2017-12-15"}[x["id"]]
            continue
        assert dt.date.fromisoformat(y["earliest_start"]) - dt.date.fromisoformat(x["earliest_start"]) == shift
    bad = runner.invoke(main, ["check", str(KANALENEILAND), "--start", "1-9-2016"])
    assert bad.exit_code == 2 and "--start" in bad.output


def test_statutory_calendar_dates_and_unknown_ends():
    """The route knows the yearly dates (overview before 1 July, prestatieafspraken before 15 December after
    it), the Aw's 12 weeks plus the two-week extension for a sale, the separation proposal's final date and
    the supervisory board before the minister; a step without a statutory end has no end date."""
    steps = {s.id: s for s in judge(load_case(KANALENEILAND)).route}
    overview, agreements = steps["annual-overview"], steps["prestatieafspraken"]
    assert overview.due == overview.earliest_end == "2016-07-01" and overview.end_known
    assert "annual-overview" in agreements.depends_on
    assert agreements.earliest_start == "2016-07-01" and agreements.due == agreements.earliest_end == "2016-12-15"
    sale = steps["aw-approval-sale"]
    end = dt.date.fromisoformat(sale.earliest_end)
    assert sale.latest_end == (end + dt.timedelta(weeks=2)).isoformat()
    assert steps["separation-proposal"].due == "2017-01-01" and not steps["separation-proposal"].overdue
    assert "rvt-approval-investment" in steps["aw-approval-non-daeb"].depends_on
    rvt = steps["rvt-approval-investment"]
    assert not rvt.end_known and rvt.earliest_end == rvt.earliest_start


def test_yearly_date_rolls_over_and_deadlines_can_be_overdue():
    from woningwet_engine.route import Timing, next_yearly, slot

    assert next_yearly(dt.date(2016, 7, 2), "07-01") == dt.date(2017, 7, 1)
    assert next_yearly(dt.date(2016, 7, 1), "07-01") == dt.date(2016, 7, 1)
    assert next_yearly(dt.date(2017, 3, 1), "02-29") == dt.date(2020, 2, 29)
    late = slot("x", dt.date(2017, 3, 1), Timing(deadline=dt.date(2017, 1, 1)))
    assert late.due < late.start and not late.end_known

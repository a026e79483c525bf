"""Property: every figure a derivation read for a fact a rule used is in that rule's inputs.params,
and a secondary or unverified one is in the assumptions of the result part the rule fired in.

Checked on every sample case on its own date and on each change point of the rulebook, and on
generated lettings (hypothesis) on dates across the allocation regimes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from rulehelpers import component, make_case
from woningwet_engine.case import load_case
from woningwet_engine.engine import judge
from woningwet_engine.facts import build_facts
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.wording import param_title

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "cases").glob("*.yaml"))


def _violations(case, book, day) -> tuple[list[str], int]:
    """(what breaks the property, how many (rule, read figure) pairs were checked)."""
    sel = book.at(day)
    result = judge(case, book, at=day)
    comps, projects, plan = build_facts(case, sel)
    facts = {f["id"]: f for f in comps + projects + [plan]}
    conf = {pid: p.confidence for pid, p in sel.params.items()}
    rules = {cr.rule.id: cr for cr in sel.rules}
    items = [(f"component:{c.id}", r, c.assumptions) for c in result.components for r in c.reasons]
    items += [(ch.subject, ch, result.plan.assumptions) for ch in result.plan.checks]
    bad, checked = [], 0
    for subject, item, assumptions in items:
        cr = rules.get(item.rule)
        if cr is None:  # GEB-02 "no rule decides": not a rule of the selection
            continue
        listed = {p.id for p in item.inputs.params}
        fact = facts[subject]
        for name in cr.used_facts:
            for pid in fact.reads.get(name, ()):
                checked += 1
                if pid not in listed:
                    bad.append(f"{day} {subject} {item.rule}: {pid} (read for {name}) not in inputs.params")
                fired = getattr(item, "effect", None) not in ("undetermined", "overridden") and \
                    getattr(item, "status", "pass") != "unknown"
                # an assumption names the figure by its title (wording.param_title), in the result's language
                named = f"{param_title(pid, sel.params, result.lang)}: "
                if fired and conf[pid] != "verified" and not any(a.startswith(named) for a in assumptions):
                    bad.append(f"{day} {subject} {item.rule}: {pid} is {conf[pid]} but not in the assumptions")
    return bad, checked


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_sample_cases_list_every_traced_figure(book, path):
    case = load_case(path)
    days = {case.date} | {d for d in book.change_points() if d.month in (1, 7)}
    total = 0
    for day in sorted(days):
        bad, checked = _violations(case, book, day)
        assert not bad, "\n".join(bad)
        total += checked
    if path.stem == "laak-lettings-2022":
        assert total > 20  # the case with lettings exercises the allocation and passend-toewijzen reads


lettings = st.lists(st.fixed_dictionaries({
    "day": st.integers(0, 364),
    "rent": st.integers(40_000, 90_000),
    "household_income": st.integers(10_000_00, 60_000_00),
    "household_size": st.integers(1, 5),
    "aow_age": st.booleans(),
    "huurtoeslag_eligible": st.none() | st.booleans(),
    "category": st.none() | st.sampled_from(["student", "status_holder", "care_indication"]),
}), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=lettings, year=st.sampled_from([2016, 2019, 2021, 2022, 2024]), local=st.none() | st.sampled_from(["0.1", "0.2"]))
def test_generated_lettings_list_every_traced_figure(book, items, year, local):
    out = []
    for x in items:
        letting = {"date": (dt.date(year, 1, 1) + dt.timedelta(days=x["day"])).isoformat(),
                   "rent": f"{x['rent'] / 100:.2f}", "household_income": f"{x['household_income'] / 100:.2f}",
                   "household_size": x["household_size"], "aow_age": x["aow_age"]}
        if x["huurtoeslag_eligible"] is not None:
            letting["huurtoeslag_eligible"] = x["huurtoeslag_eligible"]
        if x["category"] is not None:
            letting["category"] = x["category"]
        out.append(letting)
    corp = {} if local is None else {"allocation_free_room_local": local}
    case = make_case(f"{year}-12-31", [component()], lettings=out, **corp)
    bad, _ = _violations(case, book, dt.date(year, 12, 31))
    assert not bad, "\n".join(bad)

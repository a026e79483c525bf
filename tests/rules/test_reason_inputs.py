"""Every figure a reason shows is among its inputs (issue #15: "every figure a verdict read, directly or
through a derived fact, is in its inputs"): the facts of the rule's conditions and of its citations, and
every placeholder of the branch's text, in either language."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulehelpers import judge_component, rulebook
from woningwet_engine.case import load_case
from woningwet_engine.engine import judge as judge_case
from woningwet_engine.rulebook.loader import PLACEHOLDER

CASES = sorted((Path(__file__).resolve().parents[2] / "cases").glob("*.yaml"))


def placeholders(rule, branch):
    b = rule.branch(branch)
    return {n for text in (b.outcome.explain.nl, b.outcome.explain.en) for n in PLACEHOLDER.findall(text)}


def test_every_branch_lists_the_facts_its_texts_show():
    for cr in rulebook().rules:
        for b in cr.branches:
            shown = {n for n in placeholders(cr, b.name) if not n.startswith("param.")}
            assert shown <= set(cr.shown_facts[b.name]), (cr.rule.id, b.name)
            assert set(cr.facts) <= set(cr.shown_facts[b.name])


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_reason_of_a_seed_case_carries_the_figures_its_text_shows(path):
    book = rulebook()
    result = judge_case(load_case(path), book)
    checked = 0
    for comp in result.components:
        for r in comp.reasons:
            if r.branch not in ("then", "else") or r.effect in ("not_in_force", "undetermined"):
                continue
            names = placeholders(book.rule(r.rule), r.branch)
            facts = {n for n in names if not n.startswith("param.")}
            params = {n[6:] for n in names if n.startswith("param.")}
            assert facts <= set(r.inputs.facts), (comp.id, r.rule, facts - set(r.inputs.facts))
            assert params <= {p.id for p in r.inputs.params}, (comp.id, r.rule)
            checked += 1
    assert checked > 0


def test_a_figure_only_the_text_shows_is_an_input():
    # VK-01 reads the buyer and the price ratios; its text also shows the sale price
    cr = judge_component("2016-06-01", activity="sell", units=1, sale={"buyer": "developer", "price": "150000",
                                                                        "leegwaarde": "200000"})
    [r] = [r for r in cr.reasons if r.rule == "VK-01"]
    assert r.inputs.facts["sale_price"] == "150000.00" and "sale_price" not in rulebook().rule("VK-01").facts

"""portfolio.SharedEngine gives exactly the results of engine.judge, while evaluating less."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings, strategies as st

from rulehelpers import component, make_case, rulebook
from test_properties import cases
from woningwet_engine.engine import Engine, judge
from woningwet_engine.portfolio import Partition, SharedEngine, judge_portfolio

SHARED = SharedEngine()  # shared across examples on purpose: its caches must never leak between cases


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases(max_components=8), lang=st.sampled_from(["nl", "en"]))
def test_shared_engine_results_equal_judge(case, lang):
    book = rulebook()
    plain = judge(case, book, lang=lang, engine=Engine()).model_dump(mode="json")
    shared = judge(case, book, lang=lang, engine=SHARED).model_dump(mode="json")
    assert shared == plain


def test_similar_components_are_evaluated_once_and_keep_their_own_values():
    book = rulebook()
    rents = ["400.00", "401.50", "650.00", "700.00", "950.00", "1200.00"]  # 2016: limit 710.68
    comps = [component(id=f"W{i}", dwelling={"rent": rents[i % len(rents)]}) for i in range(60)]
    case = make_case("2016-06-01", comps)
    engine = SharedEngine()
    shared = next(judge_portfolio([case], book, engine=engine))
    plain = judge(case, book, engine=Engine())
    assert shared.model_dump(mode="json") == plain.model_dump(mode="json")
    # 60 component facts (+ plan fact) in two rent classes: far fewer rule evaluations than facts x rules
    n_rules = len([cr for cr in book.at(dt.date(2016, 6, 1)).rules if cr.rule.scope == "component"])
    assert engine.stats["facts"] == 61
    assert engine.stats["evaluated"] < 3 * n_rules + 50
    assert engine.stats["matched"] <= 3  # durable_rules saw one fact per class
    # each component's trace shows its own rent
    for comp, res in zip(comps, shared.components):
        seen = {r.inputs.facts.get("rent") for r in res.reasons if "rent" in r.inputs.facts}
        assert seen == {comp["dwelling"]["rent"]}, (comp["id"], seen)
    verdicts = {r.verdict for r in shared.components}
    assert verdicts == {"daeb", "non_daeb"}


def test_partition_classes_follow_thresholds():
    book = rulebook()
    sel = book.at(dt.date(2016, 6, 1))
    part = Partition([cr for cr in sel.rules if cr.rule.scope == "component"], sel.values,
                     __import__("woningwet_engine.facts", fromlist=["SCHEMAS"]).SCHEMAS["component"])
    limit = sel.values["liberalisatiegrens"]
    below, at, above = (part.class_of("rent", v) for v in (limit - 1, limit, limit + 1))
    assert len({below, at, above}) == 3
    assert part.class_of("rent", 1) == part.class_of("rent", limit - 1)
    assert part.class_of("rent", None) != below
    assert part.class_of("municipality", "GM9999") == part.class_of("municipality", "GM9998")

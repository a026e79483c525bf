"""Unit tests of the durable_rules adapter: errors reach the caller, guards refuse, sessions do not leak."""

from __future__ import annotations

import itertools

import pytest

from woningwet_engine.errors import EngineError
from woningwet_engine.inference import durable_adapter as da
from woningwet_engine.inference.durable_adapter import Branch, DurableMatcher, check_capacity

_keys = itertools.count()


def key() -> str:
    """A fresh selection key: rulesets cannot be unregistered, so each test registers its own."""
    return f"test-adapter-{next(_keys)}"


def fact(fid: str, **fields) -> dict:
    return {"id": fid, "kind": "component", **fields}


BRANCHES = [
    Branch("R-LOW#then", "component", {"$lte": {"rent": 70000}}),
    Branch("R-HIGH#then", "component", {"$gt": {"rent": 70000}}),
    Branch("R-SHOP#then", "component", {"object": "bog"}),
    Branch("P-BIG#then", "project", {"$gte": {"project_cost": 100}}),
]


@pytest.fixture(scope="module")
def matcher():
    return DurableMatcher()


def test_match_returns_branch_and_fact_ids(matcher):
    k = key()
    matcher.prepare(k, BRANCHES)
    fired = matcher.match(k, [fact("c1", rent=60000), fact("c2", rent=80000, object="bog"),
                              {"id": "p1", "kind": "project", "project_cost": 100}, fact("c3")])
    assert fired == {("R-LOW#then", "c1"), ("R-HIGH#then", "c2"), ("R-SHOP#then", "c2"), ("P-BIG#then", "p1")}


def test_sessions_are_deleted_between_cases(matcher):
    """The same fact ids in the next case are not duplicates, and earlier facts never fire again."""
    k = key()
    matcher.prepare(k, BRANCHES)
    first = matcher.match(k, [fact("c1", rent=60000), fact("c2", rent=90000)])
    assert first == {("R-LOW#then", "c1"), ("R-HIGH#then", "c2")}
    second = matcher.match(k, [fact("c1", rent=95000)])
    assert second == {("R-HIGH#then", "c1")}
    assert matcher.match(k, [fact("c9")]) == set()
    # within one case a repeated fact id is an error, not a silent merge
    with pytest.raises(EngineError, match="duplicate fact id"):
        matcher.match(k, [fact("c1", rent=1), fact("c1", rent=1)])
    # ... and the failed case did not leave its session behind
    assert matcher.match(k, [fact("c1", rent=1)]) == {("R-LOW#then", "c1")}


def test_matches_beyond_one_actions_cap_all_arrive():
    """With a small cap one rule's matches come in several actions; none is lost, and reading the
    matched facts from the messages agrees with parsing them (verify)."""
    m = DurableMatcher(cap=2)
    m.verify = True
    k = key()
    m.prepare(k, BRANCHES)
    # a text value that spells the start of a matched fact does not count as one
    facts = [fact(f"c{i}", rent=1000 * i) for i in range(7)] + [fact("c7", rent=5, name='{"m":{"id":9,')]
    assert m.match(k, facts) == {("R-LOW#then", f["id"]) for f in facts}


def test_a_fact_matched_twice_by_an_overlapping_or_fires_once():
    m = DurableMatcher()
    m.verify = True
    k = key()
    m.prepare(k, [Branch("R-OR#then", "component", {"$or": [{"$gt": {"rent": 1}}, {"$gt": {"rent": 2}}]})])
    assert m.match(k, [fact("c1", rent=5), fact("c2", rent=0)]) == {("R-OR#then", "c1")}


def test_reading_an_action_message_is_checked_against_parsing_it():
    rule, positions = da._action_matches('{"r3":[{"m":{"id":4,"kind":"component"}},{"m":{"id":0,"kind":"x"}}]}')
    assert (rule, positions) == ("r3", [4, 0])
    with pytest.raises(EngineError, match="reading durable_rules' action message"):
        da._check_matches('{"r3":[{"m":{"id":4,"kind":"component"}}]}', "r3", [4, 0])
    with pytest.raises(EngineError, match="does not read"):
        da._action_matches('{"r3":{"m":{"id":4}}}')  # the form without `cap`


def test_capacity_guard_refuses_more_than_500_tests_on_one_property(matcher):
    limit = da.MAX_TESTS_PER_PROPERTY
    ok = [Branch(f"R{i}#then", "component", {"rent": i}) for i in range(limit)]
    check_capacity(ok)  # exactly at the limit: accepted
    over = ok + [Branch("R-X#then", "component", {"$or": [{"rent": -1}, {"units": 1}]})]
    with pytest.raises(EngineError, match="more than 500 tests on one fact property"):
        check_capacity(over)
    k = key()
    with pytest.raises(EngineError, match="rent"):
        matcher.prepare(k, over)
    assert k not in matcher._rulesets  # nothing half-registered


def test_a_branch_that_tests_the_fact_id_is_refused():
    """match() hands durable_rules each fact's position as its id, so no branch may read the id."""
    with pytest.raises(EngineError, match="tests the fact id"):
        check_capacity([Branch("R-ID#then", "component", {"$and": [{"kind": "component"}, {"id": "c1"}]})])


def test_too_many_properties_on_one_fact(matcher):
    k = key()
    matcher.prepare(k, BRANCHES)
    wide = fact("c1", **{f"f{i}": i for i in range(da.MAX_FACT_PROPERTIES)})
    with pytest.raises(EngineError, match="more than 250 properties"):
        matcher.match(k, [wide])


def test_more_branches_than_one_ruleset_holds_are_chunked(matcher):
    n = da.MAX_BRANCHES_PER_RULESET * 2 + 5
    branches = [Branch(f"R{i}#then", "component", {"$gte": {"units": i}}) for i in range(n)]
    k = key()
    matcher.prepare(k, branches)
    assert len(matcher._rulesets[k]) == 3
    fired = matcher.match(k, [fact("c1", units=n - 1), fact("c2", units=7)])
    assert fired == {(f"R{i}#then", "c1") for i in range(n)} | {(f"R{i}#then", "c2") for i in range(8)}


def test_prepare_is_idempotent_per_key(matcher):
    k = key()
    matcher.prepare(k, BRANCHES)
    groups = matcher._rulesets[k]
    matcher.prepare(k, BRANCHES[:1])  # same key: the first registration stands
    assert matcher._rulesets[k] is groups

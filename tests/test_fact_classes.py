"""The durable_rules cross-check one fact per class (inference/classes.py): the same matches as
giving durable_rules every fact, and classes that keep apart what a ruleset can tell apart."""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from rulehelpers import rulebook
from woningwet_engine.case import Case
from woningwet_engine.evaluation import Engine
from woningwet_engine.facts import build_facts
from woningwet_engine.inference.classes import signature
from woningwet_engine.inference.durable_adapter import Branch, DurableMatcher

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (the benchmarks' seeded portfolio generator)

_keys = itertools.count()


def test_a_class_keeps_apart_sides_of_a_constant_types_and_absence():
    sig = signature([{"$lte": {"rent": 70000}}, {"$and": [{"$ex": {"units": 1}}, {"object": "bog"}]},
                     {"flag": True}])
    base = {"rent": 50000, "units": 3, "object": "bog", "flag": True}
    assert sig(base) == sig(dict(base, rent=69999, units=90))  # same side of 70000, units only present
    assert sig(base) != sig(dict(base, rent=70000))  # equal to the constant
    assert sig(dict(base, rent=70000)) != sig(dict(base, rent=70001))
    assert sig(base) != sig({k: v for k, v in base.items() if k != "units"})
    assert sig(base) != sig(dict(base, flag=1))  # 1 == True in Python, not to durable_rules
    assert sig(base) != sig(dict(base, object="dwelling"))
    assert sig(base) != sig(dict(base, rent="50000"))  # a text is compared as a text


def test_classed_matching_gives_each_fact_its_own_class_matches():
    matcher = DurableMatcher()
    k = f"test-classes-{next(_keys)}"
    matcher.prepare(k, [Branch("LOW#then", "component", {"$lte": {"rent": 70000}}),
                        Branch("SHOP#then", "component", {"object": "bog"})])
    facts = [{"id": f"c{i}", "kind": "component", "rent": rent, "object": obj}
             for i, (rent, obj) in enumerate([(100, "bog"), (200, "bog"), (80000, "bog"), (300, "dwelling")])]
    want = {("LOW#then", "c0"), ("LOW#then", "c1"), ("LOW#then", "c3"), ("SHOP#then", "c0"), ("SHOP#then", "c1"),
            ("SHOP#then", "c2")}
    assert matcher.match(k, facts) == want
    assert matcher.match(k, facts, classed=True) == want


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 120), distinct=st.booleans())
def test_classed_matching_equals_matching_every_fact(seed, n, distinct):
    book = rulebook()
    data = generate.distinct(n, seed=seed)[0] if distinct else generate.realistic(n, seed=seed)[0]
    case = Case.model_validate(data)
    selection = book.at(generate.DAY)
    components, projects, plan = build_facts(case, selection)
    facts = components + projects + [plan]
    engine = Engine()
    engine.branches(selection)
    assert engine.matcher.match(selection.key, facts, classed=True) == engine.matcher.match(selection.key, facts)


_names = st.sampled_from(["rent", "units", "object", "flag"])
_constants = st.integers(-3, 3) | st.booleans() | st.sampled_from(["bog", "dwelling", "1"])
_tests = st.sampled_from(["$lt", "$lte", "$gt", "$gte", "$neq"])
_leaf = (st.builds(lambda t, n, c: {t: {n: c}}, _tests, _names, _constants)
         | st.builds(lambda t, n: {t: {n: 1}}, st.sampled_from(["$ex", "$nex"]), _names)
         | st.builds(lambda n, c: {n: c}, _names, _constants))
_conditions = st.lists(st.recursive(_leaf, lambda inner: st.builds(lambda op, items: {op: items},
                                                                    st.sampled_from(["$and", "$or"]),
                                                                    st.lists(inner, min_size=1, max_size=3)),
                                    max_leaves=6), min_size=1, max_size=4)
_facts = st.lists(st.dictionaries(_names, st.none() | st.integers(-4, 4) | st.booleans()
                                  | st.sampled_from(["bog", "dwelling", "1"]), max_size=4), min_size=1, max_size=6)


@contextlib.contextmanager
def _environ(**values):
    old = {k: os.environ.get(k) for k in ("WONINGWET_NO_CACHE", "WONINGWET_CACHE_DIR")}
    try:
        for k in old:
            os.environ.pop(k, None)
        os.environ.update(values)
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@settings(max_examples=150, deadline=None)
@given(st.lists(_conditions, min_size=2, max_size=3), _facts)
def test_a_signature_read_back_from_the_cache_classes_facts_as_a_built_one(tmp_path_factory, sets, facts):
    """classes.signature read back from the cache directory gives every fact the class the one built
    from its conditions gives (caching off), with several sets of conditions in one directory."""
    from woningwet_engine.inference import classes

    cache = str(tmp_path_factory.mktemp("cache"))
    with _environ(WONINGWET_NO_CACHE="1"):
        plain = [[signature(c)(f) for f in facts] for c in sets]
    with _environ(WONINGWET_CACHE_DIR=cache):
        stored = [[signature(c)(f) for f in facts] for c in sets]  # built and stored (or read: a repeated set)
        built, classes._compiled = classes._compiled, None  # a hit must not build
        try:
            read_back = [[signature(c)(f) for f in facts] for c in sets]
        finally:
            classes._compiled = built
    assert read_back == stored == plain


def test_a_damaged_or_foreign_signature_file_is_not_used(tmp_path, monkeypatch):
    from woningwet_engine.inference import classes

    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    conditions = [{"$lte": {"rent": 70000}}, {"flag": True}]
    signature(conditions)
    (stored,) = (tmp_path / "cache").glob("classes-*.marshal")
    assert classes._cache_name(conditions) == stored.name
    assert classes._cache_name([{"$lte": {"rent": 70000}}, {"flag": 1}]) != stored.name  # True is not 1
    stored.chmod(0o666)  # writable by others: never read
    assert classes._read(stored.name) is None
    stored.chmod(0o600)
    stored.write_bytes(stored.read_bytes()[:-7])  # damaged: built again, same classes
    assert classes._read(stored.name) is None
    sig = signature(conditions)
    assert sig({"rent": 5, "flag": True}) != sig({"rent": 5, "flag": 1})
    assert classes._read(stored.name) is not None  # written whole again


def _counting_runs(matcher: DurableMatcher, monkeypatch) -> list[int]:
    """The number of facts of each durable_rules session the matcher opens from now on."""
    import orjson

    sessions: list[int] = []
    real = DurableMatcher._run

    def run(self, name, text):
        sessions.append(len(orjson.loads(text)))
        return real(self, name, text)

    monkeypatch.setattr(DurableMatcher, "_run", run)
    return sessions


def test_a_class_met_before_is_not_asserted_again(monkeypatch):
    """What a class matches is asked of durable_rules once per ruleset: a later batch asserts only
    the facts of classes it has not met, and every fact still gets its own class's matches."""
    matcher = DurableMatcher()
    k = f"test-classes-{next(_keys)}"
    matcher.prepare(k, [Branch("LOW#then", "component", {"$lte": {"rent": 70000}}),
                        Branch("SHOP#then", "component", {"object": "bog"})])
    sessions = _counting_runs(matcher, monkeypatch)
    first = [{"id": "a", "kind": "component", "rent": 100, "object": "bog"},
             {"id": "b", "kind": "component", "rent": 80000, "object": "dwelling"}]
    assert matcher.match(k, first, classed=True) == {("LOW#then", "a"), ("SHOP#then", "a")}
    assert sessions == [2]
    again = [{"id": "c", "kind": "component", "rent": 5000, "object": "bog"},  # a's class
             {"id": "d", "kind": "component", "rent": 90000, "object": "dwelling"}]  # b's class
    assert matcher.match(k, again, classed=True) == {("LOW#then", "c"), ("SHOP#then", "c")}
    assert sessions == [2]  # both classes known: no session
    mixed = again + [{"id": "e", "kind": "component", "rent": 70000, "object": "dwelling"},  # new: equal to 70000
                     {"id": "f", "kind": "component", "rent": [1], "object": "bog"}]  # unhashable: its own class
    assert matcher.match(k, mixed, classed=True) == matcher.match(k, mixed) == {
        ("LOW#then", "c"), ("SHOP#then", "c"), ("LOW#then", "e"), ("SHOP#then", "f")}
    assert sessions[1] == 2  # e and f only, then the unclassed match of all four
    assert matcher.match(k, mixed[:3], classed=True) == {("LOW#then", "c"), ("SHOP#then", "c"), ("LOW#then", "e")}
    assert len(sessions) == 3  # e's class is known now


def test_known_classes_leave_with_their_rulesets(monkeypatch):
    """A selection let go (MAX_SELECTIONS) takes its known classes with it; registered again, its
    rulesets ask durable_rules afresh."""
    matcher = DurableMatcher(max_selections=1)
    branches = [Branch("LOW#then", "component", {"$lte": {"rent": 70000}})]
    facts = [{"id": "a", "kind": "component", "rent": 100}]
    one, two = f"test-classes-{next(_keys)}", f"test-classes-{next(_keys)}"
    sessions = _counting_runs(matcher, monkeypatch)
    matcher.prepare(one, branches)
    assert matcher.match(one, facts, classed=True) == {("LOW#then", "a")}
    names = [name for name, _ in matcher._rulesets[one]]
    assert all(name in matcher._known for name in names)
    matcher.prepare(two, branches)  # one is unregistered
    assert not any(name in matcher._known for name in names)
    matcher.prepare(one, branches)
    assert matcher.match(one, facts, classed=True) == {("LOW#then", "a")}
    assert sessions == [1, 1]


@settings(max_examples=10, deadline=None)
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=2, max_size=4), n=st.integers(1, 60))
def test_classed_matching_over_successive_batches_equals_matching_every_fact(seeds, n):
    """One engine, several cases one after the other (classes known from earlier batches reused):
    each batch's matches equal durable_rules given every fact of that batch."""
    book = rulebook()
    selection = book.at(generate.DAY)
    engine = Engine()
    engine.branches(selection)
    for i, seed in enumerate(seeds):
        data = (generate.distinct if i % 2 else generate.realistic)(n, seed=seed)[0]
        components, projects, plan = build_facts(Case.model_validate(data), selection)
        facts = components + projects + [plan]
        assert engine.matcher.match(selection.key, facts, classed=True) == engine.matcher.match(selection.key, facts)


def test_the_kept_classes_are_bounded(monkeypatch):
    """Beyond MAX_KNOWN classes (over all rulesets) every ruleset starts afresh; matches stay right."""
    from woningwet_engine.inference import durable_adapter

    monkeypatch.setattr(durable_adapter, "MAX_KNOWN", 3)
    matcher = DurableMatcher()
    k = f"test-classes-{next(_keys)}"
    matcher.prepare(k, [Branch("LOW#then", "component", {"$lte": {"rent": 70000}}),
                        Branch("P#then", "project", {"$gte": {"project_cost": 100}})])
    for rent in (1, 70000, 70001, 80000, 70000, 1):
        facts = [{"id": "a", "kind": "component", "rent": rent}, {"id": "p", "kind": "project", "project_cost": rent}]
        want = {("LOW#then", "a")} if rent <= 70000 else set()
        assert matcher.match(k, facts, classed=True) == want | ({("P#then", "p")} if rent >= 100 else set())
        assert matcher._known_size == sum(map(len, matcher._known.values())) <= 3

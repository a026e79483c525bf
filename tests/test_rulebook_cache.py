"""The on-disk rulebook cache is exact and only trusts private files."""

from __future__ import annotations

import os
import shutil

import pytest

from woningwet_engine.errors import InputError
from woningwet_engine.rulebook import cache as rc
from woningwet_engine.rulebook.loader import DEFAULT_RULES_DIR, load_rulebook


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    calls = []
    real = rc.build_rulebook

    def counting(files, label="rules"):
        calls.append(label)
        return real(files, label=label)

    monkeypatch.setattr(rc, "build_rulebook", counting)
    return rules, tmp_path / "cache", calls


def test_second_load_comes_from_the_cache_and_is_identical(env):
    rules, cache, calls = env
    first = rc.load_rulebook_cached(rules)
    second = rc.load_rulebook_cached(rules)
    assert len(calls) == 1
    fresh = load_rulebook(rules)
    assert second.sha256 == first.sha256 == fresh.sha256
    assert [r.rule for r in second.rules] == [r.rule for r in fresh.rules]
    assert second.at(fresh.meta.coverage_from).key == fresh.at(fresh.meta.coverage_from).key
    files = list(cache.glob("rulebook-*.pickle"))
    assert len(files) == 1 and (files[0].stat().st_mode & 0o777) == 0o600
    assert (cache.stat().st_mode & 0o777) == 0o700


def test_the_cached_rulebook_carries_its_precomputed_parts_and_they_are_right(env):
    """Change points and each rule's facts and parameters are in the pickle (a `check` does not
    work them out again) and equal what a freshly loaded rulebook computes."""
    rules, cache, calls = env
    rc.load_rulebook_cached(rules)
    cached = rc.load_rulebook_cached(rules)
    assert len(calls) == 1
    assert "_change_points" in cached.__dict__
    assert all("used_facts" in cr.__dict__ and "params" in cr.__dict__ for cr in cached.rules)
    fresh = load_rulebook(rules)
    assert "_change_points" not in fresh.__dict__ and "used_facts" not in fresh.rules[0].__dict__
    assert cached.change_points() == fresh.change_points()
    for a, b in zip(cached.rules, fresh.rules, strict=True):
        assert (a.params, a.facts, a.cite_facts, a.used_facts) == (b.params, b.facts, b.cite_facts, b.used_facts)
        assert [x.root for x in a.branches] == [x.root for x in b.branches]


def _typed(value):
    """A condition with the type of every value in it (True and 1 are equal in Python, not to durable_rules)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(v) for v in value])
    return type(value).__name__, value


def test_the_cached_rulebook_carries_each_periods_durable_branches(env, monkeypatch):
    """The durable_rules branches of every regime period come from the pickle (no condition is
    compiled) and equal, with the types of their values, the ones compiled from the fresh rules."""
    import datetime as dt

    from woningwet_engine.rulebook import capacity

    rules, cache, calls = env
    rc.load_rulebook_cached(rules)
    cached = rc.load_rulebook_cached(rules)
    fresh = load_rulebook(rules)
    days = fresh.change_points()
    want = {day: capacity.compile_branches(fresh.at(day + dt.timedelta(days=1))) for day in days}
    monkeypatch.setattr(capacity, "_compiled", lambda selection: pytest.fail("compiled again"))
    for day in days:
        got = capacity.compile_branches(cached.at(day + dt.timedelta(days=1)))
        assert [(b.name, b.scope, _typed(b.condition)) for b in got] == [
            (b.name, b.scope, _typed(b.condition)) for b in want[day]]
        assert capacity.compile_branches(cached.at(day)) is not got  # a new list each time


def test_changed_rules_are_never_served_from_the_cache(env):
    rules, cache, calls = env
    rc.load_rulebook_cached(rules)
    p = rules / "parameters" / "liberalisatiegrens.yaml"
    p.write_text(p.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    rc.load_rulebook_cached(rules)
    assert len(calls) == 2


def test_insecure_or_corrupt_cache_files_are_ignored(env):
    rules, cache, calls = env
    rc.load_rulebook_cached(rules)
    target = next(cache.glob("rulebook-*.pickle"))
    os.chmod(target, 0o666)  # writable by others: not trusted
    rc.load_rulebook_cached(rules)
    assert len(calls) == 2
    target.write_bytes(b"not a pickle")
    os.chmod(target, 0o600)
    book = rc.load_rulebook_cached(rules)
    assert len(calls) == 3 and book.rules
    os.chmod(cache, 0o777)  # a shared directory: nothing is read from it
    rc.load_rulebook_cached(rules)
    assert len(calls) == 4


def test_bad_rules_are_not_cached_and_still_reported(env):
    rules, cache, calls = env
    (rules / "zz.yaml").write_text("topic: zz\n", encoding="utf-8")
    with pytest.raises(InputError):
        rc.load_rulebook_cached(rules)
    assert not list(cache.glob("rulebook-*.pickle"))


def test_cache_can_be_turned_off(env, monkeypatch):
    rules, cache, calls = env
    monkeypatch.setenv("WONINGWET_NO_CACHE", "1")
    rc.load_rulebook_cached(rules)
    rc.load_rulebook_cached(rules)
    assert len(calls) == 2 and not cache.exists()


def _pairs(a, b, seen=None):
    """Walk two object graphs side by side (same shape expected), yielding each pair of objects."""
    import datetime as _dt

    seen = set() if seen is None else seen
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        yield x, y
        assert type(x) is type(y)
        if isinstance(x, dict):
            assert list(x) == list(y)
            stack.extend(zip(x.values(), y.values()))
        elif isinstance(x, (list, tuple)):
            assert len(x) == len(y)
            stack.extend(zip(x, y))
        elif isinstance(x, (set, frozenset, str, bytes, int, float, bool, _dt.date, type(None))):
            assert x == y
        elif hasattr(x, "__dict__"):
            stack.append((vars(x), vars(y)))


def test_models_read_back_as_pydantic_pickles_them():
    """rulebook.cache.dumps stores each pydantic model as a call of _model: unpickled, every model has
    the same class, fields, fields set and (no) extra and private values as from a plain pickle, and
    shared objects stay shared."""
    import pickle

    from pydantic import BaseModel

    book = load_rulebook()
    book.precompute()
    plain = pickle.loads(pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL))
    data = rc.dumps(book)
    assert b"_model" in data and b"__setstate__" not in data
    fast = pickle.loads(data)
    models = 0
    ids_plain, ids_fast = {}, {}
    for x, y in _pairs(plain, fast):
        ids_plain.setdefault(id(x), len(ids_plain))
        ids_fast.setdefault(id(y), len(ids_fast))
        if isinstance(x, BaseModel):
            models += 1
            assert x == y and x.__dict__ == y.__dict__
            assert x.__pydantic_fields_set__ == y.__pydantic_fields_set__
            assert type(y.__pydantic_fields_set__) is set
            assert (y.__pydantic_extra__, y.__pydantic_private__) == (x.__pydantic_extra__, x.__pydantic_private__)
            assert x.model_dump() == y.model_dump()
    assert models > 1000
    assert len(ids_plain) == len(ids_fast)  # as many distinct objects: sharing kept
    assert fast.files == book.files and fast.sha256 == book.sha256


def test_the_cache_reads_back_the_fast_form(env):
    rules, cache, calls = env
    first = rc.load_rulebook_cached(rules)
    stored = list(cache.glob("rulebook-*.pickle"))
    assert len(stored) == 1 and b"_model" in stored[0].read_bytes()
    again = rc.load_rulebook_cached(rules)
    assert len(calls) == 1  # read back, not built
    assert again.sha256 == first.sha256 and [r.rule for r in again.rules] == [r.rule for r in first.rules]

"""How a whole-log replay shares out its work: batches among the workers (Shares) and the logged
rulebook read back from the disk cache; neither changes what is compared."""

from __future__ import annotations

import multiprocessing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine.audit import DecisionLog, record_decision, replay
from woningwet_engine.rulebook import cache as rc
from woningwet_engine.rulebook.loader import DEFAULT_RULES_DIR


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.integers(1, 4), st.data())
def test_every_batch_is_claimed_once_and_each_share_from_its_front(batches, workers, data):
    shares = replay.Shares(multiprocessing.get_context("fork"), batches, workers)
    slots = [shares.join() for _ in range(workers)]
    assert sorted(slots) == list(range(workers))
    cuts = [batches * w // workers for w in range(workers + 1)]
    claimed: list[int] = []
    own: dict[int, list[int]] = {w: [] for w in range(workers)}
    for _ in range(batches):  # workers claim in any order, one claim per batch
        slot = data.draw(st.sampled_from(slots))
        b = shares.claim(slot)
        claimed.append(b)
        if cuts[slot] <= b < cuts[slot + 1]:
            own[slot].append(b)
    assert sorted(claimed) == list(range(batches))
    for w, mine in own.items():  # its own share from the front, in order; others took from the back
        assert mine == list(range(cuts[w], cuts[w] + len(mine)))


def _log(tmp_path, n: int):
    path = tmp_path / "log.sqlite"
    for i in range(n):
        case = make_case("2020-03-01" if i % 2 else "2016-06-01",
                         [component(id=f"C{i}", dwelling={"rent": f"{410 + 53 * i}.00"})], case_id=f"w-{i}")
        record_decision(case, judge(case), rulebook(), path, source=f"w {i}")
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    return tmp_path / "cache"


def test_the_logged_rulebook_is_read_back_from_the_disk_cache(tmp_path, cache, monkeypatch):
    path = _log(tmp_path, 4)
    built = []
    from woningwet_engine.rulebook import loader

    original = loader.build_rulebook

    def counting(files, label="rules"):
        built.append(label)
        return original(files, label=label)

    monkeypatch.setattr(loader, "build_rulebook", counting)
    with DecisionLog.open(path) as log:
        first = [replay.replay_record(rec, replay.RulebookCache(log)) for rec in log.records()]
        again = [replay.replay_record(rec, replay.RulebookCache(log)) for rec in log.records()]
        rec = next(iter(log.records()))
        book = replay.RulebookCache(log).get(rec)
    assert built == ["record 1 rules"]  # built once, then read back by every new cache
    assert [o.status for o in first] == [o.status for o in again] == ["identical"] * 4
    assert book.sha256 == rec["rulebook_sha256"] and book.files == rulebook().files
    # the rules directory's own load does not get the replay's (unchecked) entry, nor the reverse
    assert len(list(cache.glob("rulebook-*.pickle"))) == 1
    rc.load_rulebook_cached(DEFAULT_RULES_DIR)
    assert len(list(cache.glob("rulebook-*.pickle"))) == 2

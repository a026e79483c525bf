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
    # the rules directory's own load does not get the replay's (unchecked) entry
    assert len(list(cache.glob("rulebook-*.pickle"))) == 1
    rc.load_rulebook_cached(DEFAULT_RULES_DIR)
    assert len(list(cache.glob("rulebook-*.pickle"))) == 2


def test_a_first_replay_reads_the_clis_entry_of_the_packaged_rules(tmp_path, cache, monkeypatch):
    path = _log(tmp_path, 3)
    rc.load_rulebook_cached(DEFAULT_RULES_DIR)  # what `check --record` leaves in the cache
    stored = sorted(cache.glob("rulebook-*.pickle"))
    from woningwet_engine.rulebook import loader

    def refused(files, label="rules"):
        raise AssertionError(f"built again: {label}")

    monkeypatch.setattr(loader, "build_rulebook", refused)
    with DecisionLog.open(path) as log:
        books = replay.RulebookCache(log)
        outcomes = [replay.replay_record(rec, books) for rec in log.records()]
        rec = next(iter(log.records()))
    assert [o.status for o in outcomes] == ["identical"] * 3
    assert books.get(rec).sha256 == rec["rulebook_sha256"]
    assert sorted(cache.glob("rulebook-*.pickle")) == stored  # nothing built, nothing stored


def test_other_files_than_the_packaged_rules_miss_the_clis_entry(tmp_path, cache):
    rc.load_rulebook_cached(DEFAULT_RULES_DIR)
    files = dict(rulebook().files)
    assert rc.read_cached(files, str(DEFAULT_RULES_DIR)) is not None
    first = sorted(files)[0]
    files[first] = files[first] + b"\n# changed\n"
    assert rc.read_cached(files, str(DEFAULT_RULES_DIR)) is None
    assert rc.read_cached(dict(rulebook().files), replay.REPLAYED) is None  # each label its own entry


def test_a_long_replay_collects_its_cyclic_garbage_once_enough_has_piled_up(tmp_path, monkeypatch):
    import gc

    path = _log(tmp_path, 5)
    monkeypatch.setattr(replay, "BATCH", 1)
    # each batch of one record leaves a few thousand tracked objects (memo entries) behind
    monkeypatch.setattr(replay, "COLLECT_AT", 1)
    full, between = [], []

    def counted(phase, info):
        if phase == "start" and info["generation"] == 2:
            full.append(info)

    gc.callbacks.append(counted)
    try:
        assert gc.isenabled()
        with DecisionLog.open(path) as log:
            outcomes = replay.replay_all(log, jobs=1, progress=lambda n: between.append((gc.isenabled(), len(full))))
    finally:
        gc.callbacks.remove(counted)
    assert [o.status for o in outcomes] == ["identical"] * 5
    # off between batches (the judgement's own pause does not turn it on), in full after each one
    assert between == [(False, 1), (False, 2), (False, 3), (False, 4), (False, 5)]
    assert gc.isenabled()  # as it was
    full.clear()
    monkeypatch.setattr(replay, "COLLECT_AT", 10**9)
    gc.callbacks.append(counted)
    try:
        with DecisionLog.open(path) as log:
            assert [o.status for o in replay.replay_all(log, jobs=1)] == ["identical"] * 5
    finally:
        gc.callbacks.remove(counted)
    assert full == []  # nothing piled up: no collection


def test_a_parallel_replay_with_the_collector_off_in_its_workers_compares_the_same(tmp_path, monkeypatch):
    path = _log(tmp_path, 4)
    monkeypatch.setattr(replay, "BATCH", 1)
    monkeypatch.setattr(replay, "MIN_PARALLEL", 2)
    with DecisionLog.open(path) as log:
        outcomes = replay.replay_all(log, jobs=2)
    assert [o.status for o in outcomes] == ["identical"] * 4


def _indexes(path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")]


def test_a_new_log_reads_the_replay_order_from_its_index(tmp_path):
    path = _log(tmp_path, 3)
    assert _indexes(path) == ["records_by_rulebook_date"]
    with DecisionLog.open(path) as log:
        plan = log.conn.execute("EXPLAIN QUERY PLAN " + replay.ORDER_QUERY).fetchall()
        assert "COVERING INDEX records_by_rulebook_date" in " ".join(str(r[-1]) for r in plan)
        assert [o.status for o in replay.replay_all(log)] == ["identical"] * 3


def test_an_old_log_without_the_index_replays_the_same_and_gets_none(tmp_path):
    import sqlite3

    path = _log(tmp_path, 3)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX records_by_rulebook_date")  # as a log made before it
    case = make_case("2016-06-01", [component(id="C9")], case_id="w-9")
    record_decision(case, judge(case), rulebook(), path, source="w 9")  # appending builds no index
    assert _indexes(path) == []
    with DecisionLog.open(path) as log:
        assert [o.status for o in replay.replay_all(log)] == ["identical"] * 4
        assert log.verify().ok


def _read_both_ways(text: str):
    """(outcome, canonical form or error type) of a stored case read from a dict and straight from its text."""
    import json

    from woningwet_engine.case import Case

    out = []
    for read in (lambda t: Case.model_validate(json.loads(t)), Case.model_validate_json):
        try:
            out.append(("ok", read(text).canonical()))
        except Exception as exc:  # noqa: BLE001 - the kind of refusal is compared
            out.append(("refused", type(exc).__name__))
    return out


def _stored_cases():
    import gzip
    import sqlite3
    from pathlib import Path

    from woningwet_engine.audit import case_json_of
    from woningwet_engine.case import load_case

    root = Path(__file__).resolve().parents[1]
    texts = [case_json_of(load_case(p)) for p in sorted((root / "cases").glob("*.yaml"))]
    v1 = gzip.decompress((root / "tests" / "fixtures" / "audit" / "decision-log-v1.sqlite.gz").read_bytes())
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".sqlite") as fh:
        fh.write(v1)
        fh.flush()
        with sqlite3.connect(fh.name) as conn:
            texts += [r[0] for r in conn.execute("SELECT case_json FROM records")]
    return texts


_STORED = _stored_cases()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_STORED), st.sampled_from(["units", "cost", "floor_area_m2", "title", "date", None]),
       st.one_of(st.none(), st.booleans(), st.integers(-10, 10**7), st.floats(allow_nan=False),
                 st.text(max_size=12), st.sampled_from(["2016-06-01", "2016-06-01T00:00:00", "5", "1000.50"])))
def test_a_stored_case_read_from_its_text_is_the_case_read_from_a_dict(text, field, value):
    import json

    if field is not None:  # a changed value: both ways accept it alike, or refuse it alike
        data = json.loads(text)
        (data if field in ("title", "date") else data["components"][0])[field] = value
        text = json.dumps(data, ensure_ascii=False)
    via_dict, via_text = _read_both_ways(text)
    assert via_dict == via_text


def test_recorded_case_reads_single_cases_from_their_text(tmp_path, monkeypatch):
    from woningwet_engine.case import Case

    path = _log(tmp_path, 2)
    read = []
    original = Case.model_validate_json.__func__

    def counted(cls, data, *args, **kwargs):
        read.append(data)
        return original(cls, data, *args, **kwargs)

    monkeypatch.setattr(Case, "model_validate_json", classmethod(counted))
    with DecisionLog.open(path) as log:
        recs = list(log.records())
        cases = [replay.recorded_case(rec) for rec in recs]
    assert read == [rec["case_json"] for rec in recs]
    assert [c.canonical() for c in cases] == [Case.model_validate(__import__("json").loads(r["case_json"])).canonical()
                                              for r in recs]

"""pipeline.judge_many: several cases judged with one durable_rules cross-check per regime period give,
per case, exactly what judge gives, and a disagreement or an error stays with its own case."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from rulehelpers import component, make_case, rulebook
from woningwet_engine import evaluation
from woningwet_engine.case import Case
from woningwet_engine.errors import EngineError, InputError
from woningwet_engine.pipeline import Request, judge, judge_many
from woningwet_engine.result import canonical_json, sha256_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (the benchmarks' seeded portfolio generator)


def _requests() -> list[Request]:
    """Cases on days of a few regime periods (two cases on one day), both languages, with options."""
    out = []
    for i, day in enumerate(["2016-06-01", "2016-06-01", "2016-07-03", "2020-03-01", "2023-02-14"]):
        comps = [component(id="D1", dwelling={"rent": f"{420 + 97 * i}.00"}),
                 component(id="D2", units=4 + i, dwelling={"rent": f"{900 + 31 * i}.00"})]
        out.append(Request(make_case(day, comps, case_id=f"m-{i}"), lang="nl" if i % 2 else "en",
                           start=dt.date(2024, 1, 1) if i == 3 else None))
    data = generate.realistic(60, seed=9)[0]
    out.append(Request(Case.model_validate(data), at=generate.DAY, keep_by="units"))
    return out


def _one_by_one(rq: Request) -> str:
    return canonical_json(judge(rq.case, rulebook(), at=rq.at, lang=rq.lang, start=rq.start, keep_by=rq.keep_by))


def test_each_case_of_a_batch_is_judged_as_on_its_own():
    requests = _requests()
    results = judge_many(requests, rulebook(), evaluation.Engine())
    assert [canonical_json(r) for r in results] == [_one_by_one(rq) for rq in requests]


def test_the_facts_of_a_period_are_fired_together(monkeypatch):
    calls = []
    real = evaluation.Engine.fire

    def counted(self, selection, facts):
        calls.append(len(facts))
        return real(self, selection, facts)

    monkeypatch.setattr(evaluation.Engine, "fire", counted)
    requests = _requests()[:3]  # one regime period (2016-06-01 .. 2016-07-03 lie between two change points)
    book = rulebook()
    assert len({book.at(rq.case.date).key for rq in requests}) == 1
    judge_many(requests, book, evaluation.Engine())
    assert calls == [sum(len(rq.case.components) + 1 for rq in requests) + sum(
        len({c.project for c in rq.case.components if c.project}) for rq in requests)]


def test_a_disagreement_is_the_error_of_its_own_case_only(monkeypatch):
    requests = _requests()[:3]
    real = evaluation.Engine.fire

    def drops_one(self, selection, facts):  # durable_rules "misses" a branch on the second case's facts
        fired = real(self, selection, facts)
        victim = next(n for n, f in enumerate(facts) if f["kind"] == "component" and n >= 3)
        return {(b, n) for b, n in fired if n != victim}

    monkeypatch.setattr(evaluation.Engine, "fire", drops_one)
    results = judge_many(requests, rulebook(), evaluation.Engine())
    monkeypatch.undo()
    assert isinstance(results[1], EngineError) and "only the reference fired" in str(results[1])
    assert "'component:D1')" in str(results[1])  # named by the case's own fact id, not its position in the batch
    assert not isinstance(results[0], Exception) and not isinstance(results[2], Exception)
    assert canonical_json(results[0]) == _one_by_one(requests[0])


def test_errors_stay_with_their_request():
    good, = _requests()[:1]
    outside = Request(good.case, at=dt.date(2031, 1, 1))  # after the rulebook's coverage
    bad_option = Request(good.case, keep_by="size")
    results = judge_many([outside, good, bad_option], rulebook(), evaluation.Engine())
    assert isinstance(results[0], InputError) and "coverage" in str(results[0].problems[0])
    assert isinstance(results[2], ValueError) and "keep_by" in str(results[2])
    assert canonical_json(results[1]) == _one_by_one(good)


def test_a_given_case_hash_is_the_one_judge_computes():
    rq = _requests()[0]
    digest = sha256_of(rq.case.canonical())
    with_hash = Request(rq.case, lang=rq.lang, case_sha256=digest)
    assert canonical_json(judge_many([with_hash], rulebook())[0]) == _one_by_one(rq)


@pytest.mark.parametrize("jobs", [1, 2])
def test_replay_of_batches_compares_every_record(tmp_path, monkeypatch, jobs):
    """Records of several periods, languages and options, replayed in batches (in this process and
    by two workers): every record identical, byte for byte."""
    from woningwet_engine.audit import DecisionLog, record_decision
    from woningwet_engine.audit import replay

    path = tmp_path / "log.sqlite"
    for rq in _requests():
        options = {k: v for k, v in (("start", rq.start), ("keep_by", rq.keep_by)) if v not in (None, "value")}
        record_decision(rq.case, judge(rq.case, rulebook(), at=rq.at, lang=rq.lang, **options), rulebook(), path,
                        source="test", options=options)
    monkeypatch.setattr(replay, "MIN_PARALLEL", 2)
    monkeypatch.setattr(replay, "BATCH", 4)
    with DecisionLog.open(path) as log:
        outcomes = replay.replay_all(log, jobs=jobs)
    assert [(o.record_id, o.status) for o in outcomes] == [(i, "identical") for i in range(1, 7)]

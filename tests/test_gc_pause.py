"""judge() pauses the cyclic garbage collector while it runs and leaves it as it found it,
also when judgements overlap in threads (gcpause.py)."""

from __future__ import annotations

import gc
import threading

from rulehelpers import component, judge, make_case
from woningwet_engine import evaluation


def _case(case_id: str):
    return make_case("2019-06-01", [component(id="C1")], case_id=case_id)


def _watching(seen: dict, hold: dict | None = None):
    def observer(selection, evaluations):  # called inside judge(), after the evaluation
        seen.setdefault(threading.get_ident(), []).append(gc.isenabled())
        if hold is not None and threading.get_ident() == hold["thread"]:
            hold["inside"].set()
            hold["release"].wait(10)
    return observer


def test_the_collector_is_paused_while_judging_and_running_again_after():
    seen: dict = {}
    observer = _watching(seen)
    evaluation.observe(observer)
    try:
        assert gc.isenabled()
        judge(_case("gc-1"))
        assert gc.isenabled()
    finally:
        evaluation.unobserve(observer)
    assert [v for values in seen.values() for v in values] == [False]


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    try:
        judge(_case("gc-2"))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_judgements_resume_the_collector_when_the_last_one_ends():
    hold = {"inside": threading.Event(), "release": threading.Event(), "thread": None}
    seen: dict = {}
    observer = _watching(seen, hold)
    evaluation.observe(observer)
    try:
        def held():
            hold["thread"] = threading.get_ident()
            judge(_case("gc-3"))

        first = threading.Thread(target=held)
        first.start()
        assert hold["inside"].wait(10)  # the first judgement is inside judge()
        judge(_case("gc-4"))  # a second one starts and ends meanwhile
        assert not gc.isenabled()  # ... and does not switch the collector on under the first
        hold["release"].set()
        first.join(10)
        assert gc.isenabled()
    finally:
        hold["release"].set()
        evaluation.unobserve(observer)

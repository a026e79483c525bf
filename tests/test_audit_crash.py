"""Crash safety: a process killed inside the write transaction leaves a log that still verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine.audit import DecisionLog, record_decision
from woningwet_engine.audit.log import PAUSE_ENV

TESTS = Path(__file__).resolve().parent

WRITER = """
import sys
sys.path.insert(0, {tests!r})
from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine.audit import record_decision
case = make_case("2021-05-01", [component(id="X1", dwelling={{"rent": "640.00"}})], case_id="killed")
record_decision(case, judge(case), rulebook(), {log!r})
print("finished")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_mid_write_leaves_a_verifiable_log(tmp_path):
    log = tmp_path / "log.sqlite"
    case = make_case("2021-05-01", [component(id="A1")], case_id="before")
    record_decision(case, judge(case), rulebook(), log)
    marker = tmp_path / "in-transaction"
    env = {**os.environ, PAUSE_ENV: str(marker)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(tests=str(TESTS), log=str(log))], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "writer never reached the transaction"
            time.sleep(0.05)
        # the record is inserted but not committed: a reader sees the old log, and so does everyone after the kill
        with DecisionLog.open(log) as dlog:
            assert dlog.count() == 1
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert b"finished" not in proc.stdout.read()

    with DecisionLog.open(log) as dlog:
        assert dlog.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r["case_id"] for r in dlog.records()] == ["before"]  # the half-written record is absent
        report = dlog.verify()
        assert report.ok, [str(f) for f in report.findings]
    # and the log carries on: the next record chains onto the last committed one
    case2 = make_case("2021-05-01", [component(id="B1")], case_id="after")
    rec = record_decision(case2, judge(case2), rulebook(), log)
    assert rec["id"] == 2
    with DecisionLog.open(log) as dlog:
        assert dlog.verify().ok

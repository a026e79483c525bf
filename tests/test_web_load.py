"""A small bounded loopback load on `POST /api/check` (benchmarks/bench_web.py is the full 200-request run).

Many requests at once: every answer is 200 and byte-identical to the CLI's JSON, and pages that do not
judge are still served while the judging thread works through the queue."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from webhelpers import ROOT, Server
from woningwet_engine.cli import main

KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"
REQUESTS = 40


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("web-load"))
    yield srv
    srv.stop()


def test_concurrent_checks_are_identical_and_pages_stay_served(server):
    expected = CliRunner().invoke(main, ["check", str(KANALENEILAND), "--format", "json"]).stdout_bytes
    body = KANALENEILAND.read_bytes()
    done = []
    lock = threading.Lock()
    gate = threading.Barrier(REQUESTS)

    def check(_):
        gate.wait(timeout=60)
        status, _, data = server.post("/api/check", body)
        with lock:
            done.append(1)
        return status, data

    with ThreadPoolExecutor(max_workers=REQUESTS + 1) as pool:
        futures = [pool.submit(check, i) for i in range(REQUESTS)]
        while not done:  # the queue is being worked through
            threading.Event().wait(0.01)
        status, _, page = server.request("GET", "/")
        with lock:
            finished_when_page_came = len(done)
        results = [f.result(timeout=300) for f in futures]
    assert status == 200 and b"<form" in page
    assert finished_when_page_came < REQUESTS, "the start page waited for the whole judging queue"
    assert [s for s, _ in results] == [200] * REQUESTS
    assert {d for _, d in results} == {expected}

"""Loopback load test of the web API (not part of the test suite; see docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_web.py [--requests 200] [--concurrency 200] [--limit-s 300] [CASE]

Starts `woningwet serve` on a free loopback port, sends REQUESTS `POST /api/check` of CASE with
CONCURRENCY of them in flight at once, and prints latency percentiles. Every answer must be 200 and
byte-identical to the others and to `woningwet check CASE --format json`. Bounded: the whole run
stops after --limit-s seconds (each request also times out), and only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def start_server(tmp: Path) -> tuple[subprocess.Popen, int, Path]:
    err = tmp / "server.stderr"
    proc = subprocess.Popen([sys.executable, "-m", "woningwet_engine.cli", "serve", "--host", HOST, "--port", "0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(err, "w"), cwd=tmp)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {err.read_text()}")
        m = re.search(rf"http://{re.escape(HOST)}:(\d+)/", err.read_text())
        if m:
            port = int(m.group(1))
            try:
                post(port, "GET", "/api/openapi.json", None, 10)
                return proc, port, err
            except OSError:
                pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def post(port: int, method: str, path: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"content-type": "application/yaml"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def load(port: int, body: bytes, requests: int, concurrency: int, limit_s: float) -> dict:
    """Fire the requests (all released at once per wave of `concurrency`); latencies in seconds."""
    results: list[tuple[int, bytes, float] | str] = []
    lock = threading.Lock()
    gate = threading.Barrier(min(concurrency, requests))
    deadline = time.monotonic() + limit_s

    def one(i: int) -> None:
        if i < concurrency:
            try:
                gate.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            out: tuple | str = "not sent: time limit reached"
        else:
            t = time.perf_counter()
            try:
                status, data = post(port, "POST", "/api/check", body, remaining)
                out = (status, data, time.perf_counter() - t)
            except OSError as exc:
                out = f"{type(exc).__name__}: {exc}"
        with lock:
            results.append(out)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, i) for i in range(requests)]
        wait(futures, timeout=limit_s + 60)
    wall = time.perf_counter() - t0
    errors = [r for r in results if isinstance(r, str)] + [f"status {r[0]}" for r in results
                                                           if not isinstance(r, str) and r[0] != 200]
    ok = [r for r in results if not isinstance(r, str) and r[0] == 200]
    lat = sorted(r[2] for r in ok)
    bodies = {r[1] for r in ok}

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] if lat else float("nan")

    return {"requests": requests, "concurrency": concurrency, "answered": len(results), "ok": len(ok),
            "errors": errors[:5], "n_errors": len(errors), "distinct_bodies": len(bodies),
            "body": next(iter(bodies)) if len(bodies) == 1 else None,
            "p50_s": pct(50), "p95_s": pct(95), "max_s": lat[-1] if lat else float("nan"),
            "wall_s": wall, "throughput_per_s": len(ok) / wall if wall else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", nargs="?", default=str(ROOT / "cases" / "kanaleneiland-2016.yaml"))
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--limit-s", type=float, default=300.0, help="stop the whole run after this many seconds")
    args = ap.parse_args()
    if not 1 <= args.concurrency <= 500 or not 1 <= args.requests <= 5000:
        raise SystemExit("keep it bounded: 1..5000 requests, 1..500 at once")
    case = Path(args.case)
    body = case.read_bytes()
    expected = subprocess.run([str(Path(sys.executable).with_name("woningwet")), "check", str(case), "--format", "json"],
                              capture_output=True).stdout
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        proc, port, _ = start_server(Path(tmp))
        try:
            post(port, "POST", "/api/check", body, 60)  # warm: rulebook selection, first judge
            out = load(port, body, args.requests, args.concurrency, args.limit_s)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    same_as_cli = out.pop("body") == expected
    out["identical_to_cli"] = same_as_cli
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}, indent=2))
    if out["n_errors"] or out["distinct_bodies"] != 1 or not same_as_cli:
        sys.exit(1)


if __name__ == "__main__":
    main()

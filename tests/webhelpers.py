"""A real `woningwet serve` process on a free loopback port, for the web tests (one per test module)."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120


class Server:
    def __init__(self, tmp: Path, *args: str, env: dict | None = None):
        self.log_file = tmp / "server.stderr"
        self._err = open(self.log_file, "w+", encoding="utf-8")
        cmd = [sys.executable, "-m", "woningwet_engine.cli", "serve", "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self._err, env={**os.environ, **(env or {})})
        self.base = self._wait_for_address()
        self.host, self.port = urlsplit(self.base).hostname, urlsplit(self.base).port

    def _wait_for_address(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        base = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log_file.read_text()}")
            if base is None:
                m = re.search(r"(http://127\.0\.0\.1:\d+)/", self.log_file.read_text())
                base = m and m.group(1)
            if base:
                try:
                    self.request("GET", "/api/openapi.json", base=base)  # any answer: started
                    return base
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("server did not start: " + self.log_file.read_text())

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                base: str | None = None, timeout: float = 120) -> tuple[int, dict, bytes]:
        u = urlsplit(base or self.base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def post(self, path: str, body: bytes, **headers) -> tuple[int, dict, bytes]:
        return self.request("POST", path, body, {"content-type": "application/yaml", **headers})

    def json(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
        status, _, data = self.request(method, path, body)
        return status, json.loads(data)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._err.close()

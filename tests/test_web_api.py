"""The HTTP API of `woningwet serve` against the CLI: same bytes, same problems, nothing recorded on error.

One real server process (loopback, free port, a decision log in a temporary directory) serves the
whole module."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from webhelpers import ROOT, Server
from woningwet_engine.audit import DecisionLog
from woningwet_engine.cli import main

CASES = sorted((ROOT / "cases").glob("*.yaml"))
KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-api")
    srv = Server(tmp, "--log", str(tmp / "decisions.sqlite"))
    srv.log_path = tmp / "decisions.sqlite"
    yield srv
    srv.stop()


def cli(*args) -> tuple[int, bytes, str]:
    r = CliRunner().invoke(main, [str(a) for a in args])
    return r.exit_code, r.stdout_bytes, r.stderr


def log_count(path: Path) -> int:
    if not path.exists():
        return 0
    with DecisionLog.open(path) as log:
        return log.count()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
@pytest.mark.parametrize("query,args", [("", []), ("?lang=en&at=2022-06-01", ["--lang", "en", "--at", "2022-06-01"])],
                         ids=["default", "en-2022"])
def test_check_equals_cli_json_byte_for_byte(server, case, query, args):
    code, out, _ = cli("check", case, "--format", "json", *args)
    assert code in (0, 1)
    status, headers, body = server.post("/api/check" + query, case.read_bytes())
    assert status == 200, body[:500]
    assert body == out
    assert headers["content-type"].startswith("application/json")
    assert headers["x-woningwet-compliant"] == ("true" if code == 0 else "false")


def test_check_accepts_json_bodies(server):
    import yaml

    data = yaml.safe_load(KANALENEILAND.read_text(encoding="utf-8"))
    body = json.dumps(data, default=str).encode()
    _, out, _ = cli("check", KANALENEILAND, "--format", "json")
    status, _, got = server.post("/api/check", body, **{"content-type": "application/json"})
    assert status == 200
    assert got == out


def _cli_problems(tmp_path: Path, name: str, text: bytes) -> list[str]:
    path = tmp_path / name
    path.write_bytes(text)
    import os

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, out, err = cli("check", name, "--format", "json")
    finally:
        os.chdir(old)
    assert code == 2 and out == b""
    lines = err.splitlines()
    assert lines[0].startswith("fout:")  # Dutch by default, as the API's reader_text
    return [line.strip() for line in lines[1:]]


BAD_YAML = b"case_id: bad\ntitle: [unclosed\ndate: 2016-06-01\n"


def test_bad_yaml_is_422_with_the_cli_problems_and_no_log_entry(server, tmp_path):
    before = log_count(server.log_path)
    status, headers, body = server.post("/api/check?name=bad.yaml&record=1", BAD_YAML)
    assert status == 422
    data = json.loads(body)
    texts = [p["reader_text"] for p in data["problems"]]
    assert texts == _cli_problems(tmp_path, "bad.yaml", BAD_YAML)
    assert data["problems"][0]["line"] is not None
    assert log_count(server.log_path) == before


def test_unknown_field_is_422_with_file_line_field(server, tmp_path):
    text = KANALENEILAND.read_bytes().replace(b"    units: 150\n", b"    units: 150\n    colour: red\n", 1)
    before = log_count(server.log_path)
    status, _, body = server.post("/api/check?name=k.yaml&record=1", text)
    assert status == 422
    problems = json.loads(body)["problems"]
    assert [p["reader_text"] for p in problems] == _cli_problems(tmp_path, "k.yaml", text)
    (p,) = problems
    assert p["field"] == "components.2.colour" and p["message"].startswith("unknown field")
    assert p["file"] == "k.yaml" and text.decode().splitlines()[p["line"] - 1].strip() == "colour: red"
    assert log_count(server.log_path) == before


def test_ten_megabyte_body_is_413_and_not_recorded(server):
    before = log_count(server.log_path)
    body = b"# " + b"x" * (10 * 1024 * 1024) + b"\n"
    status, _, data = server.post("/api/check?record=1", body)
    assert status == 413
    assert json.loads(data)["problems"][0]["field"] == "body"
    assert log_count(server.log_path) == before


def test_streamed_body_without_length_is_limited_too(server):
    """A chunked body announces no length: the limit still holds."""
    sock = socket.create_connection((server.host, server.port), timeout=30)
    try:
        sock.sendall(b"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                     b"Content-Type: application/yaml\r\n\r\n")
        chunk = b"# " + b"y" * (256 * 1024 - 3) + b"\n"
        try:
            for _ in range(12):  # 3 MB in all
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the whole body is sent
        reply = sock.recv(4096)
    finally:
        sock.close()
    assert reply.startswith(b"HTTP/1.1 413")


def test_record_appends_one_decision(server):
    before = log_count(server.log_path)
    status, headers, body = server.post("/api/check?record=1", KANALENEILAND.read_bytes())
    assert status == 200
    assert log_count(server.log_path) == before + 1
    with DecisionLog.open(server.log_path) as log:
        rec = log.get(int(headers["x-woningwet-record"]))
    assert rec["result_json"].encode() == body and rec["origin"] == "web"


def test_a_coalition_case_is_recorded_and_replays_identical(server):
    laak = ROOT / "cases" / "coalition" / "laak-coalitie.yaml"
    status, headers, body = server.post("/api/check?record=1&by=A.%20Adviseur&purpose=web", laak.read_bytes())
    assert status == 200 and json.loads(body)["kind"] == "coalition"
    rid = int(headers["x-woningwet-record"])
    with DecisionLog.open(server.log_path) as log:
        rec = log.get(rid)
    assert rec["result_json"].encode() == body and rec["origin"] == "web"
    assert json.loads(rec["context"])["by"] == "A. Adviseur"
    code, out, _ = cli("audit", "replay", rid, "--log", server.log_path)
    assert code == 0 and f"beslissing {rid}: identiek".encode() in out


def test_bad_options_are_422(server):
    for query, field in (("?at=2016-13-01", "at"), ("?lang=fr", "lang"), ("?keep_by=size", "keep_by")):
        status, _, body = server.post("/api/check" + query, KANALENEILAND.read_bytes())
        assert status == 422, query
        assert json.loads(body)["problems"][0]["file"] == field
    status, _, body = server.post("/api/check?at=1990-01-01", KANALENEILAND.read_bytes())
    assert status == 422 and "coverage" in json.loads(body)["problems"][0]["message"]


def test_report_equals_cli_memo(server, tmp_path):
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"memo.{fmt}"
        code, _, _ = cli("report", KANALENEILAND, "--format", fmt, "--lang", "en", "-o", out)
        assert code == 0
        status, headers, body = server.post(f"/api/report?format={fmt}&lang=en&name={KANALENEILAND.name}",
                                            KANALENEILAND.read_bytes())
        assert status == 200
        # the CLI names the case by its path, the API by the name given
        assert body == out.read_bytes().replace(str(KANALENEILAND).encode(), KANALENEILAND.name.encode())
    status, _, body = server.post("/api/report?format=docx", KANALENEILAND.read_bytes())
    assert status == 422


def test_compare_equals_cli(server):
    code, out, _ = cli("compare", KANALENEILAND, "--at", "2016-06-01", "--at", "2022-06-01", "--format", "json")
    assert code in (0, 1)
    status, _, body = server.post("/api/compare?at=2016-06-01&at=2022-06-01", KANALENEILAND.read_bytes())
    assert status == 200
    assert body == out
    status, _, _ = server.post("/api/compare?at=2016-06-01", KANALENEILAND.read_bytes())
    assert status == 422


def test_rules_schema_and_openapi(server):
    status, data = server.json("GET", "/api/rules?at=2016-06-01")
    assert status == 200
    ids = [r["id"] for r in data["rules"]]
    code, out, _ = cli("rules", "list", "--at", "2016-06-01")
    assert ids == [line.split()[0] for line in out.decode().splitlines()]
    assert all(r["citations"] and r["citations"][0]["url"].startswith("https://wetten.overheid.nl/")
               for r in data["rules"])
    status, schema = server.json("GET", "/api/schema/case")
    _, out, _ = cli("schema", "case")
    assert status == 200 and schema == json.loads(out)
    status, spec = server.json("GET", "/api/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.1")
    assert {"/api/check", "/api/report", "/api/compare", "/api/rules", "/api/schema/case"} <= set(spec["paths"])
    assert server.json("GET", "/api/rules?at=yesterday")[0] == 422


def test_security_headers_on_pages_and_api(server):
    for path in ("/", "/api/openapi.json", "/sample/kanaleneiland-2016", "/no-such-page"):
        status, headers, _ = server.request("GET", path)
        assert status in (200, 404), path
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_no_request_path_reaches_the_filesystem(server):
    for path in ("/static/../../../etc/passwd", "/static/..%2f..%2fpyproject.toml", "/sample/..%2fpyproject",
                 "/sample/../../rules/rulebook", "/static/app.css/../../web/app.py"):
        status, _, body = server.request("GET", path)
        assert status == 404, path
        assert b"[project]" not in body and b"root:" not in body
    assert server.request("GET", "/static/app.css")[0] == 200


def test_foreign_host_and_cross_origin_posts_are_refused(server):
    status, _, _ = server.request("GET", "/", headers={"Host": "evil.example"})
    assert status == 421
    status, _, _ = server.request("POST", "/api/check", KANALENEILAND.read_bytes(),
                                  {"Origin": "http://evil.example", "Content-Type": "application/yaml"})
    assert status == 403
    status, _, _ = server.request("POST", "/api/check", KANALENEILAND.read_bytes(),
                                  {"Origin": server.base, "Content-Type": "application/yaml"})
    assert status == 200


def test_token_is_required_when_configured(tmp_path):
    srv = Server(tmp_path, env={"WONINGWET_TOKEN": "s3cret-token"})
    try:
        assert srv.request("GET", "/")[0] == 401
        assert srv.post("/api/check", KANALENEILAND.read_bytes())[0] == 401
        assert srv.post("/api/check", KANALENEILAND.read_bytes(), authorization="Bearer wrong")[0] == 401
        status, _, _ = srv.post("/api/check", KANALENEILAND.read_bytes(), authorization="Bearer s3cret-token")
        assert status == 200
        status, headers, _ = srv.request("GET", "/?token=s3cret-token")
        assert status == 303 and "HttpOnly" in headers["set-cookie"] and headers["location"] == "/"
        cookie = headers["set-cookie"].split(";")[0]
        assert srv.request("GET", "/", headers={"Cookie": cookie})[0] == 200
    finally:
        srv.stop()


XSS = '<script>window.__xss = 1</script>"><img src=x onerror="window.__xss = 2">'


def _xss_case() -> bytes:
    import yaml

    data = yaml.safe_load(KANALENEILAND.read_text(encoding="utf-8"))
    data["title"] = XSS
    for comp in data["components"][:3]:
        comp["title"] = XSS + comp["id"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def test_xss_probe_is_escaped_in_memo_and_pages(server):
    from html import unescape
    from urllib.parse import urlencode

    case = _xss_case()
    status, _, memo = server.post("/api/report?format=html", case)
    assert status == 200
    pages = [memo]
    for path in ("/check", "/edit/form", "/edit/yaml"):
        status, _, html = server.request("POST", path, urlencode({"case": case.decode()}).encode(),
                                         {"content-type": "application/x-www-form-urlencoded"})
        assert status == 200, path
        pages.append(html)
    for html in pages:
        text = html.decode()
        assert "<script>window.__xss" not in text and "<img src=x" not in text
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=" in text and XSS in unescape(text)


def test_download_gives_the_memo_as_a_file(server):
    from urllib.parse import urlencode

    body = urlencode({"case": KANALENEILAND.read_text(encoding="utf-8"), "name": KANALENEILAND.name,
                      "format": "md", "lang": "en"}).encode()
    status, headers, data = server.request("POST", "/download", body,
                                           {"content-type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert headers["content-disposition"] == 'attachment; filename="kanaleneiland-2016.en.md"'
    _, _, memo = server.post(f"/api/report?format=md&lang=en&name={KANALENEILAND.name}", KANALENEILAND.read_bytes())
    assert data == memo


def test_every_sample_opens(server):
    for case in CASES:
        status, _, html = server.request("GET", f"/sample/{case.stem}")
        assert status == 200 and b'id="memo"' in html, case.stem


def test_engine_work_runs_on_one_thread_never_two_at_once(monkeypatch):
    """The service's guarantee for durable_rules, observed on concurrent requests in one process."""
    import asyncio
    import threading
    import time

    from woningwet_engine import engine
    from woningwet_engine.web import service
    from woningwet_engine.web.service import Options, Service

    real_judge = engine.judge
    active, peak, threads = [0], [0], set()
    lock = threading.Lock()

    def watched(*args, **kwargs):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            threads.add(threading.get_ident())
        try:
            time.sleep(0.01)  # widen the window in which an overlap would show
            return real_judge(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(engine, "judge", watched)
    svc = Service()
    svc.start()
    raw = KANALENEILAND.read_bytes()

    async def burst():
        jobs = [svc.run(service.check_json, raw, Options()) for _ in range(6)]
        jobs += [svc.run(service.compare, raw, Options(), __import__("datetime").date(2022, 6, 1))]
        return await asyncio.gather(*jobs)

    try:
        out = asyncio.run(burst())
    finally:
        svc.stop()
    assert len({body for body, _, _ in out[:6]}) == 1
    assert peak[0] == 1 and len(threads) == 1 and threading.get_ident() not in threads


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium is not installed (apt-get install chromium)")
def test_report_pdf(server):
    status, headers, data = server.post("/api/report?format=pdf&lang=en", KANALENEILAND.read_bytes())
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")

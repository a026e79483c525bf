"""Progress on stderr for long runs (issue #14 item 6): report-all, audit verify/replay --all, stock.

Only when stderr is a terminal outside CI, or with --progress; never with --quiet; and never a byte
of difference on stdout or in the files written."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from woningwet_engine.cli import main
from woningwet_engine.progress import progress_enabled

ROOT = Path(__file__).resolve().parents[1]
CASES = ("laak-lettings-2022.yaml", "laak-2016.yaml", "zorg-parkeren-studenten-2017.yaml")


def run(*args, env: dict | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def cases_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cases")
    for name in CASES:
        shutil.copy(ROOT / "cases" / name, d / name)
    return d


@pytest.fixture(scope="module")
def log3(tmp_path_factory, cases_dir) -> Path:
    log = tmp_path_factory.mktemp("log") / "log.sqlite"
    res = run("check", *sorted(cases_dir.glob("*.yaml")), "-q", "--record", "--log", log)
    assert res.exit_code in (0, 1), res.output
    return log


def files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_report_all_progress_changes_no_output_byte(cases_dir, tmp_path):
    out = tmp_path / "memos"
    plain = run("report-all", "--cases", cases_dir, "-o", out)
    assert plain.exit_code == 0, plain.output
    assert plain.stderr == ""  # not a terminal, not asked
    first = files(out)
    assert len(first) == 2 * len(CASES)
    shown = run("report-all", "--cases", cases_dir, "-o", out, "--progress")
    assert shown.exit_code == 0
    assert shown.stdout == plain.stdout and files(out) == first
    lines = shown.stderr.splitlines()
    assert lines[-1] == f"report-all: {len(CASES)}/{len(CASES)} (100%)" and len(lines) == len(CASES)
    quiet = run("report-all", "--cases", cases_dir, "-o", out, "--progress", "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == "" and files(out) == first
    assert "wrote " in plain.stdout


def test_audit_progress_on_request_and_quiet(log3):
    for command in (("audit", "verify"), ("audit", "replay", "--all")):
        plain = run(*command, "--log", log3)
        shown = run(*command, "--log", log3, "--progress")
        quiet = run(*command, "--log", log3, "--progress", "-q")
        assert plain.exit_code == shown.exit_code == quiet.exit_code == 0, shown.output
        assert plain.stderr == "" and quiet.stderr == ""
        assert f"{command[1]}: 3/3 (100%)" in shown.stderr
        assert plain.stdout == shown.stdout == quiet.stdout


def test_stock_progress_only_on_request(tmp_path):
    register = ROOT / "cases" / "stock-sample.csv"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    plain = run("stock", register, "--at", "2016-06-01", "-o", a)
    shown = run("stock", register, "--at", "2016-06-01", "-o", b, "--progress")
    assert plain.exit_code == shown.exit_code, shown.output
    assert plain.stderr == "" and "rijen gelezen" in shown.stderr and "eenheden getoetst in" in shown.stderr
    english = run("stock", register, "--at", "2016-06-01", "-o", b, "--progress", "--lang", "en")
    assert "rows read" in english.stderr and "units judged in" in english.stderr
    quiet = run("stock", register, "--at", "2016-06-01", "-o", b, "--progress", "--quiet")
    assert quiet.stderr == ""
    assert plain.stdout == shown.stdout == quiet.stdout and a.read_bytes() == b.read_bytes()


def test_progress_default_follows_the_terminal_and_ci(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    monkeypatch.delenv("CI", raising=False)
    assert progress_enabled(None) is True
    assert progress_enabled(None, quiet=True) is False
    assert progress_enabled(False) is False
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(None) is False
    assert progress_enabled(True) is True


def _on_a_terminal(args: list[str], env: dict) -> tuple[bytes, bytes, int]:
    """Run the CLI with stderr on a pseudo-terminal and stdout on a pipe: (stdout, stderr, exit code)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "woningwet_engine.cli", *args], stdout=subprocess.PIPE,
                              stderr=slave, env=env, timeout=300)
    finally:
        os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed and everything was read
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return proc.stdout, err, proc.returncode


def test_progress_on_a_real_terminal_not_under_ci(log3):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    args = ["audit", "replay", "--all", "--log", str(log3)]
    out, err, code = _on_a_terminal(args, env)
    assert code == 0, err
    assert b"\rreplay: 3/3" in err
    piped = subprocess.run([sys.executable, "-m", "woningwet_engine.cli", *args], capture_output=True, env=env,
                           timeout=300)
    assert piped.returncode == 0 and piped.stderr == b"" and piped.stdout == out
    out_ci, err_ci, _ = _on_a_terminal(args, dict(env, CI="true"))
    assert b"replay:" not in err_ci and out_ci == out

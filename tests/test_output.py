"""Safe output (issue #17): only regular files or stdout are written; devices-like targets (FIFO,
socket, directory), hard-linked files and OS failures give one clean error (exit 2) with nothing
written; with --record the log entry stands or falls with the output. FIFOs, sockets and files in
temporary directories only, never a device of the machine; OS failures are simulated."""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
import stat
import types

import pytest
from click.testing import CliRunner

from clirun import ROOT, assert_clean_refusal, problems_in_english, run_cli
from woningwet_engine import output
from woningwet_engine.cli import main
from woningwet_engine.output import StagedOutput, destination, write_output

CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".ww-"))


def _fifo(d):
    os.mkfifo(d / "out.json")
    return d / "out.json", "a FIFO"


def _dir(d):
    (d / "out.json").mkdir()
    return d / "out.json", "a directory"


def _sock(d):
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(d / "out.json"))
    s.close()
    return d / "out.json", "a socket"


def _link_to_fifo(d):
    os.mkfifo(d / "pipe")
    (d / "out.json").symlink_to(d / "pipe")
    return d / "out.json", "a FIFO"


def _hard_linked(d):
    (d / "out.json").write_text("old")
    os.link(d / "out.json", d / "other.json")
    return d / "out.json", "2 hard links"


def _parent_is_file(d):
    (d / "file").write_text("x")
    return d / "file" / "out.json", "not a directory"


def _name_too_long(d):
    return d / ("x" * 300 + ".json"), "file name too long"


def _empty_name(d):
    return "", "not a file name"


TARGETS = {f.__name__.strip("_"): f for f in (_fifo, _dir, _sock, _link_to_fifo, _hard_linked, _parent_is_file,
                                              _name_too_long, _empty_name)}


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_check_refuses_an_unsafe_output_before_any_work(kind, tmp_path):
    target, words = TARGETS[kind](tmp_path)
    before = {p.name: p.lstat() for p in tmp_path.iterdir()}
    log = tmp_path / "log.sqlite"
    run = run_cli(problems_in_english(["check", CASE, "--format", "json", "-o", target, "--record", "--log", log]), cwd=tmp_path,
                  timeout=30)
    assert_clean_refusal(run, words)
    after = {p.name: p.lstat() for p in tmp_path.iterdir()}
    assert after.keys() == before.keys(), "nothing written: no output, no temporary, no decision log"
    for name, st in before.items():
        assert stat.S_IFMT(after[name].st_mode) == stat.S_IFMT(st.st_mode) and after[name].st_ino == st.st_ino
    if kind == "hard_linked":
        assert (tmp_path / "out.json").read_text() == "old" and (tmp_path / "out.json").stat().st_nlink == 2


@pytest.mark.parametrize("command", [["report", CASE, "--format", "md"], ["compare", CASE, "--at", "2016-06-01",
                                                                          "--at", "2022-06-01"]])
def test_report_and_compare_refuse_a_fifo(command, tmp_path):
    target, _ = _fifo(tmp_path)
    run = run_cli(problems_in_english([*command, "-o", target]), cwd=tmp_path, timeout=30)
    assert_clean_refusal(run, "a FIFO")
    assert stat.S_ISFIFO(target.lstat().st_mode)


def test_dash_is_stdout_and_a_symlink_target_is_replaced(tmp_path):
    res = CliRunner().invoke(main, ["check", str(CASE), "--format", "json", "-o", "-"])
    assert res.exit_code in (0, 1) and res.stdout.startswith("{")
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o640)
    (tmp_path / "link.json").symlink_to(real)
    res = CliRunner().invoke(main, ["check", str(CASE), "--format", "json", "-o", str(tmp_path / "link.json")])
    assert res.exit_code in (0, 1), res.output
    assert (tmp_path / "link.json").is_symlink() and real.read_text().startswith("{")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640, "replacing keeps the file's permissions"
    assert leftovers(tmp_path) == []


class _FailingOs(types.SimpleNamespace):
    """The os module as output.py sees it, with one call failing like the named OS error."""


def _failing_os(monkeypatch, call: str, code: int):
    proxy = _FailingOs(**{name: getattr(os, name) for name in dir(os) if not name.startswith("__")})

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    setattr(proxy, call, fail)
    monkeypatch.setattr(output, "os", proxy)


FAILURES = {
    "read_only_fs": ("open", errno.EROFS, "read-only file system"),
    "disk_full": ("write", errno.ENOSPC, "disk full"),
    "quota": ("write", errno.EDQUOT, "disk quota exceeded"),
    "fsync_io_error": ("fsync", errno.EIO, "input/output error"),
    "rename_fails": ("replace", errno.EXDEV, "cannot move across file systems"),
}


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_os_failures_while_writing_are_clean_errors(name, tmp_path, monkeypatch):
    call, code, words = FAILURES[name]
    target = tmp_path / "out.json"
    target.write_text("previous")
    log = tmp_path / "log.sqlite"
    _failing_os(monkeypatch, call, code)
    res = CliRunner().invoke(main, ["check", str(CASE), "--format", "json", "-o", str(target), "--record",
                                    "--log", str(log), "--lang", "en"])
    assert res.exit_code == 2, (res.output, res.exception)
    assert words in res.output and "out.json" in res.output and "Traceback" not in res.output
    assert target.read_text() == "previous", "the old output is untouched"
    assert leftovers(tmp_path) == []
    if log.exists():  # the log may have been created, but holds no decision for the failed output
        with sqlite3.connect(log) as conn:
            assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0


def test_real_file_size_limit_is_a_clean_error(tmp_path):
    """A real write failure, not a mock: RLIMIT_FSIZE makes the write fail with EFBIG."""
    import resource
    import subprocess
    import sys

    out = tmp_path / "out.json"
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); "
            "from woningwet_engine.cli import main; sys.argv = ['woningwet'] + sys.argv[1:]; main()")
    proc = subprocess.run([sys.executable, "-c", code, "check", str(CASE), "--format", "json", "-o", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "out.json" in proc.stderr
    assert not out.exists() and leftovers(tmp_path) == []
    del resource


def test_record_commits_only_after_the_output_is_in_place(tmp_path, monkeypatch):
    """The output is published inside the log transaction: a failed rename leaves no record; a
    failed commit puts the previous output back."""
    target = tmp_path / "out.json"
    target.write_text("previous")
    staged = StagedOutput(destination(target), "new")
    staged.publish()
    assert target.read_text() == "new"
    staged.rollback()
    assert target.read_text() == "previous" and leftovers(tmp_path) == []
    fresh = tmp_path / "fresh.json"
    staged = StagedOutput(destination(fresh), "new")
    staged.publish()
    staged.rollback()
    assert not fresh.exists() and leftovers(tmp_path) == []


def test_commit_failure_rolls_the_output_back(tmp_path, monkeypatch):
    from woningwet_engine.audit import log as audit_log

    target = tmp_path / "out.json"
    target.write_text("previous")
    log = tmp_path / "log.sqlite"

    class FailingCommit:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            if sql == "COMMIT":
                raise sqlite3.OperationalError("disk I/O error")
            return self._conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    original = audit_log.DecisionLog.append_many

    def append_many(self, *args, **kwargs):
        self.conn = FailingCommit(self.conn)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(audit_log.DecisionLog, "append_many", append_many)
    res = CliRunner().invoke(main, ["check", str(CASE), "--format", "json", "-o", str(target), "--record",
                                    "--log", str(log)])
    assert res.exit_code == 2 and "kan het beslissingenlog niet schrijven" in res.output, res.output  # Dutch by default
    assert target.read_text() == "previous" and leftovers(tmp_path) == []


def test_write_output_api(tmp_path):
    write_output(tmp_path / "sub" / "dir" / "a.txt", "x")
    assert (tmp_path / "sub" / "dir" / "a.txt").read_text() == "x"
    write_output(tmp_path / "k.pem", b"secret", mode=0o600)
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600

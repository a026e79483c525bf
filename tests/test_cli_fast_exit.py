"""`woningwet check` ends with os._exit once its output is flushed (cli.Group.__call__): the output
and exit code of the real process must equal those of click's in-process runner, which exits normally."""

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from woningwet_engine import cli

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "cases").glob("*.yaml"))


def run(*args):
    return subprocess.run([sys.executable, "-m", "woningwet_engine.cli", *args], capture_output=True, timeout=120)


def test_process_output_equals_in_process_output_for_every_sample_case():
    runner = CliRunner()
    for fmt in ("json", "text"):
        args = ["check", *map(str, CASES), "--format", fmt]
        inproc = runner.invoke(cli.main, args)
        proc = run(*args)
        assert len(proc.stdout) > 10_000  # several pipe buffers: all of it must arrive
        assert proc.stdout == inproc.stdout_bytes
        assert proc.returncode == inproc.exit_code


def test_output_file_is_complete_and_exit_code_kept(tmp_path):
    out = tmp_path / "r.json"
    proc = run("check", str(CASES[0]), "--format", "json", "-o", str(out))
    inproc = CliRunner().invoke(cli.main, ["check", str(CASES[0]), "--format", "json"])
    assert proc.stdout == b""
    assert out.read_bytes() == inproc.stdout_bytes
    assert proc.returncode == inproc.exit_code


def test_in_process_runner_does_not_end_the_process():
    # click's runner calls main.main(), not main(): the flag is set but never acted on here
    result = CliRunner().invoke(cli.main, ["check", str(CASES[0])])
    assert result.exit_code in (0, 1)
    assert cli._FAST_EXIT is True


COALITION = ROOT / "cases" / "coalition" / "laak-coalitie.yaml"


def test_report_process_output_equals_in_process_output(tmp_path):
    runner = CliRunner()
    for case in (CASES[0], COALITION):
        for fmt in ("html", "md"):
            args = ["report", str(case), "--format", fmt]
            inproc = runner.invoke(cli.main, args)
            proc = run(*args)
            assert len(proc.stdout) > 10_000
            assert (proc.stdout, proc.returncode) == (inproc.stdout_bytes, inproc.exit_code)
            out = tmp_path / f"memo.{fmt}"
            proc = run(*args, "-o", str(out))
            assert (proc.stdout, proc.returncode) == (b"", inproc.exit_code)
            assert out.read_bytes() == inproc.stdout_bytes


_ATEXIT = """
import atexit, sys
atexit.register(lambda: print("teardown", file=sys.stderr))
from woningwet_engine.cli import main
sys.argv[0] = "woningwet"
main()
"""


def test_report_ends_without_teardown_and_other_commands_with_it(tmp_path):
    def stderr_of(*args):
        return subprocess.run([sys.executable, "-c", _ATEXIT, *args], capture_output=True, text=True,
                              timeout=120).stderr

    for case in (CASES[0], COALITION):
        assert "teardown" not in stderr_of("report", str(case), "--format", "html", "-o", str(tmp_path / "m.html"))
    assert "teardown" in stderr_of("rules", "validate")  # the control: a command that exits normally

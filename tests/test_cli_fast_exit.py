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

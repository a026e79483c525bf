"""Run the `woningwet` CLI in a child process and measure it (CPU time, peak memory, wall time).

Peak memory is the child's own VmHWM, read by a small launcher just before it exits: the kernel's
ru_maxrss of a child also counts the (forked) parent's memory before exec, so it says nothing
about the CLI. CPU time comes from wait4.

Hostile-input tests assert the issue-#17 budget on each run: exit 2, one clear message, no traceback,
at most `hostile_cpu_budget()` of CPU time and HOSTILE_RSS of peak resident memory. CPU time (not wall
time) is asserted so that a loaded machine does not make the tests flaky; the wall-clock timeout only
catches a run that blocks (on a FIFO, say) or loops. The CPU budget is relative to this machine: a
refusal may cost at most HOSTILE_CPU_FACTOR times a plain uncached check of the sample case (and never
less than HOSTILE_CPU_S), so a slow machine or interpreter does not fail it while a blow-up still does.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_CPU_S = 2.0
HOSTILE_CPU_FACTOR = 2.0
HOSTILE_RSS = 200 << 20


class _Measured(subprocess.Popen):
    """Popen that reaps its child with wait4, keeping the child's own resource usage."""

    rusage = None

    def _try_wait(self, wait_flags):  # the POSIX reaping hook of subprocess.Popen (3.11-3.13)
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.rusage = usage
        return pid, status


# Runs the CLI like the console script (without its fast os._exit) and writes the peak resident
# memory of this process (VmHWM, kB) to the file named by argv[1].
_LAUNCHER = """
import sys
from woningwet_engine.cli import main
hwm_file = sys.argv.pop(1)
try:
    main.main(sys.argv[1:], prog_name="woningwet")
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(hwm_file, "w") as out:
        out.write(peak)
"""


@dataclass
class Run:
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu_s: float
    max_rss: int  # bytes
    wall_s: float

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")


def run_cli(args: list[str], cwd: Path = ROOT, timeout: float = 120, env: dict | None = None,
            stdin: bytes | None = None) -> Run:
    """`python -m woningwet_engine.cli ARGS`; the child is killed after `timeout` seconds of wall time."""
    full_env = dict(os.environ, PYTHONHASHSEED="0", **(env or {}))
    fd, hwm_file = tempfile.mkstemp(prefix="ww-hwm-")
    os.close(fd)
    start = time.monotonic()
    proc = _Measured([sys.executable, "-c", _LAUNCHER, hwm_file, *map(str, args)], cwd=cwd,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"woningwet {' '.join(map(str, args))} still running after {timeout} s") from None
    finally:
        wall = time.monotonic() - start
    usage = proc.rusage
    assert usage is not None, "the child's resource usage was not collected"
    try:
        peak_kb = int(Path(hwm_file).read_text() or 0)
    finally:
        os.unlink(hwm_file)
    return Run(proc.returncode, out, err, usage.ru_utime + usage.ru_stime, peak_kb * 1024, wall)


@functools.cache
def hostile_cpu_budget() -> float:
    """CPU seconds a refused input may cost: HOSTILE_CPU_FACTOR x a plain uncached check, at least HOSTILE_CPU_S."""
    with tempfile.TemporaryDirectory(prefix="ww-budget-") as tmp:
        out = Path(tmp) / "result.json"
        run = run_cli(["check", ROOT / "cases" / "kanaleneiland-2016.yaml", "--format", "json", "-o", out],
                      env={"WONINGWET_NO_CACHE": "1"})
    assert run.returncode in (0, 1), run.err[-1500:]
    return max(HOSTILE_CPU_S, HOSTILE_CPU_FACTOR * run.cpu_s)


def assert_clean_refusal(run: Run, *expected: str) -> None:
    """Exit 2, exactly one problem (each `expected` text in it), no traceback, within the budget."""
    err = run.err
    assert run.returncode == 2, (run.returncode, err[-1500:])
    assert "Traceback" not in err, err[-2000:]
    assert run.stdout == b"", run.stdout[:300]
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[0] in ("error: 1 problem in the input:", "fout: 1 probleem in de invoer:") and len(lines) == 2, \
        err[:1500]
    for text in expected:
        assert text in lines[1], (text, lines[1])
    assert run.cpu_s < hostile_cpu_budget(), f"{run.cpu_s:.2f} s of CPU time (budget {hostile_cpu_budget():.2f} s)"
    assert run.max_rss < HOSTILE_RSS, f"{run.max_rss >> 20} MB peak memory"


AUDIT_IN_WORDS = {"verify", "replay", "export", "import", "anchor", "keygen"}


def in_english(args) -> list[str]:
    """CLI arguments with `--lang en` added to an audit command that prints words (Dutch by default),
    for tests that read the English wording."""
    args = [str(a) for a in args]
    if args[:1] == ["audit"] and args[1:2] and args[1] in AUDIT_IN_WORDS and "--lang" not in args:
        args += ["--lang", "en"]
    return args


WITH_LANG = {"check", "report", "compare", "stock"}


def problems_in_english(args) -> list[str]:
    """CLI arguments with `--lang en` added to a command that takes it, so that its input problems are
    said in English (Dutch by default), for tests that read the English wording of a refusal."""
    args = in_english(args)
    if args[:1] and args[0] in WITH_LANG and "--lang" not in args:
        args += ["--lang", "en"]
    return args

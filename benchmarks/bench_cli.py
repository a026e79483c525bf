"""Single-case latency of the CLI (not part of the test suite; see docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_cli.py [--runs 21] [CASE]

In fresh processes, measured in rounds so that machine load hits all alike: each round runs
`python -c pass`, `woningwet check CASE --format json`, `woningwet check CASE` (table) and
`woningwet report CASE --format html -o FILE`, with the on-disk caches (rulebook, model
validators) warm. Prints medians of wall and CPU time and the median of the per-round ratio
check / `python -c pass`. A last series runs with the caches off (WONINGWET_NO_CACHE=1).
Byte code of the package is compiled first (`compileall`), as a normal install has it.

    .venv/bin/python benchmarks/bench_cli.py --runs 15 --baseline main

times instead, in the same rounds, the three commands of this tree and of the git revision REV (its
package and rules exported to a temporary directory; each tree judges with its own rules), all
started by the same small launcher with the same Python and packages, so that the CPU ratio of the
two trees per command is a side-by-side figure of what changed between them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WONINGWET = Path(sys.executable).with_name("woningwet")


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def series(cmds: dict[str, list[str]], env: dict, runs: int) -> dict:
    for cmd in cmds.values():
        run(cmd, env)  # warm the OS file cache and the on-disk caches
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    cpus: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            w, c = run(cmd, env)
            walls[name].append(w)
            cpus[name].append(c)
    out = {name: {"median_wall_s": round(statistics.median(walls[name]), 3), "best_wall_s": round(min(walls[name]), 3),
                  "median_cpu_s": round(statistics.median(cpus[name]), 3)} for name in cmds}
    if "python -c pass" in cmds:
        base = walls["python -c pass"]
        for name in cmds:
            if name != "python -c pass":
                out[name]["median_ratio_to_python"] = round(statistics.median(
                    [a / b for a, b in zip(walls[name], base)]), 1)
    return out


# each tree entered as its console script enters it: woningwet_engine.launch where the tree has it
LAUNCH = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
          "sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'woningwet'\n"
          "try:\n    from woningwet_engine.launch import main\n"
          "except ImportError:\n    from woningwet_engine.cli import main\n"
          "main()")


def stale_console_script() -> str | None:
    """A warning when the installed `woningwet` script does not enter where pyproject.toml says (an
    install older than the entry point: `bash scripts/setup` reinstalls), else None."""
    import tomllib

    want = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["woningwet"]
    module, _, attr = want.partition(":")
    try:
        text = WONINGWET.read_text(encoding="utf-8")
    except OSError:
        return f"{WONINGWET} is missing"
    if f"from {module} import {attr}" not in text:
        return f"{WONINGWET} does not enter at {want}: run `bash scripts/setup` to reinstall it"
    return None


def export_tree(rev: str, into: Path) -> Path:
    """The package of git revision `rev`, exported (not checked out) into `into`, with byte code."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "woningwet_engine", "rules"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into / "woningwet_engine")],
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
                   check=True, capture_output=True)
    return into


COMMANDS = ("check --format json", "check (table)", "report --format html")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", nargs="?", default=str(ROOT / "cases" / "kanaleneiland-2016.yaml"))
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--baseline", metavar="REV", help="also time `check --format json` of this git revision")
    ap.add_argument("--only", choices=COMMANDS, action="append",
                    help="time only this command (repeatable; default: all three)")
    args = ap.parse_args()
    warning = stale_console_script()
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "woningwet_engine")], env=env,
                   check=True, capture_output=True)
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        memo = str(Path(tmp) / "memo.html")
        cmds = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "check --format json": [str(WONINGWET), "check", args.case, "--format", "json"],
            "check (table)": [str(WONINGWET), "check", args.case],
            "report --format html": [str(WONINGWET), "report", args.case, "--format", "html", "-o", memo],
        }
        if args.baseline:
            base = export_tree(args.baseline, Path(tmp))
            cmds = {"python -c pass": cmds["python -c pass"]}
            for label, tree in (("this tree", ROOT), (args.baseline, base)):
                # each with its own rules: an older engine may not read today's rule files
                launch = [sys.executable, "-c", LAUNCH, str(tree)]
                rules = ["--rules", str(tree / "rules")]
                cmds[f"{label}: check --format json"] = launch + ["check", args.case, "--format", "json"] + rules
                cmds[f"{label}: check (table)"] = launch + ["check", args.case] + rules
                cmds[f"{label}: report --format html"] = launch + ["report", args.case, "--format", "html", "-o",
                                                                   memo] + rules
        if args.only:
            cmds = {name: cmd for name, cmd in cmds.items()
                    if name == "python -c pass" or name.split(": ")[-1] in args.only}
        out = {"load_average_before": [round(x, 2) for x in os.getloadavg()]}
        out["caches_warm"] = series(cmds, env, args.runs)
        if args.baseline:
            warm = out["caches_warm"]
            out["cpu_this_tree_over_baseline"] = {
                what: round(warm[f"this tree: {what}"]["median_cpu_s"]
                            / warm[f"{args.baseline}: {what}"]["median_cpu_s"], 3)
                for what in args.only or COMMANDS}
            out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            print(json.dumps(out, indent=1))
            return
        first = next(name for name in cmds if name != "python -c pass")
        out["caches_off"] = series({first: cmds[first]}, dict(env, WONINGWET_NO_CACHE="1"), max(3, args.runs // 3))
        out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

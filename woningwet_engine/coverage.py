"""Rule coverage: which tests made each rule fire, and which made it not fire.

The recorder observes evaluation: `install` registers it with evaluation.observe, so it sees every
evaluate_all; the engine does not know it exists. The test suite installs one (tests/conftest.py).
The recorder notes, per
test id, which rule branches fired and which rules were evaluated and did not fire. A "did not
fire" counts only when the rule was about the fact: its selecting atoms (object, activity, tenure
and the other facts that only say what kind of component a rule is about) do not rule it out, so
a shop never counts as a non-firing test of a dwelling rule. Rules made only of selecting atoms
count every evaluation in which they did not fire. A rule whose facts were missing is "unknown"
(reported, but neither firing nor non-firing).

At the end of a test session the plugin writes `.rule-coverage.json`; `woningwet rules coverage`
reads it. The file is derived data (gitignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from .evaluation import FactEvaluation
    from .rulebook.loader import Rulebook, Selection

REPORT_FILE = ".rule-coverage.json"
REPORT_VERSION = 1
OUTSIDE_TEST = "<outside a test>"

_RECORDER: "Recorder | None" = None


def _non_deciding() -> frozenset[str]:
    from .facts import SELECTOR_FACTS

    return SELECTOR_FACTS | {"kind"}


def _selector_status(node, fact: dict, params: dict, selectors: frozenset[str]):
    """Evaluate `node` with every deciding atom taken as UNKNOWN: FALSE means the selecting atoms
    alone rule the rule out for this fact."""
    from .conditions.evaluator import evaluate_restricted

    return evaluate_restricted(node, fact, params, selectors)


def _has_deciding_atom(node, selectors: frozenset[str]) -> bool:
    from .conditions.nodes import And, Not, Or

    if isinstance(node, (And, Or)):
        return any(_has_deciding_atom(i, selectors) for i in node.items)
    if isinstance(node, Not):
        return _has_deciding_atom(node.item, selectors)
    fact = getattr(node, "fact", None)
    return fact is not None and fact not in selectors


@dataclass
class Recorder:
    """Per rule id: tests that fired it (with branches), did not fire it, or left it unknown."""

    current: str | None = None
    fired: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    not_fired: dict[str, set[str]] = field(default_factory=dict)
    unknown: dict[str, set[str]] = field(default_factory=dict)

    def record(self, selection: "Selection", evaluations: Iterable["FactEvaluation"]) -> None:
        from .conditions.evaluator import Tri

        test = self.current or OUTSIDE_TEST
        selectors = _non_deciding()
        for ev in evaluations:
            fired_here: set[str] = set()
            for bs in ev.fired:
                rid = bs.rule.rule.id
                fired_here.add(rid)
                self.fired.setdefault(rid, {}).setdefault(test, set()).add(bs.branch)
            for bs in ev.unknown:
                rid = bs.rule.rule.id
                if rid not in fired_here:
                    self.unknown.setdefault(rid, set()).add(test)
            unknown_here = {bs.rule.rule.id for bs in ev.unknown}
            for bs in ev.not_fired:
                rid = bs.rule.rule.id
                if rid in fired_here or rid in unknown_here or test in self.not_fired.get(rid, ()):
                    continue
                when = bs.rule.when.root
                relevant = (not _has_deciding_atom(when, selectors)
                            or _selector_status(when, ev.fact, selection.values, selectors) is not Tri.FALSE)
                if relevant:
                    self.not_fired.setdefault(rid, set()).add(test)


def install(recorder: Recorder | None) -> None:
    """Make `recorder` the one that observes evaluation (None: stop recording)."""
    from . import evaluation

    global _RECORDER
    if _RECORDER is not None:
        evaluation.unobserve(_RECORDER.record)
    _RECORDER = recorder
    if recorder is not None:
        evaluation.observe(recorder.record)


def installed() -> Recorder | None:
    return _RECORDER


def build_report(recorder: Recorder, rulebook: "Rulebook", complete: bool) -> dict:
    """JSON-able report over every rule of the rulebook (sorted, deterministic)."""
    rules = {}
    for cr in sorted(rulebook.rules, key=lambda r: r.rule.id):
        rid = cr.rule.id
        fired = recorder.fired.get(rid, {})
        branches = sorted({b for bs in fired.values() for b in bs})
        rules[rid] = {
            "file": Path(cr.file).name,
            "valid_from": cr.rule.valid_from.isoformat(),
            "valid_to": cr.rule.valid_to.isoformat() if cr.rule.valid_to else None,
            "has_else": len(cr.branches) > 1,
            "fired_by": {t: sorted(fired[t]) for t in sorted(fired)},
            "branches_fired": branches,
            "not_fired_by": sorted(recorder.not_fired.get(rid, set())),
            "unknown_in": sorted(recorder.unknown.get(rid, set())),
        }
    report = {"version": REPORT_VERSION, "complete": complete, "rulebook_sha256": rulebook.sha256,
              "rules": rules, "out_of_scope": sorted(e.id for e in rulebook.out_of_scope)}
    report["gaps"] = gaps(report)
    return report


def gaps(report: dict) -> dict[str, list[str]]:
    """Rule id -> what is missing: 'fire' (no test made it fire), 'not-fire' (no test made it not fire)."""
    out: dict[str, list[str]] = {}
    for rid, entry in report["rules"].items():
        missing = []
        if not entry["fired_by"]:
            missing.append("fire")
        if not entry["not_fired_by"]:
            missing.append("not-fire")
        if missing:
            out[rid] = missing
    return out


def write_report(report: dict, path: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    from .output import write_output

    write_output(path, json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def read_report(path: Path) -> dict:
    from .errors import InputError, Problem

    if not path.is_file():
        raise InputError([Problem(str(path), "", "no rule-coverage file: run the test suite first "
                                                 "(bash scripts/test), which writes it")])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(path), "", f"not a readable rule-coverage file: {exc}")]) from None
    if not isinstance(data, dict) or data.get("version") != REPORT_VERSION or not isinstance(data.get("rules"), dict):
        raise InputError([Problem(str(path), "version", "unknown rule-coverage file format: run the test suite again")])
    return data


def format_report(report: dict, show_tests: int = 3) -> list[str]:
    """Text lines: one per rule with counts and a few test ids each way."""
    lines = []
    if not report.get("complete"):
        lines.append("note: recorded on a partial test run; run the whole suite for the full picture")
    for rid, e in report["rules"].items():
        n_f, n_n = len(e["fired_by"]), len(e["not_fired_by"])
        mark = "ok " if n_f and n_n else "GAP"
        br = "/".join(e["branches_fired"]) or "-"
        lines.append(f"{mark} {rid:<22} fired by {n_f:>3} test(s) [{br}]   not fired by {n_n:>3} test(s)")
        for t in list(e["fired_by"])[:show_tests]:
            lines.append(f"      fires:     {t}")
        for t in e["not_fired_by"][:show_tests]:
            lines.append(f"      not fire:  {t}")
    g = report.get("gaps") or gaps(report)
    total = len(report["rules"])
    summary = f"{total - len(g)} of {total} rules fire in some test and do not fire in another"
    if g:
        summary += "; gaps: " + ", ".join(rid + " (" + "/".join(m) + ")" for rid, m in g.items())
    lines.append(summary)
    if report.get("out_of_scope"):
        lines.append("out of scope (not encoded; reasons in rules/out-of-scope.yaml): "
                     + ", ".join(report["out_of_scope"]))
    return lines


def run_command(path: Path | None, show_tests: int, fmt: str) -> int:
    """`woningwet rules coverage`: print the report; exit status 1 when some rule has a gap."""
    import click

    report = read_report(path or Path.cwd() / REPORT_FILE)
    try:
        from .rulebook import load_rulebook

        current = load_rulebook().sha256
    except Exception:  # the report stays readable even when the rulebook does not load
        current = None
    if current and report.get("rulebook_sha256") != current:
        click.echo("note: the rulebook changed since these tests ran; run the test suite again", err=True)
    if fmt == "json":
        click.echo(json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False))
    else:
        for line in format_report(report, show_tests):
            click.echo(line)
    return 1 if (report.get("gaps") or gaps(report)) else 0

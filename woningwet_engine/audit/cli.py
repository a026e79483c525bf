"""`woningwet audit ...`: list, show, verify, replay, diff, export and import the decision log.

Exit codes: 0 all well; 1 verify found tampering, replay found a difference or an error, diff found
changes; 2 unusable input (no such log, record or file; a bundle that does not verify).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

from ..errors import InputError, Problem
from .log import DecisionLog

LANGS = click.Choice(["nl", "en"])


def log_option(f):
    return click.option("--log", "log_path", type=click.Path(path_type=Path), default=None,
                        help="decision log file (default: $WONINGWET_LOG, else "
                             "$XDG_DATA_HOME/woningwet/decisions.sqlite)")(f)


def progress_option(f):
    return click.option("--progress/--no-progress", "progress", default=None,
                        help="progress line on stderr (default: only when stderr is a terminal)")(f)


class Progress:
    """A progress line on stderr: rewritten in place on a terminal, a line per 10% otherwise."""

    def __init__(self, label: str, total: int, enabled: bool | None):
        self.label, self.total, self.done = label, total, 0
        self.tty = sys.stderr.isatty()
        self.enabled = self.tty if enabled is None else enabled
        self._last = 0.0
        self._next_pct = 10
        self.start = time.monotonic()

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.tty:
            now = time.monotonic()
            if now - self._last >= 0.2 or self.done >= self.total:
                self._last = now
                sys.stderr.write(f"\r{self.label}: {self.done}/{self.total}")
                sys.stderr.flush()
        elif self.total and self.done * 100 >= self._next_pct * self.total:
            pct = self.done * 100 // self.total
            sys.stderr.write(f"{self.label}: {self.done}/{self.total} ({pct}%)\n")
            self._next_pct = (pct // 10 + 1) * 10

    def finish(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write(f"\r{self.label}: {self.done}/{self.total} in {time.monotonic() - self.start:.1f}s\n")


def _record_id(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise InputError([Problem("record id", "", f"not a record id (a whole number): {value!r}")]) from None
    return n


@click.group("audit")
def audit() -> None:
    """The decision log: list, show, verify, replay, diff, export, import (see docs/audit.md)."""


@audit.command("list")
@log_option
@click.option("--case", "case_id", help="only records of this case id")
def list_cmd(log_path, case_id):
    """One line per record: id, timestamp, case, date, lang, engine, compliant, hash."""
    with DecisionLog.open(log_path) as log:
        for rec in log.records():
            if case_id and rec["case_id"] != case_id:
                continue
            try:
                compliant = json.loads(rec["result_json"])["summary"]["compliant"]
                comp = "compliant" if compliant else "non-compliant"
            except (ValueError, KeyError, TypeError):
                comp = "?"
            click.echo(f"{rec['id']}  {rec['timestamp']}  {rec['case_id']}  {rec['date']}  {rec['lang']}  "
                       f"engine {rec['engine_version']}  {rec['origin']}  {comp}  {rec['hash'][:16]}")


@audit.command("show")
@click.argument("record_id")
@log_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show_cmd(record_id, log_path, fmt):
    """Everything stored in one record (the result as a table, or the whole record as JSON)."""
    from ..result import canonical_json

    with DecisionLog.open(log_path) as log:
        rec = log.get(_record_id(record_id))
    manifest = json.loads(rec["rulebook_files"])
    if fmt == "json":
        out = {k: v for k, v in rec.items() if k not in ("case_json", "result_json", "rulebook_files")}
        out["options"] = json.loads(rec["options"])
        out["rulebook_files"] = manifest
        out["case"] = json.loads(rec["case_json"])
        out["result"] = json.loads(rec["result_json"])
        click.echo(canonical_json(out), nl=False)
        return
    for key in ("id", "timestamp", "origin", "source", "case_id", "case_sha256", "date", "lang", "options",
                "engine_version",
                "rulebook_sha256", "prev_hash", "hash"):
        click.echo(f"{key + ':':<17}{rec[key]}")
    click.echo(f"{'rule files:':<17}{len(manifest)}")
    click.echo("")
    click.echo(_result_text(rec["result_json"]), nl=False)


def _result_text(result_json: str) -> str:
    from ..result import Result
    from ..textout import text_table

    try:
        return text_table(Result.model_validate_json(result_json))
    except ValueError:  # a result from an engine with another result model: show the essentials
        data = json.loads(result_json)
        lines = [f"{data.get('title')} — {data.get('date')}"]
        for c in data.get("components", []):
            lines.append(f"{c.get('id')}  {c.get('verdict')}  {', '.join(x.get('id', '') for x in c.get('conditions', []))}")
        return "\n".join(lines) + "\n"


@audit.command("verify")
@log_option
@click.option("--expect-head", help="the head hash noted earlier: also detects records deleted from the end")
@progress_option
def verify_cmd(log_path, expect_head, progress):
    """Walk the hash chain; report every edited, deleted, reordered or inserted record. Exit 1 if any."""
    with DecisionLog.open(log_path) as log:
        bar = Progress("verify", log.count(), progress)
        report = log.verify(expect_head=expect_head, progress=bar)
        bar.finish()
    if report.ok:
        click.echo(f"ok: {report.records} record(s), chain intact; head {report.head}")
        return
    for finding in report.findings:
        click.echo(f"TAMPERED {finding}")
    click.echo(f"FAILED: {len(report.findings)} problem(s) in {report.records} record(s); head {report.head}")
    sys.exit(1)


@audit.command("replay")
@click.argument("record_id", required=False)
@click.option("--all", "all_", is_flag=True, help="replay every record")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="worker processes for --all (default: the number of CPUs)")
@log_option
@progress_option
def replay_cmd(record_id, all_, jobs, log_path, progress):
    """Re-judge records with their own stored rulebook; prove the result is byte-identical.

    A difference names the first differing field (JSON path). Exit 1 on any difference or error.
    """
    from .. import __version__
    from .replay import RulebookCache, replay_all, replay_record

    if bool(record_id) == bool(all_):
        raise InputError([Problem("audit replay", "", "give one record ID or --all")])
    counts = {"identical": 0, "version_only": 0, "mismatch": 0, "error": 0}
    versions: set[str] = set()
    with DecisionLog.open(log_path) as log:
        books = RulebookCache(log)
        if record_id:
            outcome = replay_record(log.get(_record_id(record_id)), books)
            click.echo(f"record {outcome.record_id}: {outcome.message}")
            sys.exit(0 if outcome.ok else 1)
        bar = Progress("replay", log.count(), progress)
        for outcome in replay_all(log, jobs=jobs, progress=bar):
            counts[outcome.status] += 1
            if outcome.engine_version and outcome.engine_version != __version__:
                versions.add(outcome.engine_version)
            if outcome.status != "identical":
                click.echo(f"record {outcome.record_id}: {outcome.message}")
        bar.finish()
    total = sum(counts.values())
    if versions:
        click.echo(f"note: some records were made by engine version(s) {', '.join(sorted(versions))}; "
                   f"this is engine {__version__}")
    click.echo(f"replayed {total} record(s): {counts['identical']} identical, {counts['version_only']} identical "
               f"apart from the engine version, {counts['mismatch']} different, {counts['error']} error(s)")
    sys.exit(0 if counts["mismatch"] == counts["error"] == 0 else 1)


@audit.command("diff")
@click.argument("record_id")
@click.option("--at", "at", required=True, help="re-judge under the law of this date (YYYY-MM-DD)")
@log_option
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="rules directory to re-judge with (default: the project's rules/, i.e. today's rules)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="after the headline, every change in the law and in the results")
def diff_cmd(record_id, at, log_path, rules_dir, fmt, verbose):
    """Re-judge a recorded case under the rulebook of another date and explain every change by rule.

    Exit 0: nothing changed; 1: some verdict, condition, party or plan check changed.
    """
    from ..cli import load_book, parse_date
    from ..compare import compare_results, render_text
    from ..result import canonical_json
    from .replay import RulebookCache, rejudge

    day = parse_date(at)
    with DecisionLog.open(log_path) as log:
        rec = log.get(_record_id(record_id))
        try:
            book_from = RulebookCache(log).get(rec)
        except (KeyError, ValueError) as exc:
            raise InputError([Problem(str(log.path), f"record {rec['id']}", f"stored rulebook unusable: {exc}")]) from None
    book_to = load_book(rules_dir)
    result_to = rejudge(rec, book_to, at=day)
    cmp = compare_results(json.loads(rec["result_json"]), result_to, book_from, book_to)
    cmp["record"] = {"id": rec["id"], "hash": rec["hash"], "timestamp": rec["timestamp"],
                     "engine_version": rec["engine_version"]}
    if fmt == "json":
        click.echo(canonical_json(cmp), nl=False)
    else:
        lang = rec["lang"]
        head = (f"record {rec['id']} ({rec['case_id']}, {'beoordeeld' if lang == 'nl' else 'judged'} {rec['date']}, "
                f"{rec['timestamp']})")
        click.echo(head)
        click.echo(render_text(cmp, lang, verbose), nl=False)
    sys.exit(1 if cmp["summary"]["changed"] else 0)


@audit.command("export")
@log_option
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="the JSONL bundle to write")
def export_cmd(log_path, output):
    """Write the whole log, with the rule files it needs, as a JSONL bundle an auditor can verify elsewhere.

    The log is verified first; a log that does not verify is not exported (exit 1).
    """
    with DecisionLog.open(log_path) as log:
        report = log.verify()
        if not report.ok:
            for finding in report.findings:
                click.echo(f"TAMPERED {finding}", err=True)
            click.echo("error: the log does not verify; not exported", err=True)
            sys.exit(1)
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                for line in log.export_lines():
                    fh.write(line + "\n")
            os.replace(tmp, output)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    click.echo(f"exported {report.records} record(s) to {output}; head {report.head}")


@audit.command("import")
@click.argument("bundle", type=click.Path(path_type=Path))
@log_option
def import_cmd(bundle, log_path):
    """Check a bundle's whole chain, then add its records to the log (new, or a prefix of the bundle).

    A bundle with any edited, missing, reordered or inserted record is refused (exit 2), and nothing
    is written.
    """
    from .log import check_bundle, resolve_log_path

    check_bundle(bundle)  # refuse a bad bundle before creating any log file
    with DecisionLog.open(resolve_log_path(log_path), create=True) as log:
        added, present = log.import_bundle(bundle)
        head = log.verify().head
    click.echo(f"imported {added} record(s) ({present} already present); head {head}")

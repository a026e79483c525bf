"""`woningwet audit ...`: list, show, verify, verify-memo, replay, diff, export and import the decision log.

Exit codes: 0 all well; 1 verify found tampering, replay found a different verdict or an error, diff
found changes; 3 replay found the same verdicts in other words (texts, links or hashes); 2 unusable
input (no such log, record or file; a bundle that does not verify). What the commands print is
Dutch by default, English with --lang en (the catalogue's sections audit, replay and audit_log).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import click

from ..cli import lang_option, width_option
from ..errors import InputError, Say
from ..progress import Progress, progress_enabled, progress_options
from .log import DecisionLog, stored_rulebook_problem


def log_option(f):
    return click.option("--log", "log_path", type=click.Path(path_type=Path), default=None,
                        help="decision log file (default: $WONINGWET_LOG, else "
                             "$XDG_DATA_HOME/woningwet/decisions.sqlite)")(f)


def _record_id(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise InputError.of("ID", "", "log.bad_record_id", got=repr(value)) from None
    return n


@click.group("audit")
def audit() -> None:
    """The decision log: list, show, verify, verify-memo, replay, diff, export, import, keygen, anchor
    (docs/audit.md)."""


def _origin(rec: dict, lang: str) -> str:
    return _word(lang, f"audit.origin_{rec['origin']}", str(rec["origin"]))


def _outcome(rec: dict, lang: str) -> str:
    from ..i18n import text

    try:
        compliant = json.loads(rec["result_json"])["summary"]["compliant"]
    except (ValueError, KeyError, TypeError):
        return text(lang, "audit.outcome_unknown")
    return text(lang, "audit.compliant" if compliant else "audit.non_compliant")


def _word(lang: str, key: str, fallback: str) -> str:
    """A catalogue word for a stored code, or the code itself when this engine has no word for it."""
    from ..i18n import text

    try:
        return text(lang, key)
    except KeyError:
        return fallback


def _options(rec: dict, lang: str) -> str:
    """The stored judge options in words ("start van de goedkeuringsroute 2017-03-01, ...")."""
    from ..i18n import text

    words = []
    for key, value in sorted(json.loads(rec["options"]).items()):
        shown = _word(lang, f"audit.{key}_{value}", str(value))
        words.append(_word(lang, f"audit.option_{key}", f"{key} = {{value}}").format(value=shown))
    return ", ".join(words) or text(lang, "audit.none")


def _time(rec: dict) -> str:
    """The stored UTC timestamp, to the second, as people write it."""
    stamp = str(rec["timestamp"])
    return stamp[:19].replace("T", " ") + " UTC" if stamp.endswith("Z") else stamp


@audit.command("list")
@log_option
@click.option("--case", "case_id", help="only records of this case id")
@lang_option
def list_cmd(log_path, case_id, lang):
    """One line per record: id, time, case, law date, language, engine, command, outcome, who,
    board decision, memos, hash."""
    from ..i18n import text
    from .context import parse_context

    with DecisionLog.open(log_path) as log:
        for rec in log.records():
            if case_id and rec["case_id"] != case_id:
                continue
            ctx = parse_context(rec) or {}
            extra = []
            if "by" in ctx:
                extra.append(text(lang, "audit.list_by", name=ctx["by"]))
            if "board_decision" in ctx:
                extra.append(text(lang, "audit.list_board", ref=ctx["board_decision"]))
            if ctx.get("memos"):
                extra.append(text(lang, "audit.list_memos", n=len(ctx["memos"])))
            click.echo(text(lang, "audit.list_line", id=rec["id"], time=_time(rec), case=rec["case_id"],
                            date=rec["date"], language=_word(lang, f"audit.lang_{rec['lang']}", rec["lang"]),
                            engine=rec["engine_version"], origin=_origin(rec, lang), outcome=_outcome(rec, lang),
                            extra="".join(f"  {e}" for e in extra), hash=rec["hash"][:16]))


def record_lines(rec: dict, lang: str) -> list[tuple[str, object]]:
    """(label, value) in words of everything a record holds but the case and the result: for
    `audit show` and the web app's record page."""
    from ..i18n import text
    from .context import describe, parse_context

    return [(text(lang, "audit.record"), rec["id"]), (text(lang, "audit.timestamp"), _time(rec)),
            (text(lang, "audit.origin"), _origin(rec, lang)), (text(lang, "audit.source"), rec["source"]),
            (text(lang, "audit.case"), rec["case_id"]), (text(lang, "audit.date"), rec["date"]),
            (text(lang, "audit.lang"), _word(lang, f"audit.lang_{rec['lang']}", rec["lang"])),
            (text(lang, "audit.options"), _options(rec, lang)),
            *describe(parse_context(rec), lang),
            (text(lang, "audit.engine"), rec["engine_version"]),
            (text(lang, "audit.case_sha256"), rec["case_sha256"]),
            (text(lang, "audit.rulebook_sha256"), rec["rulebook_sha256"]),
            (text(lang, "audit.rule_files"), len(json.loads(rec["rulebook_files"]))),
            (text(lang, "audit.prev_hash"), rec["prev_hash"]), (text(lang, "audit.hash"), rec["hash"]),
            (text(lang, "audit.signed"), text(lang, "audit.signed_yes" if rec.get("signature") else "audit.signed_no"))]


@audit.command("show")
@click.argument("record_id")
@log_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
def show_cmd(record_id, log_path, fmt, lang):
    """Everything stored in one record, in words: who ran it and why, the memos it produced, the
    hashes, and the result as a table (or the whole record as JSON)."""
    from ..result import canonical_json
    from .context import parse_context

    with DecisionLog.open(log_path) as log:
        rec = log.get(_record_id(record_id))
    if fmt == "json":
        out = {k: v for k, v in rec.items() if k not in ("case_json", "result_json", "rulebook_files", "context")}
        out["options"] = json.loads(rec["options"])
        out["rulebook_files"] = json.loads(rec["rulebook_files"])
        out["case"] = json.loads(rec["case_json"])
        out["result"] = json.loads(rec["result_json"])
        out["context"] = parse_context(rec)
        click.echo(canonical_json(out), nl=False)
        return
    lines = record_lines(rec, lang)
    width = max(len(label) for label, _ in lines) + 2
    for label, value in lines:
        click.echo(f"{label + ':':<{width}}{value}")
    click.echo("")
    click.echo(_result_text(rec["result_json"]), nl=False)


def _result_text(result_json: str) -> str:
    from ..result import Result
    from ..textout import text_table

    try:
        if json.loads(result_json).get("kind") == "coalition":
            from ..coalition.result import CoalitionResult
            from ..coalition.textout import coalition_text

            return coalition_text(CoalitionResult.model_validate_json(result_json))
        return text_table(Result.model_validate_json(result_json))
    except ValueError:  # a result from an engine with another result model: show the essentials
        data = json.loads(result_json)
        lines = [f"{data.get('title')} — {data.get('date')}"]
        for c in data.get("components", []):
            lines.append(f"{c.get('id')}  {c.get('verdict')}  {', '.join(x.get('id', '') for x in c.get('conditions', []))}")
        return "\n".join(lines) + "\n"


def public_key_option(f):
    return click.option("--public-key", "public_key_path", type=click.Path(path_type=Path), default=None,
                        help="the auditor's Ed25519 public key (PEM): every record and the head must be "
                             "signed by it")(f)


@audit.command("verify")
@log_option
@click.option("--expect-head", help="the head hash noted earlier: also detects records deleted from the end")
@public_key_option
@click.option("--receipt", "receipt_path", type=click.Path(path_type=Path), default=None,
              help="a receipt from `audit anchor`: the log must still extend the head it anchored")
@progress_options
@lang_option
def verify_cmd(log_path, expect_head, public_key_path, receipt_path, progress, quiet, lang):
    """Check the whole log: hash chain, contents, file structure; with --public-key every signature,
    with --receipt the anchored head. Names every problem and its record. Exit 1 if any."""
    from .log import resolve_log_path
    from .verify import load_receipt, record_count, verify_log

    public_key = _public_key(public_key_path)
    receipt = load_receipt(receipt_path, public_key) if receipt_path else None
    path = resolve_log_path(log_path)
    bar = Progress("verify", record_count(path) if os.path.isfile(path) else 0, progress_enabled(progress, quiet))
    report = verify_log(path, expect_head=expect_head, public_key=public_key,
                        receipt=receipt, progress=bar)
    bar.finish()
    from ..i18n import text

    notes = []
    if public_key is not None:
        notes.append(text(lang, "audit_log.note_signed_by", fingerprint=public_key.fingerprint))
    elif report.signed:
        notes.append(text(lang, "audit_log.note_signatures_unchecked", n=report.signed))
    if receipt is not None:
        checked = "note_receipt" if receipt["_signature_checked"] else "note_receipt_unchecked"
        notes.append(text(lang, f"audit_log.{checked}", time=receipt.get("time"), n=receipt["records"]))
    if report.ok:
        click.echo(text(lang, "audit_log.verify_ok", n=report.records, head=report.head))
        for note in notes:
            click.echo(text(lang, "audit_log.verify_ok_note", note=note))
        return
    _echo_findings(report, lang)
    click.echo(text(lang, "audit_log.verify_failed", problems=len(report.findings), n=report.records,
                    head=report.head))
    sys.exit(1)


def _echo_findings(report, lang: str, err: bool = False) -> None:
    """Each finding of a verification on its own line, in words."""
    from ..i18n import text

    for finding in report.findings:
        click.echo(text(lang, "audit_log.tampered", finding=finding.text(lang)), err=err)


MEMO_LIMIT = 512 * 1024 * 1024  # a memo larger than this was not written by `report`


@audit.command("verify-memo")
@click.argument("memo", type=click.Path(path_type=Path))
@log_option
@public_key_option
@lang_option
def verify_memo_cmd(memo, log_path, public_key_path, lang):
    """Is MEMO (a memo or report file, e.g. the PDF on the board's table) byte for byte the one a
    recorded decision produced? Names the decision, who ran it and why; checks the log as well.

    Exit 0: a decision matches and the log verifies; 1: no decision matches, or the log does not
    verify; 2: unusable input (no such file or log)."""
    import hashlib

    from ..i18n import text
    from ..yamlio import read_regular_file
    from .context import describe, memo_hashes, parse_context
    from .log import resolve_log_path
    from .verify import verify_log

    digest = hashlib.sha256(read_regular_file(memo, MEMO_LIMIT)).hexdigest()
    public_key = _public_key(public_key_path)
    path = resolve_log_path(log_path)
    report = verify_log(path, public_key=public_key)
    matches = []
    try:
        with DecisionLog.open(path) as log:
            rows = log.conn.execute("SELECT id, case_id, date, timestamp, context FROM records "
                                    "WHERE context LIKE ? ORDER BY id", (f"%{digest}%",))
            matches = [dict(row) for row in rows if digest in memo_hashes(dict(row))]
    except (InputError, sqlite3.Error):
        if report.ok:
            raise
    for rec in matches:
        click.echo(text(lang, "audit.memo_match", file=memo, id=rec["id"], case=rec["case_id"], date=rec["date"],
                        time=_time(rec)))
        for label, value in describe(parse_context(rec), lang):
            click.echo(f"  {label}: {value}")
    if not matches:
        click.echo(text(lang, "audit.memo_none", log=path, sha256=digest, file=memo))
    if report.ok:
        click.echo(text(lang, "audit.memo_log_ok", n=report.records))
    else:
        click.echo(text(lang, "audit.memo_log_bad", n=len(report.findings)))
    sys.exit(0 if matches and report.ok else 1)


def _public_key(path):
    if path is None:
        return None
    from .signing import load_public_key

    return load_public_key(path)


@audit.command("keygen")
@click.option("--private-key", "private_path", type=click.Path(path_type=Path), required=True,
              help="where to write the new private key (PEM, readable by its owner only); must not exist")
@click.option("--public-key", "public_path", type=click.Path(path_type=Path), default=None,
              help="where to write the public key (default: the private key's name + .pub)")
@lang_option
def keygen_cmd(private_path, public_path, lang):
    """Make an auditor's Ed25519 key pair: the private key signs records (--sign-key), the public key
    checks them (audit verify --public-key)."""
    from ..output import write_output
    from .signing import generate

    public_path = public_path or private_path.with_name(private_path.name + ".pub")
    for path in (private_path, public_path):
        if os.path.lexists(path):
            raise InputError.of(str(path), "", "key.exists")
    private, public = generate()
    write_output(public_path, public)
    write_output(private_path, private, mode=0o600)
    from ..i18n import text
    from .signing import load_public_key

    click.echo(text(lang, "audit_log.keygen", private=private_path, public=public_path,
                    fingerprint=load_public_key(public_path).fingerprint))


@audit.command("anchor")
@log_option
@click.option("--sign-key", "sign_key", type=click.Path(path_type=Path), envvar="WONINGWET_SIGNING_KEY",
              required=True, help="the private key that signs the receipt (default: $WONINGWET_SIGNING_KEY)")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="the receipt to write; keep it away from the log (another machine, the auditor's file)")
@lang_option
def anchor_cmd(log_path, sign_key, output, lang):
    """Write a signed receipt of the log's head (count, head hash, time); `audit verify --receipt`
    later proves that the log still extends it, so records deleted from the end are detected."""
    from ..output import destination, write_output
    from .log import _utc_now, resolve_log_path
    from .signing import RECEIPT_DOMAIN, load_signing_key
    from .verify import RECEIPT_FORMAT, receipt_message, verify_log

    target = destination(output)
    signer = load_signing_key(sign_key)
    report = verify_log(resolve_log_path(log_path))
    if report.signed:  # a signed log is anchored only if its signatures are the signer's
        report = verify_log(resolve_log_path(log_path), public_key=signer.public)
    from ..i18n import text

    if not report.ok:
        _echo_findings(report, lang, err=True)
        click.echo(text(lang, "audit_log.anchor_refused"), err=True)
        sys.exit(1)
    body = {"format": RECEIPT_FORMAT, "format_version": 1, "log": str(resolve_log_path(log_path)),
            "records": report.records, "head": report.head, "time": _utc_now(), "key": signer.public.fingerprint}
    receipt = dict(body, signature=signer.sign(RECEIPT_DOMAIN, receipt_message(body)))
    write_output(target, json.dumps(receipt, indent=2, sort_keys=True) + "\n")
    click.echo(text(lang, "audit_log.anchored", n=report.records, head=report.head, file=output))


@audit.command("replay")
@click.argument("record_id", required=False)
@click.option("--all", "all_", is_flag=True, help="replay every record")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="worker processes for --all (default: the number of CPUs)")
@log_option
@progress_options
@lang_option
def replay_cmd(record_id, all_, jobs, log_path, progress, quiet, lang):
    """Re-judge records with their own stored rulebook and compare each result byte for byte.

    Each record is identical, has the same verdicts in other words (texts, links or hashes
    differ: each is named), or has different verdicts (the components and fields are named).
    Exit 0: every record identical (or identical apart from the engine version); 3: the same
    verdicts everywhere, but some text, link or hash differs; 1: some verdict differs, or a record
    could not be replayed; 2: unusable input.
    """
    from .. import __version__
    from ..i18n import text
    from .context import describe, parse_context
    from .replay import RulebookCache, exit_code, replay_all, replay_record
    from .replaytext import summary_line

    if bool(record_id) == bool(all_):
        raise InputError.of("audit replay", "", "log.replay_one_or_all")
    counts = {"identical": 0, "version_only": 0, "wording": 0, "verdicts": 0, "error": 0}
    versions: set[str] = set()
    with DecisionLog.open(log_path) as log:
        if all_:  # a replay proves results, not the log: a log with a broken chain is not replayed
            report = log.verify()
            if not report.ok:
                _echo_findings(report, lang)
                click.echo(text(lang, "replay.not_verified", n=len(report.findings)))
                sys.exit(1)
        if record_id:
            rec = log.get(_record_id(record_id))
            outcome = replay_record(rec, RulebookCache(log))
            for line in outcome.lines(lang):
                click.echo(line)
            ctx = parse_context(rec)
            if ctx:  # reported, never compared: only the result is judged again
                click.echo(text(lang, "audit.replay_context"))
                for label, value in describe(ctx, lang):
                    click.echo(f"  {label}: {value}")
            sys.exit(exit_code([outcome.status]))
        columns = {row[1] for row in log.conn.execute("PRAGMA table_info(records)")}
        with_context = 0 if "context" not in columns else log.conn.execute(  # a log of the first format has none
            "SELECT COUNT(*) FROM records WHERE context IS NOT NULL").fetchone()[0]
        bar = Progress("replay", log.count(), progress_enabled(progress, quiet))
        for outcome in replay_all(log, jobs=jobs, progress=bar):
            counts[outcome.status] += 1
            if outcome.engine_version and outcome.engine_version != __version__:
                versions.add(outcome.engine_version)
            if outcome.status != "identical":
                for line in outcome.lines(lang):
                    click.echo(line)
        bar.finish()
    if versions:
        click.echo(text(lang, "replay.versions", versions=", ".join(sorted(versions)), now=__version__))
    if with_context:
        click.echo(text(lang, "audit.replay_with_context", n=with_context))
    click.echo(summary_line(counts, lang))
    sys.exit(exit_code([s for s, n in counts.items() if n]))


@audit.command("diff")
@click.argument("record_id")
@click.option("--at", "at", required=True, help="re-judge under the law of this date (YYYY-MM-DD)")
@log_option
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="rules directory to re-judge with (default: the project's rules/, i.e. today's rules)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="after the headline, every change in the law and in the results")
@width_option
def diff_cmd(record_id, at, log_path, rules_dir, fmt, verbose, width):
    """Re-judge a recorded case under the rulebook of another date and explain every change by rule.

    Exit 0: nothing changed; 1: some verdict, condition, party or plan check changed.
    """
    from ..cli import load_book, parse_date
    from ..compare import compare_results, render_text
    from ..result import canonical_json
    from .replay import RulebookCache, is_coalition_record, rejudge

    day = parse_date(at)
    with DecisionLog.open(log_path) as log:
        rec = log.get(_record_id(record_id))
        if is_coalition_record(rec):
            raise InputError.of(str(log.path), "", "log.diff_coalition", where=Say.of("where.record", id=rec["id"]))
        try:
            book_from = RulebookCache(log).get(rec)
        except (KeyError, ValueError) as exc:
            raise InputError([stored_rulebook_problem(log.path, rec["id"], exc)]) from None
    book_to = load_book(rules_dir)
    result_to = rejudge(rec, book_to, at=day)
    cmp = compare_results(json.loads(rec["result_json"]), result_to, book_from, book_to)
    cmp["record"] = {"id": rec["id"], "hash": rec["hash"], "timestamp": rec["timestamp"],
                     "engine_version": rec["engine_version"]}
    if fmt == "json":
        click.echo(canonical_json(cmp), nl=False)
    else:
        from ..i18n import text as tr
        from ..textout import fit_prose

        lang = rec["lang"]
        text = tr(lang, "compare.record", id=rec["id"], case=rec["case_id"], date=rec["date"],
                  timestamp=rec["timestamp"]) + "\n" + render_text(cmp, lang, verbose)
        click.echo(fit_prose(text, width, sys.stdout), nl=False)
    sys.exit(1 if cmp["summary"]["changed"] else 0)


@audit.command("export")
@log_option
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="the JSONL bundle to write")
@lang_option
def export_cmd(log_path, output, lang):
    """Write the whole log, with the rule files it needs, as a JSONL bundle an auditor can verify elsewhere.

    The log is verified first; a log that does not verify is not exported (exit 1).
    """
    from ..i18n import text
    from ..output import destination, write_output

    target = destination(output)
    with DecisionLog.open(log_path) as log:
        report = log.verify()
        if not report.ok:
            _echo_findings(report, lang, err=True)
            click.echo(text(lang, "audit_log.export_refused"), err=True)
            sys.exit(1)
        write_output(target, "".join(line + "\n" for line in log.export_lines()))
    click.echo(text(lang, "audit_log.exported", n=report.records, file=output, head=report.head))


@audit.command("import")
@click.argument("bundle", type=click.Path(path_type=Path))
@log_option
@lang_option
def import_cmd(bundle, log_path, lang):
    """Check a bundle's whole chain, then add its records to the log (new, or a prefix of the bundle).

    A bundle with any edited, missing, reordered or inserted record is refused (exit 2), and nothing
    is written.
    """
    from ..i18n import text
    from .log import check_bundle, resolve_log_path

    check_bundle(bundle)  # refuse a bad bundle before creating any log file
    with DecisionLog.open(resolve_log_path(log_path), create=True) as log:
        added, present = log.import_bundle(bundle)
        head = log.verify().head
    click.echo(text(lang, "audit_log.imported", added=added, present=present, head=head))

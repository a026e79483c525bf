"""The `woningwet` command line.

Exit codes: 0 every component allowed (possibly with conditions); 1 some component forbidden,
undetermined or non-compliant; 2 unusable input (a case, rule or parameter file; each problem is
printed with file, line and field). Output files are written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from .audit.context import context_from_options, context_options
from .errors import InputError, Problem

LANGS = click.Choice(["nl", "en"])
LANG_KEY = "woningwet.lang"  # in click's ctx.meta (shared by a command and its group): the reader's language
ARGV_KEY = "woningwet.argv"  # in ctx.meta: the command line as given, for saying a usage error (usage.py)
# Groups whose commands speak English (tools for the rulebook's developers), also when misused
ENGLISH_GROUPS = frozenset({"rules"})


def remember_lang(ctx, param, value):
    """--lang's callback: the language input problems are said in (fail_input); Dutch without one."""
    ctx.meta[LANG_KEY] = (value[0] if value else "nl") if isinstance(value, tuple) else value
    return value


def lang_option(f):
    """--lang for a command's words (and its input problems), Dutch by default."""
    return click.option("--lang", type=LANGS, default="nl", show_default=True, is_eager=True,
                        callback=remember_lang, help="language of what people read (nl or en)")(f)


def fail_input(exc: InputError, lang: str = "nl") -> None:
    """Every problem with file, line and field, in the reader's language; exit 2."""
    for line in exc.lines(lang):
        click.echo(line, err=True)
    sys.exit(2)


def fail_usage(exc, argv: list[str]) -> None:
    """A command line click could not parse, said in the reader's language (usage.py); exit 2. That
    language is the --lang on the command line (parsing failed, so it is read from the words given),
    else English under an ENGLISH_GROUPS group, else Dutch."""
    from . import usage

    if usage.is_help(exc):
        raise exc
    lang = usage.lang_in(argv)
    if lang is None:
        ctx, names = exc.ctx, []
        while ctx is not None:
            names.append(ctx.info_name)
            ctx = ctx.parent
        lang = "en" if len(names) > 1 and names[-2] in ENGLISH_GROUPS else "nl"
    for line in usage.lines(exc, argv, lang):
        click.echo(line, err=True)
    sys.exit(2)


def publish_with_record(staged, record=None) -> None:
    """Put a command's output in place; with `record` (a callable taking the publish step), inside
    the decision log's transaction, so that the log entry and the output stand or fall together."""
    if not record:
        staged.publish()
        staged.finish()
        return

    def publish():
        staged.publish()
        return staged

    try:
        record(publish)
    except BaseException:
        staged.rollback()
        raise
    staged.finish()


def parse_date(value: str | None, what: str = "--at") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError.of(what, "", "cli.not_a_date", got=repr(value)) from None


# Commands that live in their own modules, imported only when used (keeps `woningwet check` fast).
# One entry per command: name -> "module:attribute".
LAZY_COMMANDS: dict[str, str] = {
    "report": "woningwet_engine.report.cli:report",
    "report-all": "woningwet_engine.report.cli:report_all",
    "audit": "woningwet_engine.audit.cli:audit",
    "compare": "woningwet_engine.compare_cli:compare_command",
    "serve": "woningwet_engine.web.cli:serve",
    "stock": "woningwet_engine.stock.cli:stock",
}


# Set by a command when nothing is left to clean up after it (see Group.__call__).
_FAST_EXIT = False


def exit_fast() -> None:
    """For a command with nothing left to clean up once its output is in place (no decision log open,
    no temporary files): the CLI process then ends without the interpreter's teardown (Group.__call__)."""
    global _FAST_EXIT
    _FAST_EXIT = True


# Set by Group.__call__: this process is the command-line tool itself (not click's test runner).
_CLI_PROCESS = False
# Commands that load the rulebook first thing (load_book): in the CLI process the cyclic garbage
# collector is paused from start-up until the rulebook is loaded; everything made until then (modules,
# classes, the rulebook) lives as long as the process, so scanning it was wasted time (~50 ms of a
# `check`: one full collection of the rulebook alone ~30 ms). Any other command gets it back at once.
_BOOK_FIRST = frozenset({"check", "report", "report-all", "compare", "stock", "serve"})


class Group(click.Group):
    """Maps InputError and click's usage errors to exit code 2, said in the reader's language, for
    every command, and loads LAZY_COMMANDS on demand."""

    def __call__(self, *args, **kwargs):
        """The console script and `python -m` (click's test runner calls `main()` instead): after a
        command that set _FAST_EXIT, the process ends with os._exit once stdout and stderr are flushed,
        skipping the interpreter's teardown of every module and object (about 0.05 s of the single-case
        latency) which changes nothing once the output is written."""
        global _FAST_EXIT, _CLI_PROCESS
        import gc

        from . import compilecache

        _FAST_EXIT = False
        _CLI_PROCESS = True
        gc.disable()  # until load_book, or until a command not in _BOOK_FIRST is looked up
        compilecache.install()  # before the commands import pydantic and the engine's classes
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit as exc:
            compilecache.save()
            if "woningwet_engine.modelcache" in sys.modules:
                sys.modules["woningwet_engine.modelcache"].save_fields()
            code = exc.code
            if not _FAST_EXIT or not (code is None or isinstance(code, int)):
                raise
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except BaseException:
                raise exc from None
            os._exit(code or 0)

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx, name):
        if name not in _BOOK_FIRST:
            import gc

            gc.enable()
        elif _CLI_PROCESS:  # these define the case, result and rulebook models: their fields from the cache
            from .modelcache import install_fields

            install_fields()
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module, attr = LAZY_COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def make_context(self, info_name, args, parent=None, **extra):
        argv = list(args)
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:  # the group's own options (`woningwet --x`)
            fail_usage(exc, argv)
        ctx.meta[ARGV_KEY] = argv
        return ctx

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            fail_input(exc, ctx.meta.get(LANG_KEY, "nl"))
        except click.UsageError as exc:  # a command's (or a subgroup's) command line
            fail_usage(exc, ctx.meta.get(ARGV_KEY, []))


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="woningwet-engine")
def main() -> None:
    """Judge housing-corporation plans against the Woningwet in force on a date."""


def rules_option(f):
    return click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="rules directory (default: the project's rules/)")(f)


def width_option(f):
    """--width for text output (check, compare, audit diff): lines wrap at word boundaries to it."""
    return click.option("--width", type=click.IntRange(60, 1000), default=None,
                        help="width of the text (default: the terminal's; not a terminal: 100 for tables, "
                             "prose unwrapped)")(f)


def load_book(rules_dir):
    from .rulebook.cache import load_rulebook_cached  # validated rulebook cached on disk by content hash

    book = load_rulebook_cached(rules_dir)
    if _CLI_PROCESS:  # see _BOOK_FIRST: what exists now is never scanned again; the rest is collected as usual
        import gc

        gc.freeze()
        gc.enable()
    return book


def read_case(path, book):
    """A case (or coalition case) from a file, or from standard input when the path is '-' (the
    parse of the same bytes read back from the cache directory: yamlio.load_yaml_bytes_cached)."""
    from .coalition.load import parse_any
    from .yamlio import load_yaml_bytes_cached, read_regular_file

    if str(path) == "-":
        return parse_any(load_yaml_bytes_cached(sys.stdin.buffer.read(), "<stdin>"), book)
    return parse_any(load_yaml_bytes_cached(read_regular_file(path), str(path)), book)


FAIL_ON = ("non-compliant", "forbidden", "never")


def exit_code(results, fail_on: str = "non-compliant") -> int:
    """1 when the results meet the --fail-on condition: a component or plan check not compliant (the
    default), a component forbidden, or never; 0 otherwise."""
    if fail_on == "never":
        return 0
    if fail_on == "forbidden":  # a coalition result: the components of each corporation's part
        return int(any(c.verdict == "forbidden" for r in results
                       for c in (r.components if hasattr(r, "components") else
                                 [c for p in r.parts for c in p.result.components])))
    return 0 if all(r.summary.compliant for r in results) else 1


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(allow_dash=True, path_type=Path))
@click.option("--at", "at", help="judge under the law of this date (YYYY-MM-DD) instead of the case date")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="write to this file")
@click.option("--record", is_flag=True, help="append each decision to the audit decision log")
@click.option("--log", "log_path", type=click.Path(path_type=Path), default=None,
              help="decision log for --record (default: $WONINGWET_LOG, else the per-user data directory)")
@click.option("--sign-key", "sign_key", type=click.Path(path_type=Path), envvar="WONINGWET_SIGNING_KEY",
              default=None, help="with --record: sign the log entry with this Ed25519 private key "
                                 "(default: $WONINGWET_SIGNING_KEY; `woningwet audit keygen`)")
@context_options
@click.option("--start", "start", help="start date of the approval route (YYYY-MM-DD; default: the case date)")
@click.option("--keep-by", "keep_by", type=click.Choice(["value", "units"]), default="value", show_default=True,
              help="what to maximise when choosing non-DAEB components to hand to market parties")
@width_option
@click.option("-q", "--quiet", is_flag=True, help="print nothing; the exit code (and -o) carry the outcome")
@click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), default="non-compliant", show_default=True,
              help="when to exit 1: a component or plan check not compliant, a component forbidden, or never")
@rules_option
def check(cases, at, fmt, lang, output, record, log_path, sign_key, by, purpose, board_decision, start, keep_by,
          width, quiet, fail_on, rules_dir):
    """Judge one or more CASE files ('-' reads one from standard input); print a table or the JSON result.

    Exit code 0: the plan may go ahead (possibly on conditions); 1: see --fail-on; 2: unusable input."""
    from .coalition.load import is_coalition
    from .engine import judge
    from .modelcache import install, store
    from .output import StagedOutput, destination
    from .result import canonical_json

    models_cached = install()
    target = destination(output)  # a device, FIFO or directory is refused before any work
    context = context_from_options(record, by, purpose, board_decision)
    day = parse_date(at)
    start_day = parse_date(start, "--start")
    book = load_book(rules_dir)
    loaded = []
    problems: list[Problem] = []
    if sum(str(p) == "-" for p in cases) > 1:
        raise InputError.of("-", "", "cli.stdin_once")
    for path in cases:
        try:
            loaded.append((path, read_case(path, book)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if any(is_coalition(case) for _, case in loaded):
        results, text = _check_coalition(loaded, book, day, fmt, lang, output, width)
        options = {"at": day}  # a coalition's components keep their phase's date unless --at is given
    else:
        results = [judge(case, book, at=day, lang=lang, source=str(path), start=start_day, keep_by=keep_by)
                   for path, case in loaded]
        options = {"start": start_day, "keep_by": keep_by}
        if fmt == "json":
            text = canonical_json(results[0] if len(results) == 1 else results)
        else:
            from .textout import terminal_width, text_table

            width = width or terminal_width(None if output else sys.stdout)
            text = "\n".join(text_table(r, width) for r in results)
    staged = StagedOutput(target, "" if quiet and target is None else text)
    if record:
        from .audit import record_cli
        from .audit.context import memo_entry

        memos = [memo_entry(target, staged.data, fmt)] if staged.data else []
        publish_with_record(staged, lambda publish: record_cli(
            loaded, results, book, log_path, origin="check", options=options,
            sign_key=sign_key, publish=publish, context=context, memos=memos))
    else:
        publish_with_record(staged)
    if not models_cached:
        store()
    global _FAST_EXIT
    _FAST_EXIT = not record  # the decision log is closed by then, but leave it a normal exit
    sys.exit(exit_code(results, fail_on))


def _check_coalition(loaded, book, day, fmt, lang, output, width=None) -> tuple[list, str]:
    """`check` on a set of case files that includes coalition cases (coalition/): each case judged
    on its own; the results and the text: JSON is the CoalitionResult (or the ordinary Result for a
    single-corporation case)."""
    from .coalition.judge import judge_coalition
    from .coalition.load import is_coalition
    from .coalition.textout import coalition_text
    from .engine import judge
    from .result import canonical_json
    from .textout import text_table

    results = [judge_coalition(case, book, lang=lang, source=str(path), at=day) if is_coalition(case)
               else judge(case, book, at=day, lang=lang, source=str(path)) for path, case in loaded]
    if fmt == "json":
        payload = [r.model_dump(mode="json") for r in results]
        text = canonical_json(payload[0] if len(payload) == 1 else payload)
    else:
        from .textout import terminal_width

        width = width or terminal_width(None if output else sys.stdout)
        text = "\n".join(coalition_text(r, width) if is_coalition(c) else text_table(r, width)
                         for r, (_, c) in zip(results, loaded))
    return results, text


@main.group()
def schema() -> None:
    """Print JSON Schemas of the file formats."""


@schema.command("case")
def schema_case():
    """JSON Schema of case files (single-corporation and coalition cases)."""
    from .coalition.schema import case_formats_schema

    click.echo(json.dumps(case_formats_schema(), indent=2, ensure_ascii=False))


@schema.command("result")
def schema_result():
    """JSON Schema of the JSON result."""
    from .result import Result

    from . import __version__

    schema = Result.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:woningwet-engine:{__version__}:schema:result"
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@schema.command("stock")
def schema_stock():
    """JSON Schema of one row of a unit register (woningwet stock)."""
    from .stock.columns import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@schema.command("stock-output")
def schema_stock_output():
    """JSON Schema of the tables woningwet stock writes (unit rows, outcomes, flat rows)."""
    from .stock.output_schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@main.group()
@click.pass_context
def rules(ctx) -> None:
    """Inspect and validate the rulebook."""
    ctx.meta[LANG_KEY] = "en"  # tools for the rulebook's developers: their output and problems are English


@rules.command("list")
@click.option("--at", "at", help="only rules in force on this date")
@rules_option
def rules_list(at, rules_dir):
    """One line per rule: id, validity, scope, confidence, title."""
    book = load_book(rules_dir)
    day = parse_date(at)
    for cr in book.rules:
        r = cr.rule
        if day and not r.valid_on(day):
            continue
        until = r.valid_to.isoformat() if r.valid_to else "…"
        click.echo(f"{r.id:<12} {r.valid_from}..{until:<10} {r.scope:<9} {r.confidence:<10} {r.title.en}")


@rules.command("show")
@click.argument("rule_id")
@click.option("--at", "at", help="show the citation links and parameter values for this date")
@rules_option
def rules_show(rule_id, at, rules_dir):
    """Everything about one rule: text, conditions, citations, parameters."""
    from .explain import citation
    from .rulebook.model import bases_on
    from .rulebook.params import resolve

    book = load_book(rules_dir)
    try:
        cr = book.rule(rule_id)
    except KeyError:
        raise InputError.of("RULE_ID", "", "cli.no_rule", id=repr(rule_id)) from None
    r = cr.rule
    day = parse_date(at) or r.valid_from
    click.echo(f"{r.id}: {r.title.nl} / {r.title.en}")
    click.echo(f"  file:       {cr.file}")
    click.echo(f"  valid:      {r.valid_from} .. {r.valid_to or 'open'}   scope: {r.scope}   confidence: {r.confidence}")
    click.echo(f"  when:       {r.when}")
    if r.test:
        click.echo(f"  test:       {r.test}")
    for b in cr.branches:
        name, out = b.name, b.outcome
        click.echo(f"  {name}:       verdict={out.verdict} violation={out.violation} conditions={out.conditions}")
        click.echo(f"              nl: {out.explain.nl}")
        click.echo(f"              en: {out.explain.en}")
    for lb in bases_on(r.legal_basis, day):
        c = citation(lb, day, "nl")
        click.echo(f"  cites:      {c.text}  {c.juriconnect}")
        click.echo(f"              {c.url}")
    for pid in cr.params:
        p = resolve(book.params[pid], day)
        click.echo(f"  param:      {pid} on {day} = {p.value} ({p.confidence}; {p.source})")


@rules.command("coverage")
@click.option("--file", "path", type=click.Path(path_type=Path), default=None,
              help="coverage file written by the test suite (default: .rule-coverage.json here)")
@click.option("--tests", "show_tests", type=click.IntRange(0, 1000), default=3, show_default=True,
              help="test ids shown per rule and direction")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_coverage(path, show_tests, fmt):
    """Each rule with the tests that made it fire and not fire (from the last test run); exit 1 on a gap."""
    from .coverage import run_command

    raise SystemExit(run_command(path, show_tests, fmt))


@rules.command("check")
@click.option("--allow", "allow_path", type=click.Path(path_type=Path), default=None,
              help="allow-list of accepted findings (default: check-allow.yaml in the rules directory)")
@click.option("--coverage", "coverage_path", type=click.Path(path_type=Path), default=None,
              help="rule coverage from the test run (default: .rule-coverage.json here; skipped if absent)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--show-allowed", is_flag=True, help="also list the findings the allow-list accepts")
@rules_option
def rules_check(allow_path, coverage_path, fmt, show_allowed, rules_dir):
    """Static analysis: gaps, conflicts, unreachable rules, parameter periods, citations, test coverage."""
    from .rulebook.static_check import run_command

    raise SystemExit(run_command(rules_dir, allow_path, coverage_path, fmt, show_allowed))


@rules.command("validate")
@rules_option
def rules_validate(rules_dir):
    """Schema, unique ids, citations, conditions, parameter coverage. Exit 2 on any problem."""
    book = load_book(rules_dir)
    click.echo(f"ok: {len(book.rules)} rules, {len(book.params)} parameters, {len(book.conditions)} conditions, "
               f"{len(book.out_of_scope)} out of scope; rulebook sha256 {book.sha256}")


if __name__ == "__main__":  # pragma: no cover
    main()

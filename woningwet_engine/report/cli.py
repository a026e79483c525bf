"""`woningwet report` (one memo) and `woningwet report-all` (the memos of every case in a directory).

Exit codes: 0 written; 2 unusable input (case, rule or parameter file, date, options), nothing
written; 3 the PDF renderer (headless Chromium) is missing or failed, nothing written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..audit.context import context_from_options, context_options
from ..cli import LANGS, exit_fast, lang_option, load_book, parse_date, publish_with_record, remember_lang, rules_option
from ..output import StagedOutput, destination, write_output
from ..errors import InputError
from ..progress import Progress, progress_enabled, progress_option
from .render import FORMATS, RendererError

ALL_FORMATS = ("md", "html")
ALL_LANGS = ("nl",)


def _renderer_failed(exc: RendererError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(3)


@click.command("report")
@click.argument("case", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--at", "at", help="judge under the law of this date (YYYY-MM-DD) instead of the case date")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@lang_option
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="write to this file (required for pdf)")
@click.option("--record", is_flag=True, help="append the decision to the audit decision log (docs/audit.md)")
@click.option("--log", "log_path", type=click.Path(path_type=Path), default=None,
              help="decision log for --record (default: $WONINGWET_LOG, else the per-user data directory)")
@click.option("--sign-key", "sign_key", type=click.Path(path_type=Path), envvar="WONINGWET_SIGNING_KEY",
              default=None, help="with --record: sign the log entry with this Ed25519 private key")
@context_options
@rules_option
def report(case, at, fmt, lang, output, record, log_path, sign_key, by, purpose, board_decision, rules_dir):
    """Write the compliance memo of one CASE file (Markdown, HTML, PDF or JSON; Dutch or English)."""
    from ..coalition.load import is_coalition
    from ..modelcache import install, store
    from . import report_text

    models_cached = install()
    target = destination(output)  # a device, FIFO or directory is refused before any work
    context = context_from_options(record, by, purpose, board_decision)
    day = parse_date(at)
    if fmt == "pdf" and output is None:
        raise InputError.of("-o", "", "cli.pdf_needs_file")
    book = load_book(rules_dir)
    from ..cli import read_case

    loaded = read_case(case, book)
    if is_coalition(loaded):
        from ..coalition.report import coalition_report

        source = Path(case).as_posix()
        try:
            out = coalition_report(loaded, book, lang, fmt, source, at=day)
        except RendererError as exc:
            _renderer_failed(exc)
            return
        if not record:
            write_output(target, out)
            exit_fast()  # written, and no decision log to close: no teardown (cli.Group.__call__)
            return
        from ..audit import record_cli
        from ..audit.context import memo_entry
        from ..coalition.judge import judge_coalition

        result = judge_coalition(loaded, book, lang=lang, source=source, at=day)  # the memo's, judged again
        staged = StagedOutput(target, out)
        publish_with_record(staged, lambda publish: record_cli(
            [(source, loaded)], [result], book, log_path, origin="report", options={"at": day}, sign_key=sign_key,
            publish=publish, context=context, memos=[memo_entry(target, staged.data, fmt)]))
        return
    try:
        out = report_text(loaded, book, lang, fmt, at=day, source=Path(case).as_posix())
    except RendererError as exc:
        _renderer_failed(exc)
        return
    if not models_cached:
        store()
    if record:  # the memo's decision, judged again (deterministic) to get the Result to store
        from ..audit import record_cli
        from ..engine import judge

        from ..audit.context import memo_entry

        source = Path(case).as_posix()
        result = judge(loaded, book, at=day, lang=lang, source=source)
        staged = StagedOutput(target, out)
        publish_with_record(staged, lambda publish: record_cli(
            [(source, loaded)], [result], book, log_path, origin="report", sign_key=sign_key, publish=publish,
            context=context, memos=[memo_entry(target, staged.data, fmt)]))
    else:
        publish_with_record(StagedOutput(target, out))
        exit_fast()  # written, and no decision log to close: no teardown (cli.Group.__call__)


def generate_all(cases_dir: Path, book, langs=ALL_LANGS, formats=ALL_FORMATS,
                 progress: Progress | None = None) -> dict[str, str | bytes]:
    """Every memo of every case in `cases_dir` (*.yaml), by output file name `<stem>.<lang>.<fmt>`.
    All cases are loaded first: one bad case file stops the run with every problem listed.
    `progress` (progress.Progress) is told the number of cases, then each case done."""
    from ..coalition.load import is_coalition, load_any_case
    from . import case_meta
    from .model import build_memo
    from .render import render

    paths = sorted(Path(cases_dir).glob("*.yaml"))
    if not paths:
        raise InputError.of(str(cases_dir), "", "cli.no_cases")
    loaded, problems = [], []
    for p in paths:
        try:
            loaded.append((p, load_any_case(p, book)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    from ..engine import judge

    if progress is not None:
        progress.total = len(loaded)
    out: dict[str, str | bytes] = {}
    for p, case in loaded:
        source = (Path(cases_dir) / p.name).as_posix()
        if is_coalition(case):
            out.update(_coalition_memos(p.stem, case, book, source, langs, formats))
        else:
            for lang in langs:
                result = judge(case, book, lang=lang, source=source).model_dump(mode="json")
                memo = build_memo(result, case_meta(case, book, source, lang), lang)
                for fmt in formats:
                    out[f"{p.stem}.{lang}.{fmt}"] = render(memo, result, fmt)
        if progress is not None:
            progress(1)
    return out


def _coalition_memos(stem, case, book, source, langs, formats) -> dict[str, str | bytes]:
    from ..coalition.judge import judge_coalition
    from ..coalition.report import build_coalition_memo, render_coalition
    from ..result import canonical_json
    from .render import html_to_pdf

    out: dict[str, str | bytes] = {}
    for lang in langs:
        res = judge_coalition(case, book, lang=lang, source=source)
        memo = build_coalition_memo(res, case, source, book)
        for fmt in formats:
            if fmt == "json":
                data = canonical_json({"memo": memo, "result": res.model_dump(mode="json")})
            elif fmt == "pdf":
                data = html_to_pdf(render_coalition(memo, "html"))
            else:
                data = render_coalition(memo, fmt)
            out[f"{stem}.{lang}.{fmt}"] = data
    return out


@click.command("report-all")
@click.option("--cases", "cases_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("cases"),
              show_default=True, help="directory of case files")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True, help="directory for the memos")
@click.option("--lang", "langs", type=LANGS, multiple=True, is_eager=True, callback=remember_lang,
              help="language(s) (default: nl)")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True, help="format(s) (default: md, html)")
@click.option("--prune/--no-prune", default=True, show_default=True,
              help="remove memos (of these languages and formats) whose case file is gone")
@progress_option
@click.option("-q", "--quiet", is_flag=True, help="no progress on stderr and no list of the files written")
@rules_option
def report_all(cases_dir, out_dir, langs, formats, prune, progress, quiet, rules_dir):
    """Write the memo of every case in --cases to --output as <case>.<lang>.<format>."""
    book = load_book(rules_dir)
    langs = tuple(dict.fromkeys(langs)) or ALL_LANGS
    formats = tuple(dict.fromkeys(formats)) or ALL_FORMATS
    bar = Progress("report-all", 0, progress_enabled(progress, quiet))
    try:
        memos = generate_all(cases_dir, book, langs, formats, progress=bar)
    except RendererError as exc:
        _renderer_failed(exc)
        return
    bar.finish()
    targets = {name: destination(Path(out_dir) / name) for name in memos}
    for name, data in memos.items():
        write_output(targets[name], data)
        if not quiet:
            click.echo(f"wrote {(out_dir / name).as_posix()}")
    if prune:
        for lang in langs:
            for fmt in formats:
                for old in sorted(Path(out_dir).glob(f"*.{lang}.{fmt}")):
                    if old.name not in memos:
                        old.unlink()
                        if not quiet:
                            click.echo(f"removed {old.as_posix()} (no case file)")

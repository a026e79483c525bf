"""The `woningwet stock` command: judge a register (`woningwet stock UNITS --at DATE ...`) and explain
one unit of a judged table (`woningwet stock explain OUT UNIT_ID`)."""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import click

from ..cli import lang_option, load_book, parse_date, rules_option
from ..progress import progress_enabled, progress_option


class StockGroup(click.Group):
    """`stock UNITS ...` runs the `judge` subcommand; `stock explain ...` explains."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["judge", *args]
        return super().parse_args(ctx, args)


@click.group(cls=StockGroup)
def stock() -> None:
    """Judge a whole unit register (CSV, Parquet, XLSX) unit by unit; see docs/stock.md."""


def _corp(path):
    if path is None:
        return None
    from .mapping import load_corporation

    return load_corporation(path)


INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command ended by Ctrl-C


@contextmanager
def _ctrl_c(lang: str):
    """Ctrl-C during a run ends it with one line in the reader's language and exit 130, after the run's
    own cleanup (no output file, no temporary files, the planning worker ended). DuckDB turns the
    interrupt of a running statement into its own RuntimeError, so the signal is remembered here and
    whatever the run raises after it is the interrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen = []

    def interrupted(signum, frame):
        seen.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    except BaseException as exc:
        if not seen and not isinstance(exc, KeyboardInterrupt):
            raise
        from .summary import w

        click.echo(f"stock: {w(lang, 'interrupted')}", err=True)
        sys.exit(INTERRUPTED)
    finally:
        signal.signal(signal.SIGINT, previous)


@stock.command("judge")
@click.argument("units", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--at", "at", required=True, help="judge under the law of this date (YYYY-MM-DD)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="table with one row per unit")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "xlsx", "json"]), default=None,
              help="format of -o (default: from its extension, else parquet)")
@click.option("--layout", type=click.Choice(["normalised", "flat"]), default=None,
              help="normalised: per unit its verdict, fired rules and outcome number, the outcomes' citations, "
                   "figures and assumptions in OUT's .outcomes file beside it (default for parquet); flat: every "
                   "row complete (default for csv, xlsx, json)")
@click.option("--summary", type=click.Path(dir_okay=False, path_type=Path), help="write the HTML summary here")
@click.option("--totals", "totals_path", type=click.Path(dir_okay=False, path_type=Path),
              help="write the totals as JSON here (money in cents)")
@click.option("--on-error", "on_error", type=click.Choice(["stop", "skip"]), default="stop", show_default=True,
              help="a bad row stops the run with nothing written, or is reported and left out")
@click.option("--corporation", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML with the corporation block of a case file (working area, regime, turnover)")
@lang_option
@click.option("--threads", type=click.IntRange(1, 256), default=None, help="DuckDB threads (default: all cores)")
@click.option("--memory-limit", "memory_limit", default="1GB", show_default=True, help="DuckDB memory limit")
@click.option("--quiet", is_flag=True, help="no progress on stderr")
@progress_option
@click.option("--check-every-unit", "every_unit", is_flag=True,
              help="also evaluate every rule branch as SQL on every unit's own facts (slower; the query fails "
                   "if one unit differs from the reference evaluator)")
@rules_option
def judge_command(units, at, output, fmt, layout, summary, totals_path, on_error, corporation, lang, threads,
                  memory_limit, quiet, progress, every_unit, rules_dir):
    """Judge every unit of UNITS by the law in force on --at; print the totals."""
    from ..format import format_date, format_eur
    from .judge import judge_register
    from .summary import count_text, verdict_word, w

    day = parse_date(at)
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in ("parquet", "csv", "xlsx", "json") else "parquet"
    book = load_book(rules_dir)
    shown = progress_enabled(progress, quiet)
    with _ctrl_c(lang):
        run = judge_register(units, day, book, output=output, out_format=fmt, corporation=_corp(corporation),
                             on_error=on_error, lang=lang, progress=shown, threads=threads,
                             memory_limit=memory_limit, summary=summary, every_unit=every_unit, layout=layout)
    if run.ignored:  # a warning about the input, not progress: shown even with --quiet
        more = len(run.ignored) - 10
        click.echo(w(lang, "ignored_columns", columns=", ".join(run.ignored[:10]))
                   + (w(lang, "ignored_more", n=more) if more > 0 else ""), err=True)
    tot = run.totals
    if totals_path is not None:
        import json

        from ..output import write_output

        write_output(totals_path, json.dumps(tot, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    click.echo(w(lang, "terminal_head", units=count_text(run.judged, lang), skipped=count_text(run.bad, lang),
                 date=format_date(run.date)))
    for v, d in tot["by_verdict"].items():
        click.echo(f"  {verdict_word(v, lang):<28} {count_text(d['units'], lang):>10}  "
                   + w(lang, "terminal_verdict", rent=format_eur(d["rent_month"] * 12, lang)))
    vl = tot["verlicht"]
    click.echo(f"  {w(lang, 'verlicht')}: {w(lang, 'status_' + vl['status'])}")
    click.echo(f"  {w(lang, 'lib')}: {count_text(tot['liberalisation_candidates'], lang)}")
    for key in ("non_compliant", "compliance_open"):
        click.echo(f"  {w(lang, 'terminal_' + key, n=count_text(tot[key], lang))}")
    if shown:  # progress, like the lines judge_register prints
        seconds = f"{run.seconds:.2f}"
        click.echo(w(lang, "terminal_done", units=count_text(run.judged, lang),
                     seconds=seconds.replace(".", ",") if lang == "nl" else seconds), err=True)
    sys.exit(0 if tot["non_compliant"] == tot["compliance_open"] == 0 else 1)


@stock.command("explain")
@click.argument("table", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("unit_id")
@click.option("--corporation", type=click.Path(dir_okay=False, path_type=Path),
              help="the corporation file the table was judged with, if any")
@lang_option
@rules_option
def explain_command(table, unit_id, corporation, lang, rules_dir):
    """Explain one unit of a table written by `woningwet stock`: reasons, citations, figures, why not."""
    from .explain import explain_unit

    book = load_book(rules_dir)
    click.echo(explain_unit(table, unit_id, book, _corp(corporation), lang), nl=False)

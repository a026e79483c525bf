"""`woningwet compare`: judge a case under the law of two dates and list what changed, and why.

A single-corporation case is compared as one plan (compare.compare_results). A coalition case is
compared as a whole plan too: every component judged under the law of each date (its phases set
aside), then each corporation's part compared with its counterpart.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import lang_option, load_book, parse_date, width_option
from .output import destination, write_output
from .coalition.load import is_coalition, load_any_case
from .compare import compare_results, render_text
from .engine import judge
from .errors import InputError
from .result import canonical_json


@click.command("compare")
@click.argument("case_file", type=click.Path(path_type=Path))
@click.option("--at", "dates", multiple=True, required=True, help="two dates (YYYY-MM-DD): --at D1 --at D2")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@click.option("-o", "--output", type=click.Path(path_type=Path), help="write to this file")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="rules directory (default: the project's rules/)")
@click.option("-v", "--verbose", is_flag=True, help="after the headline, every change in the law and in the results")
@width_option
def compare_command(case_file, dates, fmt, lang, output, rules_dir, verbose, width):
    """Judge CASE_FILE under the law of two dates and list what changed, and why.

    Exit code 0: no change; 1: some verdict, condition, party or plan check changed; 2: bad input.
    """
    if len(dates) != 2:
        raise InputError.of("--at", "", "cli.two_dates", n=len(dates))
    target = destination(output)  # a device, FIFO or directory is refused before any work
    d1, d2 = parse_date(dates[0]), parse_date(dates[1])
    book = load_book(rules_dir)
    case = load_any_case(case_file, book)
    if is_coalition(case):
        from .coalition.judge import judge_coalition

        ra = judge_coalition(case, book, lang=lang, source=str(case_file), at=d1)
        rb = judge_coalition(case, book, lang=lang, source=str(case_file), at=d2)
        parts = [compare_results(a.result, b.result, book) for a, b in zip(ra.parts, rb.parts)]
        changed = any(c["summary"]["changed"] for c in parts)
        if fmt == "json":
            text = canonical_json({"case": case.case_id, "title": case.title, "parts": parts,
                                   "summary": {"changed": changed}})
        else:
            text = "\n".join(render_text(c, lang, verbose) for c in parts)
    else:
        ra = judge(case, book, at=d1, lang=lang, source=str(case_file))
        rb = judge(case, book, at=d2, lang=lang, source=str(case_file))
        cmp = compare_results(ra, rb, book)
        changed = cmp["summary"]["changed"]
        text = canonical_json(cmp) if fmt == "json" else render_text(cmp, lang, verbose)
    if fmt == "text":
        from .textout import fit_prose

        text = fit_prose(text, width, None if output else sys.stdout)
    write_output(target, text)
    sys.exit(1 if changed else 0)

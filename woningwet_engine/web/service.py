"""The engine behind the web app: every call into it runs on one dedicated thread.

durable_rules keeps per-process state that must not be entered from two threads at once, so all
judging (and everything that judges again: memos, comparisons, replay, diff) is queued on a single
worker thread. The asyncio event loop stays free, so pages that do not judge are served while a
slow case is being judged. PDF printing (a Chromium subprocess, seconds) has its own worker so that
it does not hold up judging.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..audit.context import TEXT_FIELDS, context_of
from ..errors import InputError, Problem, Say
from ..audit.log import log_write_problem, stored_rulebook_problem

LANGS = ("nl", "en")
KEEP_BY = ("value", "units")
NAME_RE = re.compile(r"[^A-Za-z0-9_.\-]+")


def safe_name(value: str | None, default: str = "case.yaml") -> str:
    """A label for the uploaded case in problems and memos: a bare file name, never opened."""
    name = NAME_RE.sub("_", (value or "").replace("\\", "/").rsplit("/", 1)[-1])[:80].strip("._")
    return name or default


def parse_day(value: str | None, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError.of(what, "", "cli.not_a_date", got=repr(value)) from None


CONTEXT_FIELDS = tuple(key for _, key, _ in TEXT_FIELDS)  # by, purpose, board_decision


@dataclass(frozen=True)
class Options:
    """The judge() options a request may set, as the CLI's --at, --lang, --start and --keep-by, and
    what a recorded decision carries as the CLI's --by, --purpose and --board-decision (`context`)."""

    at: dt.date | None = None
    lang: str = "nl"
    start: dt.date | None = None
    keep_by: str = "value"
    name: str = "case.yaml"
    context: dict | None = None

    @classmethod
    def parse(cls, get: Callable[[str], str | None], default_lang: str = "nl",
              names: dict | None = None) -> "Options":
        """The options from a query or form (`get`); `names` says what an error calls a context field
        (default: its parameter name). An empty context field is not given (a form sends every box)."""
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for key in ("at", "start"):
            try:
                values[key] = parse_day(get(key), key)
            except InputError as exc:
                problems += exc.problems
        lang = get("lang") or default_lang
        if lang not in LANGS:
            problems.append(Problem.of("lang", "", "web.unknown_lang", got=repr(lang)))
        keep_by = get("keep_by") or "value"
        if keep_by not in KEEP_BY:
            problems.append(Problem.of("keep_by", "", "web.unknown_keep_by", got=repr(keep_by)))
        texts = {key: value for key in CONTEXT_FIELDS if isinstance(value := get(key), str) and value.strip()}
        context = None
        if texts:
            try:
                context = context_of(texts, {key: key for key in CONTEXT_FIELDS} | (names or {}))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        return cls(at=values["at"], lang=lang, start=values["start"], keep_by=keep_by, name=safe_name(get("name")),
                   context=context)

    def judge_kwargs(self) -> dict:
        return {"at": self.at, "lang": self.lang, "start": self.start, "keep_by": self.keep_by, "source": self.name}

    def record_options(self) -> dict:
        """As the CLI's `check --record` stores them (replay passes them again)."""
        return {"start": self.start, "keep_by": self.keep_by}


@dataclass
class Service:
    """The rulebook, the sample cases and the decision log of one running app, plus its workers."""

    rules_dir: Path | None = None
    cases_dir: Path | None = None
    log_path: Path | None = None
    samples: dict[str, bytes] = field(default_factory=dict)
    book: Any = None
    _judge: ThreadPoolExecutor | None = None
    _pdf: ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Read the sample cases into memory and load the rulebook on the judging thread."""
        self._judge = ThreadPoolExecutor(max_workers=1, thread_name_prefix="woningwet-judge")
        self._pdf = ThreadPoolExecutor(max_workers=1, thread_name_prefix="woningwet-pdf")
        if self.cases_dir is not None and Path(self.cases_dir).is_dir():
            self.samples = {p.stem: p.read_bytes() for p in sorted(Path(self.cases_dir).glob("*.yaml"))}
        self.book = self._judge.submit(self._load_book).result()

    def _load_book(self):
        from ..cli import load_book

        return load_book(self.rules_dir)

    def stop(self) -> None:
        for pool in (self._judge, self._pdf):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    async def run(self, fn: Callable, *args, **kwargs):
        """Run fn(service, *args, **kwargs) on the judging thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._judge, lambda: fn(self, *args, **kwargs))

    async def pdf(self, html: str) -> bytes:
        from ..report.render import html_to_pdf

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pdf, html_to_pdf, html)


# ------------------------------------------------------------------------------------------------
# Work done on the judging thread. Each function takes the Service first.


def load(svc: Service, raw: bytes, name: str):
    from ..case import load_case_bytes

    return load_case_bytes(raw, name)


def check(svc: Service, raw: bytes, opts: Options, record: bool = False) -> tuple[Any, Any, dict | None]:
    """(case, Result, record) — what `woningwet check` judges for these bytes and options."""
    from ..engine import judge

    case = load(svc, raw, opts.name)
    _may_record(svc, opts, record)
    result = judge(case, svc.book, **opts.judge_kwargs())
    rec = None
    if record:
        rec = record_result(svc, case, result, opts)
    return case, result, rec


def _may_record(svc: Service, opts: Options, record: bool) -> None:
    """Refused before judging: recording without a log, or who/why/board decision without recording."""
    if record and svc.log_path is None:
        raise InputError.of("record", "", "web.no_log")
    if opts.context and not record:
        raise InputError.of(next(k for k in CONTEXT_FIELDS if k in opts.context), "", "web.context_without_record")


def record_result(svc: Service, case, result, opts: Options, options: dict | None = None) -> dict:
    """The decision in the log, with the judge options replay passes again (`options`, default the
    request's start and keep_by; a coalition: its at)."""
    import sqlite3

    from ..audit import record_decision

    try:
        return record_decision(case, result, svc.book, svc.log_path, origin="web", source=opts.name,
                               options=opts.record_options() if options is None else options,
                               context=opts.context)
    except (sqlite3.Error, OSError) as exc:
        raise InputError([log_write_problem(svc.log_path, exc)]) from None


def check_json(svc: Service, raw: bytes, opts: Options, record: bool = False) -> tuple[bytes, bool, int | None]:
    """The exact bytes `woningwet check --format json` prints, whether the plan is compliant, record id."""
    from ..result import canonical_json

    coalition = _coalition(svc, raw, opts)
    if coalition is not None:  # several corporations and partners (coalition/), as `woningwet check` does
        from ..coalition.judge import judge_coalition

        _may_record(svc, opts, record)
        result = judge_coalition(coalition, svc.book, lang=opts.lang, source=opts.name, at=opts.at)
        rec = record_result(svc, coalition, result, opts, {"at": opts.at}) if record else None
        return canonical_json(result).encode("utf-8"), result.summary.compliant, rec and rec["id"]
    _, result, rec = check(svc, raw, opts, record)
    return canonical_json(result).encode("utf-8"), result.summary.compliant, rec and rec["id"]


def _coalition(svc: Service, raw: bytes, opts: Options):
    """The coalition case in these bytes, or None for a single-corporation case (parsed as before)."""
    from ..coalition.load import is_coalition_data, parse_any
    from ..yamlio import load_yaml_bytes

    loaded = load_yaml_bytes(raw, opts.name)
    return parse_any(loaded, svc.book) if is_coalition_data(loaded.data) else None


def coalition_view(svc: Service, raw: bytes, opts: Options) -> tuple[str, dict, Any] | None:
    """For a coalition case: (its memo in HTML, a summary of the result for the page, the case); None for a
    single-corporation case."""
    case = _coalition(svc, raw, opts)
    if case is None:
        return None
    from ..coalition.judge import judge_coalition
    from ..coalition.report import build_coalition_memo, render_coalition

    res = judge_coalition(case, svc.book, lang=opts.lang, source=opts.name, at=opts.at)
    html = render_coalition(build_coalition_memo(res, case, opts.name, svc.book), "html")
    summary = {"title": res.title, "date": res.date, "summary": {"compliant": res.summary.compliant},
               "components": [{"id": c.id, "verdict": c.verdict, "compliant": c.compliant}
                              for p in res.parts for c in p.result.components]}
    return html, summary, case


def load_any(svc: Service, raw: bytes, name: str):
    """A single-corporation or a coalition case."""
    from ..coalition.load import load_any_case_bytes

    return load_any_case_bytes(raw, name, svc.book)


def memo(svc: Service, raw: bytes, opts: Options) -> tuple[dict, dict, Any]:
    """(memo view model, result JSON data, case) as `woningwet report` builds them."""
    from ..report import memo_for

    case = load(svc, raw, opts.name)
    m, result = memo_for(case, svc.book, opts.lang, at=opts.at, source=opts.name)
    return m, result, case


def report(svc: Service, raw: bytes, opts: Options, fmt: str) -> str:
    """A memo in md, html or json (pdf: render the html, then print it with `Service.pdf`)."""
    from ..report import render

    coalition = _coalition(svc, raw, opts)
    if coalition is not None:  # the coalition memo, as `woningwet report` writes it
        from ..coalition.report import coalition_report

        return coalition_report(coalition, svc.book, opts.lang, fmt, opts.name, at=opts.at)
    m, result, _ = memo(svc, raw, opts)
    return render(m, result, fmt)


def compare(svc: Service, raw: bytes, opts: Options, day_to: dt.date) -> tuple[dict, dict, dict]:
    """(comparison as `woningwet compare --format json` gives it, result on opts.at, result on day_to)."""
    from ..compare import compare_results
    from ..engine import judge

    case = load(svc, raw, opts.name)
    ra = judge(case, svc.book, at=opts.at, lang=opts.lang, source=opts.name)
    rb = judge(case, svc.book, at=day_to, lang=opts.lang, source=opts.name)
    return compare_results(ra, rb, svc.book), ra.model_dump(mode="json"), rb.model_dump(mode="json")


def rules_at(svc: Service, day: dt.date | None, lang: str) -> list[dict]:
    """The rules (in force on `day`, or all), with their validity, confidence and dated citations."""
    from ..explain import citation
    from ..rulebook.model import bases_on

    out = []
    for cr in svc.book.rules:
        r = cr.rule
        if day and not r.valid_on(day):
            continue
        on = day or r.valid_from
        out.append({
            "id": r.id, "title": getattr(r.title, lang), "valid_from": r.valid_from.isoformat(),
            "valid_to": r.valid_to.isoformat() if r.valid_to else None, "scope": r.scope,
            "confidence": r.confidence,
            "citations": [citation(lb, on, lang).model_dump(mode="json") for lb in bases_on(r.legal_basis, on)],
        })
    return out


def mv_codes(svc: Service, day: dt.date) -> list[tuple[str, str]]:
    """The VERA maatschappelijk-vastgoed codes the rulebook knows on `day`, with the list they are on."""
    sel = svc.book.at(day) if svc.book.covers(day) else None
    out: list[tuple[str, str]] = []
    for pid, label in (("mv_bijlage3_codes", "BTIV bijlage 3"), ("mv_bijlage4_codes", "BTIV bijlage 4"),
                       ("mv_lid2_codes", "BTIV 49 lid 2")):
        p = sel.params.get(pid) if sel else None
        for code in (p.value if p is not None and p.value else []):
            out.append((code, label))
    return out


# ------------------------------------------------------------------------------------------------
# The decision log (opened per call: sqlite connections stay on the thread that made them)


def log_list(svc: Service) -> list[dict]:
    import json

    from ..audit import DecisionLog

    if not Path(svc.log_path).exists():  # configured, nothing recorded yet
        return []
    with DecisionLog.open(svc.log_path) as log:
        out = []
        for rec in log.records():
            try:
                compliant = json.loads(rec["result_json"])["summary"]["compliant"]
            except (ValueError, KeyError, TypeError):
                compliant = None
            out.append({k: rec[k] for k in ("id", "timestamp", "case_id", "date", "lang", "engine_version",
                                             "origin", "source", "hash")} | {"compliant": compliant})
        return out


def log_get(svc: Service, record_id: int) -> dict:
    from ..audit import DecisionLog

    with DecisionLog.open(svc.log_path) as log:
        return log.get(record_id)


def log_verify(svc: Service):
    from ..audit import DecisionLog

    with DecisionLog.open(svc.log_path) as log:
        return log.verify()


def log_replay(svc: Service, record_id: int):
    from ..audit import DecisionLog
    from ..audit.replay import RulebookCache, replay_record

    with DecisionLog.open(svc.log_path) as log:
        return replay_record(log.get(record_id), RulebookCache(log))


def log_diff(svc: Service, record_id: int, day: dt.date) -> dict:
    """As `woningwet audit diff ID --at DAY --format json`: the record re-judged under the project's rules."""
    import json

    from ..audit import DecisionLog
    from ..audit.replay import RulebookCache, is_coalition_record, rejudge
    from ..compare import compare_results

    with DecisionLog.open(svc.log_path) as log:
        rec = log.get(record_id)
        if is_coalition_record(rec):
            raise InputError([Problem.of(str(log.path), "", "log.diff_coalition",
                                         where=Say.of("where.record", id=rec["id"]))])
        try:
            book_from = RulebookCache(log).get(rec)
        except (KeyError, ValueError) as exc:
            raise InputError([stored_rulebook_problem(log.path, rec["id"], exc)]) from None
    result_to = rejudge(rec, svc.book, at=day)
    cmp = compare_results(json.loads(rec["result_json"]), result_to, book_from, svc.book)
    cmp["record"] = {"id": rec["id"], "hash": rec["hash"], "timestamp": rec["timestamp"],
                     "engine_version": rec["engine_version"]}
    return cmp

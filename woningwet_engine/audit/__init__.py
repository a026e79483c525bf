"""Audit: the tamper-evident decision log, exact replay, and re-judging past decisions under later law.

`record_decision(case, result, rulebook, log=...)` appends one judged case to the log; it is what
`woningwet check --record` and `woningwet report --record` call. See docs/audit.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

__all__ = ["DecisionLog", "default_log_path", "resolve_log_path", "record_decision", "record_item", "case_json_of"]


def __getattr__(name: str):
    """The log's names, imported on first use: `check` imports this package for its --record
    options (audit/context.py) and should not pay for SQLite when it does not record."""
    if name in ("DecisionLog", "default_log_path", "resolve_log_path"):
        from . import log

        return getattr(log, name)
    raise AttributeError(name)


def case_json_of(case: Any) -> str:
    """The canonical case as stored in the log (sorted keys, compact, UTF-8)."""
    return json.dumps(case.canonical(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_item(case: Any, result: Any, rulebook: Any, origin: str = "check", source: str = "",
                options: dict | None = None, context: dict | None = None) -> dict:
    """The fields of one log record for a judged case (see record_decision)."""
    from ..result import canonical_json, sha256_of

    data = result if isinstance(result, dict) else result.model_dump(mode="json")
    prov = data["provenance"]
    if prov["rulebook_sha256"] != rulebook.sha256:
        raise ValueError("the result was not judged with this rulebook")
    if prov["case_sha256"] != sha256_of(case.canonical()):
        raise ValueError("the result was not judged from this case")
    return dict(case_json=case_json_of(case), result_json=canonical_json(data), files=rulebook.files,
                engine_version=prov["engine_version"], date=data["date"], lang=data["lang"],
                case_id=data["case"], origin=origin, source=source, options=options_json(options),
                context=context or None)


def record_decision(case: Any, result: Any, rulebook: Any, log: str | Path | None = None,
                    origin: str = "check", source: str = "", options: dict | None = None, signer=None,
                    context: dict | None = None) -> dict:
    """Append one decision to the log at `log` (default: $WONINGWET_LOG or the per-user location).

    `case` is the Case that was judged, `result` the Result judge() gave for it (or its JSON data,
    `result.model_dump(mode="json")`) and `rulebook` the
    Rulebook it was judged with (its exact files are stored). Returns the stored record (with
    its id and hash). Raises ValueError if the result was not made from this case and rulebook.
    `options`: the other judge() keyword arguments used (start, keep_by, ...), so that replay can
    pass them again; dates may be given as dates. Leave out options that had their default value.
    `signer`: an audit.signing.SigningKey for a signed log.
    `context`: who ran it, why, the board decision, memo hashes (audit/context.py; checked there).
    """
    from .log import DecisionLog

    item = record_item(case, result, rulebook, origin, source, options, context)
    with DecisionLog.open(log, create=True) as dlog:
        return dlog.append_many([item], signer=signer)[0]


def options_json(options: dict | None) -> dict:
    """judge() options as JSON data: dates as ISO strings, None values left out."""
    import datetime as dt

    out = {}
    for key, value in sorted((options or {}).items()):
        if value is None:
            continue
        out[key] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def record_cli(loaded: list, results: list, rulebook: Any, log: str | Path | None, origin: str,
               options: dict | None = None, sign_key: str | Path | None = None,
               publish: Callable[[], object] | None = None, context: dict | None = None,
               memos: list[dict] | None = None) -> list[dict]:
    """For commands with --record: append one record per (path, case) and its result, all in one
    transaction; say so on stderr.

    `context` (from audit.context.context_from_options) and `memos` (audit.context.memo_entry of
    each output the run wrote) go into every record, so each decision names the memo it produced.

    `publish` puts the command's output in place inside that transaction (output.StagedOutput), so
    a decision is never logged for an output that failed; see DecisionLog.append_many. A log that
    cannot be written is an input error (exit 2) naming the log file.
    """
    import sqlite3

    import click

    from ..errors import InputError, Problem
    from .log import DecisionLog, log_write_problem, resolve_log_path

    path = resolve_log_path(log)
    signer = None
    if sign_key:
        from .signing import load_signing_key

        signer = load_signing_key(sign_key)
    from .context import with_memos

    full = with_memos(context, memos or [])
    items = [record_item(case, result, rulebook, origin=origin, source=str(source), options=options, context=full)
             for (source, case), result in zip(loaded, results)]
    try:
        with DecisionLog.open(path, create=True) as dlog:
            out = dlog.append_many(items, signer=signer, before_commit=publish)
    except (sqlite3.Error, OSError) as exc:
        raise InputError([log_write_problem(path, exc)]) from None
    from ..i18n import text

    for rec in out:  # in the language of the judged result
        click.echo(text(rec["lang"], "audit_log.recorded", id=rec["id"], case=rec["case_id"], date=rec["date"],
                        log=path), err=True)
    return out

"""The audit context of a recorded decision: who ran it, why, the board decision it serves, and the
sha256 of every memo or report the run wrote.

An auditor holding a memo from the board's table can then prove it is the one recorded
(`woningwet audit verify-memo FILE`). The context is one JSON object in the record's `context`
column and is covered by the record's hash (audit/chain.py), so editing it breaks the chain.

The name is self-declared: the engine cannot know who typed the command (an OS account or a git
identity is not an accountable person), so it stores exactly what `--by` (or $WONINGWET_BY) gave
and says so wherever it shows it; a signature (--sign-key) proves only who held the key.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import click

from ..errors import InputError

BY_ENV = "WONINGWET_BY"
# option name, JSON key, longest text accepted (characters)
TEXT_FIELDS = (("--by", "by", 200), ("--purpose", "purpose", 1000), ("--board-decision", "board_decision", 200))
MEMO_KEYS = {"file": str, "format": str, "bytes": int, "sha256": str}
KEYS = {"by", "by_self_declared", "purpose", "board_decision", "memos"}
# Characters that change how text is displayed rather than what it says: controls (newline, escape,
# ...), line and paragraph separators, bidirectional overrides and isolates (can make a name read
# differently on screen than in the file), and lone surrogates (undecodable command-line bytes).
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def check_text(option: str, value: str, limit: int) -> str:
    """`value` without surrounding blanks, or InputError naming the option and what is wrong."""
    text = value.strip()
    if not text:
        raise InputError.of(option, "", "context.empty")
    for pos, ch in enumerate(text, 1):
        if unicodedata.category(ch) == "Cs":
            raise InputError.of(option, "", "context.undecodable", pos=pos)
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI:
            raise InputError.of(option, "", "context.control", code=f"U+{ord(ch):04X}", pos=pos)
    if len(text) > limit:
        raise InputError.of(option, "", "context.too_long", n=len(text), limit=limit)
    return text


def context_options(f):
    """--by, --purpose and --board-decision for a command with --record."""
    f = click.option("--board-decision", "board_decision", metavar="REF", default=None,
                     help='with --record: the board decision this run serves, e.g. "RvC 2024-11-12 besluit 7"')(f)
    f = click.option("--purpose", metavar="TEXT", default=None,
                     help="with --record: why this decision was run (recorded as given)")(f)
    f = click.option("--by", "by", metavar="NAME", envvar=BY_ENV, default=None,
                     help=f"with --record: who ran it (default: ${BY_ENV}); recorded as given and shown "
                          "as self-declared")(f)
    return f


def context_from_options(record: bool, by: str | None, purpose: str | None, board_decision: str | None) -> dict:
    """The checked context of --by/--purpose/--board-decision (before any work is done).

    Given on the command line without --record they are an error (nothing would keep them); a
    name from $WONINGWET_BY is simply not used then."""
    values = {"by": by, "purpose": purpose, "board_decision": board_decision}
    ctx = click.get_current_context(silent=True)
    if not record:
        given = [opt for opt, key, _ in TEXT_FIELDS if values[key] is not None and not _from_env(ctx, key)]
        if given:
            raise InputError.of(given[0], "", "context.without_record")
        return {}
    return context_of(values, {"by": f"${BY_ENV}"} if _from_env(ctx, "by") else None)


def context_of(values: dict, names: dict | None = None) -> dict:
    """The checked context of the texts in `values` ("by", "purpose", "board_decision"; None: not
    given), for the command line and the web app alike; an error names the field as `names` says
    (default: its command-line option)."""
    out: dict = {}
    for opt, key, limit in TEXT_FIELDS:
        if values.get(key) is not None:
            out[key] = check_text((names or {}).get(key, opt), values[key], limit)
    if "by" in out:
        out["by_self_declared"] = True
    return out


def _from_env(ctx, key: str) -> bool:
    if ctx is None:
        return False
    source = ctx.get_parameter_source(key)
    return source is not None and source.name == "ENVIRONMENT"


def memo_entry(target: Path | None, data: bytes, fmt: str) -> dict:
    """The record of one output: its file name as given ("-" for standard output), format, size, sha256."""
    return {"file": "-" if target is None else Path(target).as_posix(), "format": fmt, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def with_memos(context: dict | None, memos: list[dict]) -> dict | None:
    out = dict(context or {})
    if memos:
        out["memos"] = memos
    return out or None


def context_json(context: dict) -> str:
    return json.dumps(context, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def context_problem(text: str) -> str | None:
    """What is wrong with a stored context, as the key of an `audit verify` finding, or None."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "context_json"
    if not isinstance(data, dict) or not data or set(data) - KEYS:
        return "context_fields"
    if any(not isinstance(data[k], str) for k in ("by", "purpose", "board_decision") if k in data):
        return "context_text"
    memos = data.get("memos", [])
    if not isinstance(memos, list) or not all(
            isinstance(m, dict) and set(m) == set(MEMO_KEYS) and all(
                isinstance(m[k], t) and not isinstance(m[k], bool) for k, t in MEMO_KEYS.items()) for m in memos):
        return "context_memos"
    return None


def parse_context(rec: dict) -> dict | None:
    """The record's context as data, or None (a record from before the context, or unreadable)."""
    text = rec.get("context")
    if not text or context_problem(text):
        return None
    return json.loads(text)


def memo_hashes(rec: dict) -> set[str]:
    ctx = parse_context(rec) or {}
    return {m["sha256"] for m in ctx.get("memos", [])}


def describe(ctx: dict | None, lang: str) -> list[tuple[str, str]]:
    """(label, value) lines of a context in words, for `audit show` and `audit replay`."""
    from ..i18n import text

    if not ctx:
        return [(text(lang, "audit.context"), text(lang, "audit.no_context"))]
    lines = []
    if "by" in ctx:
        lines.append((text(lang, "audit.by"), text(lang, "audit.self_declared", name=ctx["by"])))
    if "purpose" in ctx:
        lines.append((text(lang, "audit.purpose"), ctx["purpose"]))
    if "board_decision" in ctx:
        lines.append((text(lang, "audit.board_decision"), ctx["board_decision"]))
    for m in ctx.get("memos", []):
        lines.append((text(lang, "audit.memo"), memo_text(m, lang)))
    return lines


def memo_text(memo: dict, lang: str) -> str:
    from ..i18n import text

    name = text(lang, "audit.stdout") if memo["file"] == "-" else memo["file"]
    return text(lang, "audit.memo_line", file=name, format=text(lang, f"audit.format_{memo['format']}"),
                bytes=memo["bytes"], sha256=memo["sha256"])

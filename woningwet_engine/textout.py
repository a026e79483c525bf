"""The terminal view of a result: a table that fits the terminal, then what the plan needs.

Words come from the catalogue (woningwet_engine/i18n: the memo's labels in section `memo`) and terms.py, so
the terminal speaks the memo's language and shows no internal codes. Cells wrap at word boundaries
to the terminal width (80 columns work); nothing is cut. Non-compliant components are marked in
the table and counted at the end; the last line says plainly what the plan needs.

`rich` was considered for tables: its import costs more than the whole `woningwet check` budget
(docs/benchmarks.md) and its layout depends on the terminal it detects, while this output must be
byte-identical for the same width; wrapping with textwrap does what is needed.
"""

from __future__ import annotations

import os
import textwrap

from .i18n import section
from .result import Result

DEFAULT_WIDTH = 100  # when the output is not a terminal (a file, a pipe) and COLUMNS is not set
MIN_WIDTH = 60


def terminal_width(stream=None) -> int:
    """The terminal's width (COLUMNS when set) when `stream` is a terminal; else DEFAULT_WIDTH, so that
    output to a file or a pipe does not depend on the environment (`--width` sets it explicitly)."""
    if not _is_tty(stream):
        return DEFAULT_WIDTH
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return max(MIN_WIDTH, int(env))
    import shutil  # only on a terminal (it loads the compression modules)

    return max(MIN_WIDTH, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def wrap(text: str, width: int) -> list[str]:
    """Word-wrap; a word longer than the column is split only when nothing else fits."""
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


MAX_WORD = 20  # a column never needs to be wider than its longest word, up to this


def table(rows: list[list[str]], width: int) -> list[str]:
    """A plain table that fits `width`: the first row is the header. Each column gets at least its longest
    word (so words are not cut) and the room left is shared in proportion to what each column lacks."""
    n = len(rows[0])
    gaps = 2 * (n - 1)
    natural = [max(len(r[i]) for r in rows) for i in range(n)]
    least = [min(natural[i], max(min(MAX_WORD, max((len(w) for r in rows for w in r[i].split()), default=1)),
                                 len(rows[0][i].split()[0]) if rows[0][i] else 1)) for i in range(n)]
    widths = list(least)
    room = width - gaps - sum(widths)
    # water-filling: columns that need little get all of it, the rest share what is left equally
    open_cols = [i for i in range(n) if natural[i] > widths[i]]
    while room > 0 and open_cols:
        share = max(1, room // len(open_cols))
        for i in sorted(open_cols, key=lambda i: natural[i] - widths[i]):
            give = min(share, natural[i] - widths[i], room)
            widths[i] += give
            room -= give
        open_cols = [i for i in open_cols if natural[i] > widths[i]]
    out = []
    for k, row in enumerate(rows):
        cells = [wrap(row[i], widths[i]) for i in range(n)]
        for j in range(max(len(c) for c in cells)):
            out.append("  ".join((c[j] if j < len(c) else "").ljust(widths[i]) for i, c in enumerate(cells)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def text_table(result: Result, width: int = DEFAULT_WIDTH) -> str:
    from .report.model import check_state, compliance_of, subject_label
    from .terms import law_name

    lang = result.lang
    t = section(lang, "memo")
    cols = t["columns"]
    data = result.model_dump(mode="json")
    lines = wrap(result.title, width)
    laws = sorted({r.citation.bwb for c in result.components for r in c.reasons},
                  key=lambda b: ("BWBR0005181", "BWBR0036530", "BWBR0036702", "BWBR0036709").index(b)
                  if b in ("BWBR0005181", "BWBR0036530", "BWBR0036702", "BWBR0036709") else 9)
    lines += wrap(f'{t["meta"]["law_date"]} {_date(result.date, lang)}: '
                  + "; ".join(law_name(b, lang) for b in laws), width)
    lines.append("")
    rows = [[cols["component"], cols["verdict"], cols["compliant"], t["summary"]["conditions_n"].capitalize(),
             cols["basis"]]]
    for c in data["components"]:
        state = compliance_of(c)
        # the provisions that decide, as the law names them (the rule ids are in the JSON and the memo)
        decisive = [r["citation"]["text"] for r in c["reasons"] if r["effect"] in ("verdict", "violation", "undetermined")]
        ok = t["word_yes"] if c["compliant"] else "✗ " + t["compliance"][state].upper()
        rows.append([f'{c["id"]} {c["title"]}', t["verdict"].get(c["verdict"], c["verdict"]), ok,
                     str(len(c["conditions"])) if c["conditions"] else "-", "; ".join(dict.fromkeys(decisive)) or "-"])
    lines += table(rows, width)
    checks = data["plan"]["checks"]
    if checks:
        lines.append("")
        lines.append(t["sections"]["plan"] + ":")
        for ch in checks:
            state = check_state(ch)
            mark = {"pass": " ", "violation": "✗", "action": "!", "unknown": "?"}[state]
            head = f'{mark} {check_name(ch)} ({subject_label(ch["subject"], lang)}): {t["check_status"][state]}. '
            lines += hanging(head + ch["text"], width)
            if state == "action":
                for step in _steps(data, ch["conditions"]):
                    lines += hanging(f'    → {step}', width)
    lines += decision_lines(data, width)
    need, last = verdict_lines(data)
    lines.append("")
    if need:
        lines += hanging(need, width)
    lines += wrap(last, width)  # one sentence; wrapped only when the counts do not fit the width
    return "\n".join(lines) + "\n"


def _date(iso: str | None, lang: str) -> str:
    from .report.model import fmt_date

    return fmt_date(iso, lang)


def fit_prose(text: str, width: int | None, stream=None) -> str:
    """Prose output (compare, audit diff) wrapped to `width`, else to the terminal `stream` is; for a
    file or a pipe without --width it stays as it is, one line per item."""
    if width is None:
        if not _is_tty(stream):
            return text
        width = terminal_width(stream)
    return fit(text, width)


def _is_tty(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def fit(text: str, width: int) -> str:
    """Text whose lines fit `width`: a longer line wraps at word boundaries under its own indent (+4)."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        out += hanging(line.strip(), width, indent + 4, indent)
    return "\n".join(out)


def hanging(text: str, width: int, indent: int = 4, first: int = 0) -> list[str]:
    """`text` wrapped to `width` at word boundaries, the lines after the first indented by `indent` (the first
    by `first`)."""
    return textwrap.wrap(text, width, initial_indent=" " * first, subsequent_indent=" " * indent,
                         break_on_hyphens=False) or [""]


def _steps(data: dict, ids: list[str]) -> list[str]:
    """Route steps for the given condition ids, with their statutory date."""

    t = section(data["lang"], "memo")
    out = []
    for s in data.get("route") or []:
        if s["id"] in ids:
            due = f', {t["route"]["before"]} {_date(s["due"], data["lang"])}' if s.get("due") else ""
            out.append(f'{s["title"]}{due}')
    return out


def decision_lines(data: dict, width: int = DEFAULT_WIDTH) -> list[str]:
    """Who else should carry what, the first remedy per component, and the approval route."""
    from .terms import actor_label

    lang = data["lang"]
    t = section(lang, "memo")
    lines: list[str] = []
    moved = [f'{p["component"]} → {t["party"].get(p["party"], p["party"])}'
             + (f' ({_share(p["share"], lang)})' if p["share"] != "1" else "")
             for p in data["splits"]["parts"] if p["party"] not in ("corporation", "corporation_non_daeb")]
    if moved:
        lines.append("")
        lines += hanging(f'{t["sections"]["splits"]}: ' + "; ".join(moved), width)
    remedies = [(c["id"], c["remediation"][0]["text"]) for c in data["components"] if c["remediation"]]
    if remedies:
        lines.append("")
        lines.append(t["component"]["remediation"] + ":")
        for cid, text in remedies:
            lines += hanging(f"  {cid}: {text}", width, 6)
    route = data.get("route") or []
    if route:
        lines.append("")
        lines.append(f'{t["sections"]["route"]}:')
        rows = [["#", t["columns"]["step"], t["columns"]["actor"], t["columns"]["start"], t["columns"]["end"]]]
        for s in route:
            end = _date(s["earliest_end"], lang) if s.get("end_known", True) else t["route"]["date_unknown"]
            if s.get("due") and s["due"] != s["earliest_end"]:
                end += f' ({t["route"]["before"]} {_date(s["due"], lang)})'
            rows.append([str(s["order"]), s["title"], actor_label(s["actor"], lang), _date(s["earliest_start"], lang), end])
        lines += table(rows, width)
    return lines


def _share(share: str, lang: str) -> str:
    from .report.model import fmt_value

    return fmt_value(share, "ratio", lang)


def check_name(check: dict) -> str:
    """A plan check in words: its rule's title (a result recorded before plan checks carried one
    falls back to the rule id)."""
    return check.get("title") or check["rule"]


def verdict_lines(data: dict) -> tuple[str, str]:
    """What the plan needs, in plain words, and a short last line with the outcome and the counts."""
    from .report.model import subject_label

    t = section(data["lang"], "memo")
    v = t["cli"]
    s = data["summary"]
    bad = [c["id"] for c in data["components"] if c["compliant"] is False]
    open_ = s.get("undetermined") or []
    violations = s.get("violations") or []
    actions = s.get("actions") or []
    conditional = sum(1 for c in data["components"] if c["compliant"] and (c["conditions"] or
                                                                          c["verdict"] == "needs_decision"))
    parts = []
    if bad:
        parts.append(v["fix"].format(ids=", ".join(bad)))
    if violations:
        names = {(ch["id"], ch["subject"]): check_name(ch) for ch in data["plan"]["checks"]}
        parts.append(v["violations"].format(checks="; ".join(
            f'‘{names.get((x["id"], x["subject"]), x["id"])}’ ({subject_label(x["subject"], data["lang"])})'
            for x in violations)))
    if open_:
        parts.append(v["open"].format(ids=", ".join(open_)))
    if actions:
        parts.append(v["actions"].format(n=len(actions)))
    if conditional:
        parts.append(v["conditions"].format(n=conditional))
    head = v["ok"] if s["compliant"] else v["not_ok"]
    counts = [v["n_non_compliant"].format(n=len(bad))] if bad or not s["compliant"] else []
    counts += [v["n_violations"].format(n=len(violations))] if violations else []
    counts += [v["n_open"].format(n=len(open_))] if open_ else []
    counts += [v["n_actions"].format(n=len(actions))] if actions else []
    need = f'{v["need"]}: ' + "; ".join(parts) + "." if parts else ""
    return need, f"{head}" + (f" ({'; '.join(counts)})." if counts else ".")

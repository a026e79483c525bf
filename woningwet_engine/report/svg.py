"""Inline SVG pictures for the HTML and PDF memo, drawn in Python (no network, no JavaScript).

Two pictures: the plan by suggested party and verdict (homes and investment as stacked bars) and a
timeline of the approval route. Coordinates are integers and the output is a pure function of the
view model, so the memo stays byte-identical between runs.
"""

from __future__ import annotations

import datetime as dt

from ..i18n import section
from .model import VERDICT_ORDER, fmt_eur_short, fmt_int


def escape(s: str) -> str:
    """html.escape(s) as the standard library writes it, without importing `html` (its entity tables
    cost ~9 M instructions of a report; tests/test_report.py holds the two equal)."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#x27;")


FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
VERDICT_COLOUR = {
    "daeb": "#2e7d32",
    "non_daeb": "#1565c0",
    "needs_decision": "#ef9f00",
    "forbidden": "#c62828",
    "undetermined": "#7b7b7b",
}
INK = "#1d2733"
MUTED = "#5b6673"
GRID = "#d5dbe1"


def _t(x: int, y: int, text: str, size: int = 12, anchor: str = "start", weight: str = "normal",
       fill: str = INK) -> str:
    return (f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{escape(text)}</text>')


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def plan_chart(memo: dict) -> str:
    """Stacked horizontal bars: per party, homes and investment split by verdict."""
    lang = memo["lang"]
    t = section(lang, "memo")
    parties = memo["summary"]["parties"]
    verdicts = [v for v in VERDICT_ORDER if any(v in p["by_verdict"] for p in parties)]
    width, label_w, bar_w = 760, 220, 400
    row_h, bar_h = 28, 16
    parts: list[str] = []
    y = 8
    # legend
    x = label_w
    for v in verdicts:
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{VERDICT_COLOUR.get(v, MUTED)}"/>')
        lab = t["verdict"].get(v, v)
        parts.append(_t(x + 17, y + 10, lab, 11, fill=MUTED))
        x += 17 + 7 * len(lab) + 22
    y += 30
    panels = (("units", t["charts"]["units"], lambda n: fmt_int(n, lang)),
              ("cost", t["charts"]["cost"], lambda n: fmt_eur_short(n, lang)))
    for key, title, fmt in panels:
        parts.append(_t(0, y + 12, title, 13, weight="bold"))
        y += 22
        top = y
        biggest = max((sum(b[key] for b in p["by_verdict"].values()) for p in parties), default=0)
        for p in parties:
            parts.append(_t(label_w - 10, y + bar_h - 3, _clip(p["label"], 32), 12, anchor="end"))
            x = label_w
            total = 0
            for v in verdicts:
                amount = p["by_verdict"].get(v, {}).get(key, 0)
                if not amount or not biggest:
                    continue
                w = max(1, round(bar_w * amount / biggest))
                parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{bar_h}" fill="{VERDICT_COLOUR.get(v, MUTED)}">'
                             f'<title>{escape(p["label"])}: {escape(t["verdict"].get(v, v))} {escape(fmt(amount))}'
                             f'</title></rect>')
                x += w
                total += amount
            parts.append(_t(x + 6, y + bar_h - 3, fmt(total) if total else "–", 11, fill=MUTED))
            y += row_h
        parts.append(f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{y - row_h + bar_h + 4}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        y += 14
    height = y
    desc = "; ".join(f'{p["label"]}: {p["units_text"]} {t["unit_homes"]}, {p["cost_text"]}' for p in parties)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" font-family="{FONT}" class="chart">'
            f'<title>{escape(t["charts"]["units"])} / {escape(t["charts"]["cost"])}</title>'
            f'<desc>{escape(desc)}</desc>' + "".join(parts) + "</svg>")


def _month_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    span_months = (end.year - start.year) * 12 + end.month - start.month
    step = 1 if span_months <= 12 else 3 if span_months <= 36 else 12
    d = dt.date(start.year, start.month, 1)
    ticks = []
    while d <= end:
        if (d.month - 1) % step == 0 and d >= start:
            ticks.append(d)
        m = d.month + 1
        d = dt.date(d.year + (m > 12), (m - 1) % 12 + 1, 1)
    return ticks


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Word-wrap `text` to at most `lines` lines of `width` characters (the last one clipped with …)."""
    out: list[str] = []
    line = ""
    words = text.split()
    for k, w in enumerate(words):
        if len(line) + len(w) + (1 if line else 0) <= width:
            line = f"{line} {w}" if line else w
            continue
        out.append(line)
        line = w
        if len(out) == lines - 1:
            line = " ".join(words[k:])
            break
    out.append(line)
    return [(_clip(x, width) if i == len(out) - 1 else x) for i, x in enumerate(out) if x][:lines]


def route_chart(memo: dict) -> str | None:
    """Gantt chart of the approval route: one row per step. A bar is a statutory period (its possible
    extension lighter), a yellow bar ends on a yearly statutory date, a red mark is a final date, and a
    grey open bar is a step without a statutory end ("date unknown"). None when no step is dated."""
    route = memo.get("route")
    if not route:
        return None
    lang = memo["lang"]
    t = section(lang, "memo")
    steps = route["steps"]
    dates = [dt.date.fromisoformat(d) for s in steps for d in (s["start"], s["end"], s["due"], s["latest_end"]) if d]
    if not dates:
        return None
    lo, hi = min(dates), max(dates)
    lo = dt.date(lo.year, lo.month, 1)
    hi = max(hi, lo + dt.timedelta(days=60)) + dt.timedelta(days=14)
    width, label_w, bar_w = 880, 330, 520
    row_h, top = 30, 52
    days = (hi - lo).days

    def xpos(d: dt.date) -> int:
        return label_w + round(bar_w * (d - lo).days / days)

    parts: list[str] = []
    height = top + row_h * len(steps) + 10
    # legend
    legend = ((f'<rect x="0" y="0" width="18" height="10" rx="2" fill="#1565c0"/>', t["charts"]["legend_period"]),
              (f'<rect x="0" y="0" width="18" height="10" rx="2" fill="#e0a800"/>', t["charts"]["legend_yearly"]),
              (f'<rect x="0" y="4" width="3" height="12" fill="#c62828" transform="translate(7 -4)"/>',
               t["charts"]["legend_deadline"]),
              (f'<rect x="0" y="0" width="18" height="10" rx="2" fill="#fff" stroke="{MUTED}" stroke-dasharray="3 2"/>',
               t["route"]["date_unknown"]))
    x = 0
    for shape, text in legend:
        parts.append(f'<g transform="translate({x} 4)">{shape}</g>')
        parts.append(_t(x + 24, 13, text, 11, fill=MUTED))
        x += 24 + 7 * len(text) + 24
    for k, tick in enumerate(_month_ticks(lo, hi)):
        x = xpos(tick)
        parts.append(f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{height - 6}" stroke="{GRID}" stroke-width="1"/>')
        text = f'{section(lang, "format")["months"][tick.month - 1][:3]} {tick.year}'
        parts.append(_t(x + 3, top - 10, text, 10, fill=MUTED))
    y = top
    for k, s in enumerate(steps):
        if k % 2:
            parts.append(f'<rect x="0" y="{y}" width="{width}" height="{row_h}" fill="#f4f6f8"/>')
        lines = _wrap(f'{s["n"]}. {s["title"]}', 50, 2)
        for j, line in enumerate(lines):
            parts.append(_t(6, y + (19 if len(lines) == 1 else 13 + 12 * j), line, 11))
        a = dt.date.fromisoformat(s["start"])
        tip = f'{s["title"]}: {s["start_text"]} – {s["end_text"]}' + (f' ({s["due_text"]})' if s["due_text"] else "")
        by = y + 9
        if s["end"] and s["end"] != s["start"]:
            b = dt.date.fromisoformat(s["end"])
            yearly = s["due"] == s["end"]
            fill = "#e0a800" if yearly else "#1565c0"
            if s["latest_end"]:
                x3 = xpos(dt.date.fromisoformat(s["latest_end"]))
                parts.append(f'<rect x="{xpos(a)}" y="{by}" width="{max(3, x3 - xpos(a))}" height="12" rx="3" '
                             f'fill="#90b4e0"/>')
            parts.append(f'<rect x="{xpos(a)}" y="{by}" width="{max(3, xpos(b) - xpos(a))}" height="12" rx="3" '
                         f'fill="{fill}"><title>{escape(tip)}</title></rect>')
            parts.append(_t(min(xpos(b) + 5, width - 90), by + 10, s["end_text"], 10, fill=MUTED))
        else:
            x1 = xpos(a)
            parts.append(f'<rect x="{x1}" y="{by}" width="46" height="12" rx="3" fill="#fff" stroke="{MUTED}" '
                         f'stroke-dasharray="3 2"><title>{escape(tip)}</title></rect>')
            parts.append(_t(min(x1 + 52, width - 90), by + 10, t["route"]["date_unknown"], 10, fill=MUTED))
        if s["due"] and s["due"] != s["end"]:
            xd = xpos(dt.date.fromisoformat(s["due"]))
            parts.append(f'<rect x="{xd - 1}" y="{y + 4}" width="3" height="{row_h - 8}" fill="#c62828">'
                         f'<title>{escape(s["due_text"])}</title></rect>')
            parts.append(_t(xd - 5, by + 10, s["due_text"], 10, anchor="end", fill="#c62828"))
        y += row_h
    parts.append(f'<line x1="{label_w}" y1="{top - 6}" x2="{label_w}" y2="{height - 6}" stroke="{MUTED}" stroke-width="1"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" font-family="{FONT}" class="chart">'
            f'<title>{escape(t["charts"]["route"])}</title>' + "".join(parts) + "</svg>")

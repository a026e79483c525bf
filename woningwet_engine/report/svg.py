"""Inline SVG pictures for the HTML and PDF memo, drawn in Python (no network, no JavaScript).

Two pictures: the plan by suggested party and verdict (homes and investment as stacked bars) and a
timeline of the approval route. Coordinates are integers and the output is a pure function of the
view model, so the memo stays byte-identical between runs.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .model import VERDICT_ORDER, fmt_eur_short, fmt_int, strings

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
    t = strings(lang)
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


def route_chart(memo: dict) -> str | None:
    """Gantt-style timeline of the dated steps of the approval route; None when nothing is dated."""
    route = memo.get("route")
    if not route:
        return None
    lang = memo["lang"]
    t = strings(lang)
    steps = [s for s in route["steps"] if s["start"] or s["end"]]
    if not steps:
        return None
    dates = [dt.date.fromisoformat(d) for s in steps for d in (s["start"], s["end"]) if d]
    lo, hi = min(dates), max(dates)
    if hi == lo:
        hi = lo + dt.timedelta(days=30)
    width, label_w, bar_w = 760, 300, 420
    row_h = 24
    top = 28
    days = (hi - lo).days

    def xpos(d: dt.date) -> int:
        return label_w + round(bar_w * (d - lo).days / days)

    parts: list[str] = []
    height = top + row_h * len(steps) + 12
    for tick in _month_ticks(lo, hi):
        x = xpos(tick)
        parts.append(f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{height - 8}" stroke="{GRID}" stroke-width="1"/>')
        text = f'{t["months"][tick.month - 1][:3]} {tick.year}'
        parts.append(_t(x, top - 10, text, 10, anchor="middle", fill=MUTED))
    y = top
    for s in steps:
        label_text = _clip(f'{s["n"]}. {s["title"]}', 44)
        parts.append(_t(label_w - 10, y + 13, label_text, 11, anchor="end"))
        a = dt.date.fromisoformat(s["start"] or s["end"])
        b = dt.date.fromisoformat(s["end"] or s["start"])
        tip = escape(f'{s["title"]}: {s["start_text"]}' + (f' – {s["end_text"]}' if s["end_text"] and s["end"] != s["start"] else ""))
        if b > a:
            x1, x2 = xpos(a), xpos(b)
            parts.append(f'<rect x="{x1}" y="{y + 3}" width="{max(2, x2 - x1)}" height="14" rx="3" fill="#1565c0">'
                         f'<title>{tip}</title></rect>')
        else:
            x = xpos(a)
            parts.append(f'<path d="M{x} {y + 2} L{x + 8} {y + 10} L{x} {y + 18} L{x - 8} {y + 10} Z" fill="#ef9f00">'
                         f'<title>{tip}</title></path>')
        y += row_h
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" font-family="{FONT}" class="chart">'
            f'<title>{escape(t["charts"]["route"])}</title>' + "".join(parts) + "</svg>")

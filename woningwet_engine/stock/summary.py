"""The HTML summary of a judged register (Dutch by default, English on request), with an SVG chart.

Written for a corporation's controller or the regulator's analyst: the DAEB / non-DAEB split by
units and rent roll, what is not compliant or cannot be decided (and which facts are missing),
the register's own labels against the verdicts, liberalisation candidates and the Ww 49 verlicht
test. No internal codes: verdicts, parties, unit kinds and missing facts are shown in words.
Self-contained (no scripts, no network) and a pure function of the totals.
"""

from __future__ import annotations

from html import escape

from ..format import format_bp, format_eur, format_int
from ..i18n import text
from ..terms import fact_label

VERDICTS = ("daeb", "non_daeb", "needs_decision", "forbidden", "undetermined")
COLOUR = {"daeb": "#2e7d32", "non_daeb": "#1565c0", "needs_decision": "#ef9f00", "forbidden": "#c62828",
          "undetermined": "#7b7b7b"}


def w(lang: str, key: str, **fields) -> str:
    """A word or sentence of the stock section of the catalogue (woningwet_engine/i18n/<lang>.yaml)."""
    return text(lang, f"stock.{key}", **fields)


def verdict_word(verdict: str, lang: str) -> str:
    return w(lang, f"verdict_{verdict}")


def kind_word(kind: str, lang: str) -> str:
    return w(lang, f"kind_{kind.lower()}")


def fact_name(name: str, lang: str, params: dict | None = None) -> str:
    """A missing fact in words (terms.py); `param.<id>` is an unknown figure, named by its title."""
    if name.startswith("param."):
        pid = name[6:]
        title = (params or {}).get(pid)
        return w(lang, "unknown_figure", name=getattr(title, lang) if title is not None else pid.replace("_", " "))
    return fact_label(name, lang)


def count_text(n: int, lang: str) -> str:
    return format_int(n, lang)


def _chart(by_verdict: dict, lang: str) -> str:
    """Two stacked bars (units, rent roll) split by verdict."""
    width, left, bar_w, bar_h = 720, 150, 540, 22
    parts = []
    y = 8
    x = left
    present = [v for v in VERDICTS if v in by_verdict]
    for v in present:
        label = verdict_word(v, lang)
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOUR[v]}"/>'
                     f'<text x="{x + 16}" y="{y + 11}" font-size="12">{escape(label)}</text>')
        x += 16 + 7 * len(label) + 20
    y += 28
    for key, label in (("units", w(lang, "units")), ("rent_month", w(lang, "rent"))):
        total = sum(by_verdict[v][key] for v in present) or 1
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(label)}</text>')
        x = left
        for v in present:
            part = round(bar_w * by_verdict[v][key] / total)
            if part:
                parts.append(f'<rect x="{x}" y="{y}" width="{part}" height="{bar_h}" fill="{COLOUR[v]}">'
                             f'<title>{escape(verdict_word(v, lang))}: {count_text(by_verdict[v][key], lang)}</title></rect>')
            x += part
        y += bar_h + 14
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" viewBox="0 0 {width} {y}" '
            f'font-family="DejaVu Sans, Arial, sans-serif" role="img">{"".join(parts)}</svg>')


def render_summary(run, lang: str = "nl") -> str:
    tot = run.totals
    bv = tot["by_verdict"]
    rows = []
    for v in VERDICTS:
        if v in bv:
            rows.append(f"<tr><td>{escape(verdict_word(v, lang))}</td><td class=n>{count_text(bv[v]['units'], lang)}</td>"
                        f"<td class=n>{escape(format_eur(bv[v]['rent_month'] * 12, lang))}</td></tr>")
    total_units = sum(x["units"] for x in bv.values())
    total_rent = sum(x["rent_month"] for x in bv.values()) * 12
    rows.append(f"<tr class=t><td>{w(lang, 'total')}</td><td class=n>{count_text(total_units, lang)}</td>"
                f"<td class=n>{escape(format_eur(total_rent, lang))}</td></tr>")
    kinds = sorted({v for d in tot["by_kind"].values() for v in d}, key=VERDICTS.index)
    kind_rows = "".join(
        f"<tr><td>{escape(kind_word(k, lang))}</td>" + "".join(
            f"<td class=n>{count_text(d.get(v, 0), lang)}</td>" for v in kinds) + "</tr>"
        for k, d in sorted(tot["by_kind"].items()))
    kind_head = "".join(f"<th>{escape(verdict_word(v, lang))}</th>" for v in kinds)
    attention = "".join(
        f"<p class=warn><b>{w(lang, 'attention')}:</b> {count_text(tot[key], lang)} {w(lang, key)}"
        + (f" ({w(lang, 'examples')} {escape(', '.join(map(str, tot[key + '_examples'][:10])))})" if tot[key] else "")
        + ".</p>" for key in ("non_compliant", "compliance_open"))
    missing = "".join(f"<tr><td>{escape(fact_name(m['fact'], lang, run.param_titles))}</td><td class=n>{count_text(m['units'], lang)}</td></tr>"
                      for m in tot["missing"])
    labels = tot["labels"]
    label_text = ", ".join(f"{count_text(labels[k], lang)} {w(lang, 'label_' + k)}" for k in ("agrees", "differs", "open") if k in labels)
    if tot["label_differs_examples"]:
        label_text += f" ({w(lang, 'label_differs')}, {w(lang, 'examples')}: {', '.join(map(str, tot['label_differs_examples'][:10]))})"
    vl = tot["verlicht"]
    share = vl["non_daeb_share"]
    share_text = "–".join(dict.fromkeys(format_bp(s, lang) for s in share if s is not None)) or "?"
    verlicht = (f"<p><b>{escape(w(lang, 'status_' + vl['status']))}</b>. {escape(w(lang, 'share'))}: {escape(share_text)}.</p>"
                + "".join(f"<p>{escape(x)}</p>" for x in dict.fromkeys(vl["texts"]))
                + (f"<p class=cite><a href=\"{escape(vl['citation']['url'])}\">{escape(vl['citation']['text'])}</a></p>"
                   if vl["citation"] else "")
                + (f"<p class=note>{w(lang, 'estimated')}</p>" if vl["estimated"] else ""))
    assumptions = [] if run.corporation_given else [w(lang, "area")]
    skipped = f"; {count_text(run.bad, lang)} {w(lang, 'skipped')}" if run.bad else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(w(lang, 'title'))}</title>
<style>body{{font-family:DejaVu Sans,Arial,sans-serif;max-width:60em;margin:2em auto;color:#1d2733}}
table{{border-collapse:collapse;margin:.5em 0}}td,th{{border-bottom:1px solid #d5dbe1;padding:.25em .8em;text-align:left}}
td.n{{text-align:right}}tr.t td{{font-weight:bold}}.warn{{background:#fdecea;padding:.5em}}.note{{color:#5b6673}}</style>
</head><body>
<h1>{escape(w(lang, 'title'))}</h1>
<p>{w(lang, 'date')}: {run.date.isoformat()} · {w(lang, 'source')}: {escape(run.source.name)} · {count_text(run.rows, lang)} {w(lang, 'rows')}{skipped}</p>
{attention}
<h2>{w(lang, 'split')}</h2>
{_chart(bv, lang)}
<table><tr><th></th><th>{w(lang, 'units')}</th><th>{w(lang, 'rent')}</th></tr>{''.join(rows)}</table>
<h2>{w(lang, 'kind')}</h2>
<table><tr><th></th>{kind_head}</tr>{kind_rows}</table>
<h2>{w(lang, 'undetermined')}</h2>
<table><tr><th>{w(lang, 'fact')}</th><th>{w(lang, 'units')}</th></tr>{missing}</table>
<h2>{w(lang, 'labels')}</h2><p>{label_text or '–'}</p>
<h2>{w(lang, 'lib')}</h2><p>{count_text(tot['liberalisation_candidates'], lang)} {w(lang, 'lib_text')}</p>
<h2>{w(lang, 'verlicht')}</h2>{verlicht}
<h2>{w(lang, 'assumptions')}</h2><ul>{''.join(f'<li>{escape(a)}</li>' for a in assumptions)}
<li>{escape(w(lang, 'method', sha=run.totals.get('rulebook', '')[:12]))}</li></ul>
</body></html>
"""

"""The HTML summary of a judged register (Dutch by default, English on request), with an SVG chart.

Written for a corporation's controller or the regulator's analyst: the DAEB / non-DAEB split by
units and rent roll, what is not compliant or cannot be decided (and which facts are missing),
the register's own labels against the verdicts, liberalisation candidates and the Ww 49 verlicht
test. No internal codes: verdicts, parties, unit kinds and missing facts are shown in words.
Self-contained (no scripts, no network) and a pure function of the totals.
"""

from __future__ import annotations

from html import escape

from ..format import format_bp, format_eur
from .columns import KIND_NAMES

VERDICTS = ("daeb", "non_daeb", "needs_decision", "forbidden", "undetermined")
COLOUR = {"daeb": "#2e7d32", "non_daeb": "#1565c0", "needs_decision": "#ef9f00", "forbidden": "#c62828",
          "undetermined": "#7b7b7b"}
T = {
    "nl": {
        "title": "Bezit getoetst aan de Woningwet", "date": "Peildatum", "units": "Eenheden",
        "rent": "Huursom per jaar", "verdict": {"daeb": "DAEB", "non_daeb": "niet-DAEB", "needs_decision":
                                                "besluit minister nodig", "forbidden": "niet toegestaan",
                                                "undetermined": "niet te beoordelen"},
        "split": "Verdeling DAEB / niet-DAEB", "kind": "Soort eenheid", "total": "Totaal",
        "attention": "Vraagt aandacht", "noncompliant": "eenheden voldoen niet of zijn niet te beoordelen",
        "undetermined": "Niet te beoordelen: ontbrekende gegevens", "fact": "Ontbrekend gegeven",
        "labels": "DAEB-label in het register tegenover het oordeel", "agrees": "komt overeen",
        "differs": "wijkt af", "open": "oordeel open", "examples": "bijvoorbeeld",
        "lib": "Liberalisatiekandidaten", "lib_text": "leegstaande zelfstandige DAEB-huurwoningen: bij een nieuwe "
        "verhuring boven de liberalisatiegrens gaan zij over naar niet-DAEB (BTIV art. 79); of de WWS-punten die "
        "huur toelaten, toetst de corporatie per woning.",
        "verlicht": "Verlicht regime (Woningwet art. 49 lid 1)",
        "status": {"pass": "mogelijk", "fail": "niet mogelijk", "unknown": "niet te beoordelen",
                   "not_in_force": "niet van toepassing op deze datum"},
        "estimated": "Omzet en niet-DAEB-aandeel zijn geschat uit de huursom van verhuurde eenheden (12 × kale "
        "huur); eenheden die niet te beoordelen zijn tellen aan beide kanten mee, het aandeel is dan een "
        "bandbreedte. Geef het jaarverslag-cijfer met --corporation voor een vaste uitkomst.",
        "share": "niet-DAEB-aandeel van de huursom", "assumptions": "Uitgangspunten",
        "area": "Het werkgebied is genomen als de gemeenten in het register; geef --corporation om de "
        "regels over het werkgebied (GEO) te toetsen.",
        "source": "Bron", "rows": "rijen gelezen", "skipped": "overgeslagen wegens fouten",
        "method": "Elke eenheid is beoordeeld met dezelfde regels als een casus (regelboek {sha}); de "
        "tabel per eenheid bevat de regels die van toepassing zijn, de wetsartikelen met gedateerde link, "
        "de gebruikte bedragen en uitgangspunten.",
    },
    "en": {
        "title": "Stock judged under the Woningwet", "date": "Date", "units": "Units",
        "rent": "Rent roll per year", "verdict": {"daeb": "DAEB", "non_daeb": "non-DAEB", "needs_decision":
                                                  "needs a minister's decision", "forbidden": "not allowed",
                                                  "undetermined": "cannot be decided"},
        "split": "DAEB / non-DAEB split", "kind": "Unit kind", "total": "Total",
        "attention": "Needs attention", "noncompliant": "units are not compliant or cannot be decided",
        "undetermined": "Cannot be decided: missing facts", "fact": "Missing fact",
        "labels": "DAEB label in the register against the verdict", "agrees": "agrees", "differs": "differs",
        "open": "verdict open", "examples": "for example",
        "lib": "Liberalisation candidates", "lib_text": "vacant self-contained DAEB rental dwellings: re-let above "
        "the liberalisatiegrens they move to non-DAEB (BTIV art. 79); whether their WWS points allow that rent "
        "is for the corporation to check per dwelling.",
        "verlicht": "Light regime (Woningwet art. 49(1))",
        "status": {"pass": "available", "fail": "not available", "unknown": "cannot be decided",
                   "not_in_force": "not applicable on this date"},
        "estimated": "Turnover and the non-DAEB share are estimated from the rent roll of let units (12 × kale "
        "huur); units that cannot be decided are counted both ways, so the share is a range. Give the annual "
        "report figure with --corporation for a firm answer.",
        "share": "non-DAEB share of the rent roll", "assumptions": "Assumptions",
        "area": "The working area is taken as the municipalities in the register; pass --corporation to test "
        "the working-area rules (GEO).",
        "source": "Source", "rows": "rows read", "skipped": "skipped because of errors",
        "method": "Every unit was judged by the same rules as a case (rulebook {sha}); the table per unit "
        "holds the rules that apply, the articles with a dated link, the figures used and the assumptions.",
    },
}
FACT_NAMES = {
    "nl": {"rent": "kale huur", "wws_points": "WWS-punten", "floor_area_m2": "oppervlakte",
           "mv_code": "VERA-code maatschappelijk vastgoed", "mv_owned_on_2015_07_01": "eigendom op 1 juli 2015",
           "mv_tenant_type": "soort huurder", "parking_for_daeb": "parkeren voor DAEB-woningen",
           "area_has_corporation_homes": "corporatiewoningen in de wijk", "wijk_function": "functie voor de wijk",
           "mv_third_party_share": "aandeel verhuurd aan derden", "mv_minister_approval": "toestemming minister",
           "mv_rent_ratio": "huur ten opzichte van bouwkosten", "in_prestatieafspraken": "prestatieafspraken",
           "corporation_regime": "scheidingsregime", "mv_inside_woonzorggebouw": "inpandig in woonzorggebouw"},
    "en": {"rent": "kale huur (rent)", "wws_points": "WWS points", "floor_area_m2": "floor area",
           "mv_code": "VERA code of the social real estate", "mv_owned_on_2015_07_01": "owned on 1 July 2015",
           "mv_tenant_type": "kind of tenant", "parking_for_daeb": "parking for DAEB dwellings",
           "area_has_corporation_homes": "corporation homes in the area", "wijk_function": "serves the wijk",
           "mv_third_party_share": "share let to third parties", "mv_minister_approval": "minister's approval",
           "mv_rent_ratio": "rent against building cost", "in_prestatieafspraken": "performance agreements",
           "corporation_regime": "separation regime", "mv_inside_woonzorggebouw": "inside a care building"},
}
PARAM_WORD = {"nl": "onbekend bedrag: ", "en": "unknown figure: "}


def fact_name(name: str, lang: str) -> str:
    if name.startswith("param."):
        return PARAM_WORD[lang] + name[6:].replace("_", " ")
    return FACT_NAMES[lang].get(name, name.replace("_", " "))


def count_text(n: int, lang: str) -> str:
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "nl" else text


def _chart(by_verdict: dict, lang: str) -> str:
    """Two stacked bars (units, rent roll) split by verdict."""
    t = T[lang]
    width, left, bar_w, bar_h = 720, 150, 540, 22
    parts = []
    y = 8
    x = left
    present = [v for v in VERDICTS if v in by_verdict]
    for v in present:
        label = t["verdict"][v]
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOUR[v]}"/>'
                     f'<text x="{x + 16}" y="{y + 11}" font-size="12">{escape(label)}</text>')
        x += 16 + 7 * len(label) + 20
    y += 28
    for key, label in (("units", t["units"]), ("rent_month", t["rent"])):
        total = sum(by_verdict[v][key] for v in present) or 1
        parts.append(f'<text x="0" y="{y + 16}" font-size="13">{escape(label)}</text>')
        x = left
        for v in present:
            w = round(bar_w * by_verdict[v][key] / total)
            if w:
                parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{bar_h}" fill="{COLOUR[v]}">'
                             f'<title>{escape(t["verdict"][v])}: {by_verdict[v][key]}</title></rect>')
            x += w
        y += bar_h + 14
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" viewBox="0 0 {width} {y}" '
            f'font-family="DejaVu Sans, Arial, sans-serif" role="img">{"".join(parts)}</svg>')


def render_summary(run, lang: str = "nl") -> str:
    t = T[lang]
    tot = run.totals
    bv = tot["by_verdict"]
    rows = []
    for v in VERDICTS:
        if v in bv:
            rows.append(f"<tr><td>{escape(t['verdict'][v])}</td><td class=n>{count_text(bv[v]['units'], lang)}</td>"
                        f"<td class=n>{escape(format_eur(bv[v]['rent_month'] * 12, lang))}</td></tr>")
    total_units = sum(x["units"] for x in bv.values())
    total_rent = sum(x["rent_month"] for x in bv.values()) * 12
    rows.append(f"<tr class=t><td>{t['total']}</td><td class=n>{count_text(total_units, lang)}</td>"
                f"<td class=n>{escape(format_eur(total_rent, lang))}</td></tr>")
    kinds = sorted({v for d in tot["by_kind"].values() for v in d}, key=VERDICTS.index)
    kind_rows = "".join(
        f"<tr><td>{escape(KIND_NAMES[lang].get(k, k))}</td>" + "".join(
            f"<td class=n>{count_text(d.get(v, 0), lang)}</td>" for v in kinds) + "</tr>"
        for k, d in sorted(tot["by_kind"].items()))
    kind_head = "".join(f"<th>{escape(t['verdict'][v])}</th>" for v in kinds)
    bad = tot["non_compliant"]
    attention = (f"<p class=warn><b>{t['attention']}:</b> {count_text(bad, lang)} {t['noncompliant']}"
                 + (f" ({t['examples']} {escape(', '.join(map(str, (tot['forbidden_examples'] + tot['undetermined_examples'])[:10])))})"
                    if bad else "") + ".</p>")
    missing = "".join(f"<tr><td>{escape(fact_name(m['fact'], lang))}</td><td class=n>{count_text(m['units'], lang)}</td></tr>"
                      for m in tot["missing"])
    labels = tot["labels"]
    label_text = ", ".join(f"{count_text(labels[k], lang)} {t[k]}" for k in ("agrees", "differs", "open") if k in labels)
    if tot["label_differs_examples"]:
        label_text += f" ({t['differs']}, {t['examples']}: {', '.join(map(str, tot['label_differs_examples'][:10]))})"
    vl = tot["verlicht"]
    share = vl["non_daeb_share"]
    share_text = "–".join(dict.fromkeys(format_bp(s, lang) for s in share if s is not None)) or "?"
    verlicht = (f"<p><b>{escape(t['status'][vl['status']])}</b>. {escape(t['share'])}: {escape(share_text)}.</p>"
                + "".join(f"<p>{escape(x)}</p>" for x in dict.fromkeys(vl["texts"]))
                + (f"<p class=cite><a href=\"{escape(vl['citation']['url'])}\">{escape(vl['citation']['text'])}</a></p>"
                   if vl["citation"] else "")
                + (f"<p class=note>{t['estimated']}</p>" if vl["estimated"] else ""))
    assumptions = [] if run.corporation_given else [t["area"]]
    skipped = f"; {count_text(run.bad, lang)} {t['skipped']}" if run.bad else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(t['title'])}</title>
<style>body{{font-family:DejaVu Sans,Arial,sans-serif;max-width:60em;margin:2em auto;color:#1d2733}}
table{{border-collapse:collapse;margin:.5em 0}}td,th{{border-bottom:1px solid #d5dbe1;padding:.25em .8em;text-align:left}}
td.n{{text-align:right}}tr.t td{{font-weight:bold}}.warn{{background:#fdecea;padding:.5em}}.note{{color:#5b6673}}</style>
</head><body>
<h1>{escape(t['title'])}</h1>
<p>{t['date']}: {run.date.isoformat()} · {t['source']}: {escape(run.source.name)} · {count_text(run.rows, lang)} {t['rows']}{skipped}</p>
{attention}
<h2>{t['split']}</h2>
{_chart(bv, lang)}
<table><tr><th></th><th>{t['units']}</th><th>{t['rent']}</th></tr>{''.join(rows)}</table>
<h2>{t['kind']}</h2>
<table><tr><th></th>{kind_head}</tr>{kind_rows}</table>
<h2>{t['undetermined']}</h2>
<table><tr><th>{t['fact']}</th><th>{t['units']}</th></tr>{missing}</table>
<h2>{t['labels']}</h2><p>{label_text or '–'}</p>
<h2>{t['lib']}</h2><p>{count_text(tot['liberalisation_candidates'], lang)} {t['lib_text']}</p>
<h2>{t['verlicht']}</h2>{verlicht}
<h2>{t['assumptions']}</h2><ul>{''.join(f'<li>{escape(a)}</li>' for a in assumptions)}
<li>{escape(t['method'].format(sha=run.totals.get('rulebook', '')[:12]))}</li></ul>
</body></html>
"""

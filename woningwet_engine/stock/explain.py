"""`woningwet stock explain OUT UNIT_ID`: one unit's full explanation, from a judged table.

The row holds the unit's register values and the date; they make the same one-component case the
stock path judged, and `engine.judge` gives the reasons with their texts, citations, inputs and the
why-not list. It needs only the unit's own row (a normalised table's outcomes file is not read). The re-judgement must reproduce the row's verdict and fired rules (same rulebook and
corporation), otherwise the table is reported as stale instead of explained.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ..case import Corporation
from ..errors import InputError, Problem
from ..rulebook.loader import Rulebook
from .columns import BY_NAME
from .mapping import default_corporation, one_unit_case, owned_class, unit_component
from .read import detect_format
from .sql import literal
from .summary import T, fact_name

EFFECT = {
    "nl": {"verdict": "oordeel", "overridden": "overstemd", "condition": "voorwaarde", "violation": "overtreding",
           "undetermined": "open", "info": "toelichting", "not_in_force": "niet van kracht"},
    "en": {"verdict": "verdict", "overridden": "overridden", "condition": "condition", "violation": "violation",
           "undetermined": "open", "info": "note", "not_in_force": "not in force"},
}
PARTY = {
    "nl": {"corporation": "de corporatie (DAEB)", "corporation_non_daeb": "de niet-DAEB-tak van de corporatie",
           "market": "een marktpartij", "municipality": "de gemeente", "care_or_welfare": "een zorg- of welzijnspartij"},
    "en": {"corporation": "the corporation (DAEB)", "corporation_non_daeb": "the corporation's non-DAEB branch",
           "market": "a market party", "municipality": "the municipality", "care_or_welfare": "a care or welfare party"},
}


def _rows_xlsx(path: Path, unit_id: str) -> tuple[list[dict], list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        it = wb.worksheets[0].iter_rows(values_only=True)
        head = [str(h) for h in next(it)]
        munis, found = [], []
        for row in it:
            rec = dict(zip(head, row))
            munis.append(rec.get("municipality"))
            if str(rec.get("unit_id")) == unit_id:
                found.append(rec)
        return found, munis
    finally:
        wb.close()


def read_row(path: Path, unit_id: str) -> tuple[dict, list[str]]:
    """The table row of `unit_id` and the table's municipalities by frequency (for the default corporation)."""
    import duckdb

    if not path.is_file():
        raise InputError([Problem(str(path), "", "file not found")])
    fmt = detect_format(path) if path.suffix.lower() != ".json" else "json"
    if fmt == "xlsx":
        found, munis = _rows_xlsx(path, unit_id)
        order = sorted(set(munis), key=lambda m: (-munis.count(m), m))
    else:
        reader = {"parquet": "read_parquet", "csv": "read_csv", "json": "read_json"}[fmt]
        extra = ", all_varchar = true" if fmt == "csv" else ""
        con = duckdb.connect()
        try:
            rel = f"{reader}({literal(str(path))}{extra})"
            cur = con.execute(f"SELECT * FROM {rel} WHERE CAST(unit_id AS VARCHAR) = ?", [unit_id])
            names = [d[0] for d in cur.description]
            found = [dict(zip(names, r)) for r in cur.fetchall()]
            order = [r[0] for r in con.execute(f"SELECT municipality, count(*) AS n FROM {rel} GROUP BY 1 "
                                               "ORDER BY n DESC, 1").fetchall()]
        except duckdb.Error as exc:
            raise InputError([Problem(str(path), "", f"not a judged stock table: {str(exc).splitlines()[0]}")]) from None
        finally:
            con.close()
    if not found:
        raise InputError([Problem(str(path), "unit_id", f"no unit {unit_id!r} in the table")])
    return found[0], order


def _typed(name: str, value):
    """A table cell (typed from Parquet/JSON, text from CSV/XLSX) as the register value."""
    if value is None or value == "":
        return None
    col = BY_NAME[name]
    if col.type == "eur":
        return int(Decimal(str(value)) * 100)
    if col.type == "int":
        return int(value)
    if col.type == "bool":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if col.type == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return str(value)


def _list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v for v in str(value).split("; ") if v]


def explain_unit(path: Path, unit_id: str, book: Rulebook, corporation: Corporation | None, lang: str) -> str:
    from ..engine import judge
    from .judge import missing_facts

    row, munis = read_row(path, unit_id)
    for needed in ("date", "verdict", "fired", "unit_kind", "municipality"):
        if needed not in row:
            raise InputError([Problem(str(path), needed, "column missing: not a table written by woningwet stock")])
    u = {name: _typed(name, row.get(name)) for name in BY_NAME if name in row}
    u["owned_on_2015_07_01"] = owned_class(u.get("owned_since"))
    day = _typed("owned_since", row["date"])
    corp = corporation or default_corporation(munis)
    case = one_unit_case(unit_component(u, u["municipality"]), corp, day)
    result = judge(case, book, at=day, lang=lang)
    comp = result.components[0]
    fired = [f"{r.rule}#{r.branch}" for r in comp.reasons if r.effect not in ("undetermined", "not_in_force")]
    if comp.verdict != row["verdict"] or fired != _list(row["fired"]):
        sha = row.get("rulebook_sha256")
        raise InputError([Problem(str(path), f"unit {unit_id}", "the table row does not match judging the unit "
                                  f"again (table: {row['verdict']}, {', '.join(_list(row['fired']))}; now: "
                                  f"{comp.verdict}, {', '.join(fired)}); judged with another rulebook "
                                  f"({str(sha)[:12]}) or corporation?")])
    t = T[lang]
    nl = lang == "nl"
    lines = [f"{'Eenheid' if nl else 'Unit'} {unit_id} ({u.get('unit_kind')}"
             f"{' ' + u['unit_detail'] if u.get('unit_detail') else ''}, {u['municipality']}) "
             f"{'op' if nl else 'on'} {day.isoformat()}",
             f"{'Oordeel' if nl else 'Verdict'}: {t['verdict'][comp.verdict]}"
             f"{'' if comp.compliant else (' — voldoet niet' if nl else ' — not compliant')}",
             f"{'Voorgestelde partij' if nl else 'Suggested party'}: {PARTY[lang].get(comp.party, comp.party)}", ""]
    for r in comp.reasons:
        lines.append(f"[{EFFECT[lang][r.effect]}] {r.rule}{'#' + r.branch if r.branch else ''} "
                     f"({r.confidence}): {r.text}")
        for c in [r.citation, *r.also_cites]:
            lines.append(f"    {c.text}: {c.url}")
        if r.inputs.facts:
            lines.append("    " + ("gegevens" if nl else "facts") + ": " +
                         ", ".join(f"{fact_name(k, lang)} = {v}" for k, v in r.inputs.facts.items()))
        for p in r.inputs.params:
            lines.append(f"    {p.id} = {p.value} ({p.confidence}; {p.source})")
    if comp.conditions:
        lines += ["", "Voorwaarden:" if nl else "Conditions:"]
        lines += [f"  {c.title} ({c.actor}; {', '.join(x.text for x in c.legal_basis)})" for c in comp.conditions]
    if comp.assumptions:
        lines += ["", (t["assumptions"] + ":")] + [f"  {a}" for a in comp.assumptions]
    missing = missing_facts(case, comp, book.at(day))
    if missing:
        lines += ["", ("Ontbrekende gegevens: " if nl else "Missing facts: ") +
                  ", ".join(fact_name(m, lang) for m in missing)]
    if comp.not_fired:
        lines += ["", "Niet van toepassing (eerste reden):" if nl else "Not applied (first reason):"]
        lines += [f"  {n.rule}: {n.failed}" + (f" ({n.seen})" if n.seen is not None else "") for n in comp.not_fired[:30]]
    return "\n".join(lines) + "\n"

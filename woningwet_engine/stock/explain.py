"""`woningwet stock explain OUT UNIT_ID`: one unit's full explanation, from a judged table.

The row holds the unit's register values and the date; they make the same one-component case the
stock path judged, and the case path's stages up to the party (pipeline.judge_verdicts) give the
reasons with their texts, citations, inputs and the why-not list. It needs only the unit's own row
(a normalised table's outcomes file is not read). The re-judgement must reproduce the row's verdict
and fired rules (same rulebook and corporation), otherwise the table is reported as stale instead
of explained.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ..case import Corporation
from ..errors import InputError, Problem, Say
from ..rulebook.loader import Rulebook
from ..rulebook.params import reader_source
from .columns import BY_NAME
from .mapping import default_corporation, one_unit_case, owned_class, unit_component
from .read import detect_format
from .sql import literal
from ..explain import PARAM_TYPE, human_value
from ..format import BP, cents_of
from ..facts import COMPONENT_FIELDS
from ..i18n import text
from ..terms import actor_label, fact_label, value_label
from ..wording import atom_words
from .summary import fact_name, kind_word, verdict_word, w

def fact_value(name: str, value, lang: str) -> str:
    """A fact as a reason's inputs hold it (money and ratios as JSON decimal strings) in words."""
    spec = COMPONENT_FIELDS.get(name)
    kind = spec.type if spec else "code"
    if isinstance(value, str) and ".." not in value:
        if kind == "eur":
            value = cents_of(value)
        elif kind in ("bp", "ratio"):
            value = int(Decimal(value) * BP)
    return human_value(value, kind, lang)


def seen_value(name: str, value, lang: str) -> str:
    """The value a why-not saw (as the result holds it) in words: money and shares formatted, codes by
    their names (terms.py)."""
    spec = COMPONENT_FIELDS.get(name)
    if isinstance(value, str) and (spec is None or spec.type not in ("eur", "bp", "ratio")):
        return value_label(value, lang)
    return fact_value(name, value, lang)


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
        raise InputError.of(str(path), "", "stock.not_found")
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
            raise InputError([Problem(str(path), "", f"not a judged stock table: {str(exc).splitlines()[0]}",
                                      says=(Say.of("stock.not_table"),))]) from None
        finally:
            con.close()
    if not found:
        raise InputError.of(str(path), "unit_id", "stock.no_unit", id=repr(unit_id))
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
    from ..pipeline import judge_verdicts
    from .judge import missing_facts

    row, munis = read_row(path, unit_id)
    for needed in ("date", "verdict", "fired", "unit_kind", "municipality"):
        if needed not in row:
            raise InputError.of(str(path), needed, "stock.table_column")
    u = {name: _typed(name, row.get(name)) for name in BY_NAME if name in row}
    u["owned_on_2015_07_01"] = owned_class(u.get("owned_since"))
    day = _typed("owned_since", row["date"])
    corp = corporation or default_corporation(munis)
    case = one_unit_case(unit_component(u, u["municipality"]), corp, day)
    judged = judge_verdicts(case, book, at=day, lang=lang)
    cid = case.components[0].id
    comp = judged.component(cid)
    fired = [f"{r.rule}#{r.branch}" for r in comp.reasons if r.effect not in ("undetermined", "not_in_force")]
    if comp.verdict != row["verdict"] or fired != _list(row["fired"]):
        sha = row.get("rulebook_sha256")
        raise InputError([Problem.of(str(path), "", "stock.row_differs", where=Say.of("where.unit", id=unit_id),
                                     table=f"{row['verdict']}, {', '.join(_list(row['fired']))}",
                                     now=f"{comp.verdict}, {', '.join(fired)}", sha=str(sha)[:12])])
    selection = judged.selection
    kind = kind_word(u["unit_kind"], lang) + (f" {u['unit_detail']}" if u.get("unit_detail") else "")
    lines = [w(lang, "unit_head", unit=unit_id, kind=kind, municipality=u["municipality"], date=day.isoformat()),
             w(lang, "verdict_line", verdict=verdict_word(comp.verdict, lang))
             + ("" if comp.compliant else w(lang, "not_compliant")),
             w(lang, "party_line", party=w(lang, f"party_{comp.party}")), ""]
    for r in comp.reasons:
        conf = "" if r.confidence == "verified" else f" ({text(lang, f'confidence.{r.confidence}')})"
        lines.append(f"[{w(lang, 'effect_' + r.effect)}] {r.rule}{'#' + r.branch if r.branch else ''}{conf}: {r.text}")
        for c in [r.citation, *r.also_cites]:
            lines.append(f"    {c.text}: {c.url}")
        if r.inputs.facts:
            lines.append(f"    {w(lang, 'facts')}: " + ", ".join(f"{fact_label(k, lang)} = {fact_value(k, v, lang)}"
                                                        for k, v in r.inputs.facts.items()))
        for p in r.inputs.params:
            param = selection.params.get(p.id)
            name = getattr(param.title, lang) if param is not None and param.title is not None else p.id
            value = human_value(param.value, PARAM_TYPE[param.unit], lang) if param is not None else str(p.value)
            words = reader_source(p.source, param.source_text if param is not None and param.source == p.source
                                  else None, lang)
            source = words if p.confidence == "verified" else f"{text(lang, f'confidence.{p.confidence}')}: {words}"
            lines.append("    " + w(lang, "figure", name=name, value=value, source=source))
    if comp.conditions:
        lines += ["", w(lang, "conditions")]
        lines += [f"  {c.title} ({actor_label(c.actor, lang)}; {', '.join(x.text for x in c.legal_basis)})"
                  for c in comp.conditions]
    if comp.assumptions:
        lines += ["", w(lang, "assumptions") + ":"] + [f"  {a}" for a in comp.assumptions]
    missing = missing_facts(comp, judged.judged[cid].evaluation)
    if missing:
        titles = {pid: p.title for pid, p in selection.params.items()}
        lines += ["", w(lang, "missing", facts=", ".join(fact_name(m, lang, titles) for m in missing))]
    if comp.not_fired:
        lines += ["", w(lang, "not_applied")]
        ev = judged.judged[cid].evaluation
        states = {bs.id: bs for bs in ev.not_fired + ev.unknown}
        for n in comp.not_fired[:30]:
            # the deciding part of the branch's condition in words (wording.py, as in the memo)
            bs = states[n.rule]
            test = atom_words(bs.definition.root, n.failed, COMPONENT_FIELDS, selection.params, lang)
            seen = "" if n.seen is None else w(lang, "seen", value=seen_value(bs.why.fact, n.seen, lang))
            lines.append("  " + w(lang, "not_applied_because", rule=n.rule, test=test) + seen)
    return "\n".join(lines) + "\n"

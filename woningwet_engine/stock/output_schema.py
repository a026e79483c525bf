"""The JSON Schema of the tables `woningwet stock` writes (`woningwet schema stock-output`).

Three kinds of row: a unit of the normalised table (OUT), an outcome of its outcomes table
(OUT.outcomes.<fmt>) and a unit of the flat table (--layout flat: the unit with its outcome's lists).
The schema describes a row as `--format json` writes it (an array of such objects); Parquet holds the
same columns with the same types, CSV and XLSX the same columns with each list joined by "; ".
The column lists are judge.py's own, so a column added there without words here fails the test that
validates real output against this schema.
"""

from __future__ import annotations

from typing import get_args

from .. import __version__
from ..result import Reason, SplitPart, VerdictOut
from .columns import BY_NAME, text_schema
from .judge import FLAT_COLUMNS, LIST_COLUMNS, OUTCOME_COLUMNS, OUTPUT_INPUTS, UNIT_COLUMNS

ROW_KINDS = ("unit", "outcome", "flat")


def _nullable(schema: dict) -> dict:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    out = {**schema, "type": [*types, "null"]}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def _register_column(name: str) -> dict:
    """A register column as the table repeats it: the engine's value, not the raw text."""
    col = BY_NAME[name]
    if col.type == "eur":
        p = {"type": "number", "minimum": 0}  # euros with at most two decimals
    elif col.type == "int":
        p = {"type": "integer", "minimum": col.low, "maximum": col.high}
    elif col.type == "bool":
        p = {"type": "boolean"}
    elif col.type == "enum":
        p = {"type": "string", "enum": list(col.values)}
    else:
        p = text_schema(col)
    p["description"] = f"from the register: {col.doc}"
    return p if col.required else _nullable(p)


def _strings(doc: str, **item) -> dict:
    return {"type": "array", "items": {"type": "string", **item}, "description": doc}


def _columns() -> dict[str, dict]:
    verdicts = list(get_args(VerdictOut))
    effects = list(get_args(Reason.model_fields["effect"].annotation))
    parties = list(get_args(SplitPart.model_fields["party"].annotation))
    cols = {name: _register_column(name) for name in OUTPUT_INPUTS}
    cols.update({
        "date": {"type": "string", "format": "date", "description": "the date whose law the unit was judged by (--at)"},
        "verdict": {"type": "string", "enum": verdicts, "description": "the verdict, as for a case component"},
        "compliant": _nullable({"type": "boolean", "description": "false when the unit is not compliant as it "
                                "stands; empty when that cannot be decided yet (nog niet te beoordelen: counted "
                                "apart from the non-compliant units in the totals)"}),
        "party": {"type": "string", "enum": parties, "description": "the suggested party to carry the unit"},
        "label_check": _nullable({"type": "string", "enum": ["agrees", "differs", "open"],
                                  "description": "the register's DAEB label against the verdict (empty without a "
                                                 "label; open when the verdict is neither DAEB nor non-DAEB)"}),
        "liberalisation_candidate": _nullable({"type": "boolean", "description": "a vacant self-contained DAEB "
                                               "rental dwelling (empty when the let status is not known)"}),
        "fired": _strings("the rule branches that fired, as rule id#branch (woningwet rules shows each one)",
                          pattern=r"^[A-Za-z0-9_.-]+#(then|else)$"),
        "effects": _strings("per fired branch, in the same order: what it does", enum=effects),
        "citations": _strings("the provisions the fired branches rest on (article, lid, onderdeel), each once"),
        "links": _strings("per citation, in the same order: the dated wetten.overheid.nl link", format="uri"),
        "parameters": _strings("the figures the fired branches read, as id = value"),
        "assumptions": _strings("what the verdict assumes (secondary or unverified sources, defaults)"),
        "conditions": _strings("the conditions the verdict carries, by id"),
        "missing": _strings("for an undetermined unit: the facts (or param.<id> figures) it lacks"),
        "outcome": {"type": "integer", "minimum": 0, "description": "the unit's outcome: the row of the outcomes "
                                                                    "table with this number"},
        "units": {"type": "integer", "minimum": 1, "description": "how many units of the table have this outcome"},
        "rulebook_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                            "description": "SHA-256 of the rulebook the table was judged with"},
        "engine_version": {"type": "string", "description": "the engine version that wrote the table"},
    })
    return cols


def _row(columns: tuple[str, ...], title: str, cols: dict[str, dict]) -> dict:
    return {"type": "object", "title": title, "properties": {c: cols[c] for c in columns},
            "required": list(columns), "additionalProperties": False}


def json_schema() -> dict:
    """One document: the three kinds of row under $defs; a table file is an array of one kind."""
    cols = _columns()
    defs = {
        "unit": _row(UNIT_COLUMNS, "a unit of the normalised table (OUT)", cols),
        "outcome": _row((*OUTCOME_COLUMNS, "units"), "an outcome of the outcomes table (OUT.outcomes.<fmt>)", cols),
        "flat": _row(FLAT_COLUMNS, "a unit of the flat table (--layout flat)", cols),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:woningwet-engine:{__version__}:schema:stock-output",
        "title": "woningwet stock: the tables it writes",
        "description": "A table written with --format json is an array of rows of one kind ($defs). Parquet holds "
                       "the same columns and types; CSV and XLSX the same columns, each list joined by '; '. A "
                       "normalised unit row joins its outcome row on `outcome`. Lists per outcome: "
                       + ", ".join(LIST_COLUMNS) + ".",
        "$defs": defs,
        "type": "array",
        "items": {"oneOf": [{"$ref": f"#/$defs/{k}"} for k in ROW_KINDS]},
    }

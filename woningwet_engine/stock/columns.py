"""The columns of a unit register: names, types, allowed values, and how each is read and checked.

One row per unit. Column names are matched case-insensitively; columns not listed here are
ignored. Codes follow VERA (EENHEIDSOORT, EENHEIDDETAILSOORT, MAATSCHAPPELIJKLABEL, EENHEIDSTATUS)
and CBS (GMxxxx). Each column has a SQL expression that turns the raw text into the engine's
representation (money in integer cents) and one that says whether the raw value is wrong, so that
a bad row is reported with its row number, its column and what is wrong (read.py).
`woningwet schema stock` prints this as a JSON Schema (one row = one object).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..case import TenantType

KINDS = {"WOO": "dwelling", "BED": "bog", "MOG": "mv", "PAR": "parking"}
NOT_JUDGED_KINDS = {"INT", "REC", "OVE"}  # VERA kinds without a component mapping (docs/stock.md)
MAX_AMOUNT_EUR = 10_000_000  # per unit per month: larger is an input error
MAX_RAW_CHARS = 200


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # id | text | gm | code3 | enum | bool | eur | int | date
    required: bool = False
    doc: str = ""
    vera: str = ""
    values: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)  # accepted spellings -> value (lower case keys)
    low: int | None = None
    high: int | None = None
    example: str = ""


TRUE_WORDS = ("true", "ja", "j", "yes", "y", "1", "waar")
FALSE_WORDS = ("false", "nee", "n", "no", "0", "onwaar")

COLUMNS: tuple[Column, ...] = (
    Column("unit_id", "id", True, "unit (eenheid) number, unique in the register", "Eenheid.code", example="100234"),
    Column("complex_id", "text", doc="complex (BTIV art. 1) or cluster the unit belongs to", vera="Eenheid.clusters",
           example="C-017"),
    Column("municipality", "gm", True, "CBS gemeentecode of the unit's address", "Gemeente.code (CBS)",
           example="GM0344"),
    Column("unit_kind", "enum", True, "VERA EENHEIDSOORT: WOO housing, BED commercial, MOG social real estate, "
           "PAR parking", "Eenheid.soort", values=tuple(KINDS), example="WOO"),
    Column("unit_detail", "code3", doc="VERA EENHEIDDETAILSOORT, e.g. KAM (room), GAR (garage), BUU (buurthuis); "
           "for MOG the code that decides BTIV art. 49", vera="Eenheid.detailSoort", example="POR"),
    Column("self_contained", "bool", doc="zelfstandige woonruimte (BW 7:234); default: false for detail KAM, "
           "otherwise true", vera="Eenheid.zelfstandig", example="true"),
    Column("tenure", "enum", doc="rent (default), sale, other_allocation (Ww 47 lid 1 d)",
           values=("rent", "sale", "other_allocation"), aliases={"huur": "rent", "koop": "sale"}, example="rent"),
    Column("rent", "eur", doc="kale huur per month in euros (digits, at most two decimals, point or comma)",
           vera="Eenheid prijscomponent kale huur (nettohuur)", low=0, high=MAX_AMOUNT_EUR * 100, example="612.40"),
    Column("wws_points", "int", doc="WWS points, where known", vera="Eenheid.woningwaarderingResultaat",
           low=0, high=1000, example="141"),
    Column("floor_area_m2", "int", doc="floor area in m2 (BVO, as in case files)", vera="Eenheid.oppervlakten",
           low=0, high=1_000_000, example="72"),
    Column("year_built", "int", doc="year built", vera="Eenheid.bouwjaar", low=1000, high=2100, example="1962"),
    Column("daeb_label", "enum", doc="the DAEB label the register holds now (VERA MAATSCHAPPELIJKLABEL DAE / NDA), "
           "compared with the verdict", vera="Eenheid.maatschappelijkLabel", values=("DAE", "NDA"),
           aliases={"daeb": "DAE", "niet-daeb": "NDA", "non-daeb": "NDA"}, example="DAE"),
    Column("let_status", "enum", doc="let or vacant (VERA EENHEIDSTATUS VEH / LEE)", vera="Eenheid.status",
           values=("let", "vacant"), aliases={"veh": "let", "verhuurd": "let", "lee": "vacant", "leegstand": "vacant"},
           example="let"),
    Column("planned_activity", "enum", doc="planned activity on the unit; default let (keep letting it)",
           values=("let", "renovate", "maintain", "demolish", "liberalise"),
           aliases={"sloop": "demolish", "renovatie": "renovate", "onderhoud": "maintain", "verhuur": "let",
                    "liberalisatie": "liberalise"}, example="let"),
    Column("parking_use", "enum", doc="for PAR units, required: dwellings (aanhorigheid of homes) or public "
           "(stand-alone public or commercial garage)", values=("dwellings", "public"), example="dwellings"),
    Column("parking_for_daeb", "bool", doc="for PAR units: serves DAEB dwellings", example="true"),
    Column("owned_since", "date", doc="date the unit came into the corporation's ownership (YYYY-MM-DD); for MOG "
           "decides 'owned on 1 July 2015' (BTIV art. 49 lid 1 b)", vera="Eenheid.inExploitatiedatum",
           example="1998-03-01"),
    Column("area_has_corporation_homes", "bool", doc="the wijk or buurt of the unit holds dwellings of "
           "toegelaten instellingen (Ww 45, BTIV 49 and 52: BOG and MOG need it)", example="true"),
    Column("wijk_function", "bool", doc="for MOG and BOG: the building serves the wijk or buurt", example="true"),
    Column("mv_tenant_type", "enum", doc="for MOG units: kind of tenant", values=tuple(t.value for t in TenantType),
           example="social_foundation"),
)
BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED = tuple(c.name for c in COLUMNS if c.required)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_sql(file_name: str | None) -> str:
    """The raw value as trimmed text, NULL when empty or when the column is absent (file_name None)."""
    if file_name is None:
        return "CAST(NULL AS VARCHAR)"
    return f"NULLIF(trim(CAST({_q(file_name)} AS VARCHAR)), '')"


def _enum_map(col: Column, raw: str) -> str:
    pairs = {v.lower(): v for v in col.values}
    pairs.update(col.aliases)
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in sorted(pairs.items()))
    return f"(CASE {raw} {whens} ELSE NULL END)"


def value_sql(col: Column, raw: str) -> str:
    """Typed value (NULL when missing or wrong) from the raw text expression (lower case for enum and bool)."""
    t = col.type
    if t in ("id", "text"):
        return raw
    if t == "gm":
        return f"(CASE WHEN regexp_full_match(upper({raw}), 'GM[0-9]{{4}}') THEN upper({raw}) END)"
    if t == "code3":
        return f"(CASE WHEN regexp_full_match(upper({raw}), '[A-Z]{{3}}') THEN upper({raw}) END)"
    if t == "enum":
        return _enum_map(col, raw)
    if t == "bool":
        # a simple CASE, not `IN (list)`: DuckDB plans a long IN list as a mark join, which is not
        # order-preserving, so the staging scan could not run in parallel and keep register order (read.py)
        whens = " ".join([f"WHEN {_lit(w)} THEN TRUE" for w in TRUE_WORDS] +
                         [f"WHEN {_lit(w)} THEN FALSE" for w in FALSE_WORDS])
        return f"(CASE {raw} {whens} END)"
    if t == "eur":
        norm = f"(CASE WHEN contains({raw}, '.') THEN {raw} ELSE replace({raw}, ',', '.') END)"
        cents = f"CAST(round(TRY_CAST({norm} AS DECIMAL(18,2)) * 100) AS BIGINT)"
        ok = f"regexp_full_match({norm}, '[0-9]{{1,12}}([.][0-9]{{1,2}})?')"
        return f"(CASE WHEN {ok} AND {cents} BETWEEN {col.low} AND {col.high} THEN {cents} END)"
    if t == "int":
        ok = f"regexp_full_match({raw}, '[0-9]{{1,9}}([.]0+)?')"
        val = f"CAST(TRY_CAST({raw} AS DOUBLE) AS BIGINT)"
        return f"(CASE WHEN {ok} AND {val} BETWEEN {col.low} AND {col.high} THEN {val} END)"
    if t == "date":
        iso = f"(CASE WHEN regexp_full_match({raw}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}( 00:00:00)?') " \
              f"THEN TRY_CAST(left({raw}, 10) AS DATE) END)"
        return f"(CASE WHEN {iso} BETWEEN DATE '1800-01-01' AND DATE '2100-12-31' THEN {iso} END)"
    raise ValueError(t)


def error_sql(col: Column, raw: str, value: str, kind: str) -> str:
    """TRUE when the raw value is present but not valid, or missing where it is required (`value` and
    `kind` name the typed value and the typed unit kind)."""
    bad = f"({raw} IS NOT NULL AND ({value} IS NULL OR length({raw}) > {MAX_RAW_CHARS}))"
    if col.required:
        bad = f"({raw} IS NULL OR {bad})"
    if col.name == "parking_use":
        bad = f"({bad} OR ({kind} = 'PAR' AND {raw} IS NULL))"
    return bad


def what_is_wrong(col: Column, raw: str | None, kind: str | None, lang: str) -> str:
    """Plain words for a bad value of `col` (raw is the text found, None when empty), from the stock
    section of the catalogue (woningwet_engine/i18n)."""
    from ..format import format_int
    from ..i18n import text

    def say(key: str, **fields) -> str:
        return text(lang, f"stock.bad_{key}", **fields)

    if raw is None:
        return say("parking_use" if col.name == "parking_use" else "missing")
    if len(raw) > MAX_RAW_CHARS:
        return say("too_long", n=MAX_RAW_CHARS)
    shown = repr(raw if len(raw) <= 40 else raw[:40] + "…")
    t = col.type
    if t == "enum":
        values = ", ".join(col.values)
        if col.name == "unit_kind":
            return say("kind_not_judged" if raw.upper() in NOT_JUDGED_KINDS else "kind", raw=shown, values=values)
        return say("enum", raw=shown, values=values)
    if t == "eur":
        return say("eur", raw=shown, max=format_int(MAX_AMOUNT_EUR, lang))
    if t == "int":
        return say("int", raw=shown, low=format_int(col.low, lang), high=format_int(col.high, lang))
    return say(t if t in ("gm", "code3", "bool", "date") else "other", raw=shown)


def text_schema(col: Column) -> dict:
    """JSON Schema of a column whose value is text both in the register and in the tables written from
    it: a date, a CBS or VERA code, or free text (ids)."""
    if col.type == "date":
        return {"type": "string", "format": "date"}
    if col.type == "gm":
        return {"type": "string", "pattern": r"^GM\d{4}$"}
    if col.type == "code3":
        return {"type": "string", "pattern": r"^[A-Z]{3}$"}
    return {"type": "string", "minLength": 1, "maxLength": MAX_RAW_CHARS}


def json_schema() -> dict:
    """JSON Schema of one register row (the columns of a CSV, Parquet or XLSX register)."""
    props = {}
    for c in COLUMNS:
        if c.type == "eur":
            p = {"type": ["number", "string"], "pattern": r"^\d+([.,]\d{1,2})?$"}
        elif c.type == "int":
            p = {"type": ["integer", "string"], "minimum": c.low, "maximum": c.high, "pattern": r"^\d+$"}
        elif c.type == "bool":
            p = {"type": ["boolean", "string"], "enum": [True, False, *TRUE_WORDS, *FALSE_WORDS]}
        elif c.type == "enum":
            p = {"type": "string", "enum": list(c.values) + sorted(c.aliases)}
        else:
            p = text_schema(c)
        p["description"] = c.doc + (f" (VERA: {c.vera})" if c.vera else "")
        if c.example:
            p["examples"] = [c.example]
        props[c.name] = p
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://woningwet-engine.example/schema/stock.json",
        "title": "woningwet stock: one row of a unit register (CSV, Parquet or XLSX)",
        "description": "Column names are matched case-insensitively; other columns are ignored. An empty cell "
                       "is a missing value. See docs/stock.md for the mapping from a VERA export.",
        "type": "object",
        "properties": props,
        "required": list(REQUIRED),
    }

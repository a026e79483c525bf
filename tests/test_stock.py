"""woningwet stock: a unit register judged on DuckDB equals judge() per unit; totals, formats, explain,
bad input (row and column, exit 2, nothing written), schema, summary."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from woningwet_engine.cli import main
from woningwet_engine.engine import judge
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.stock.columns import COLUMNS
from woningwet_engine.stock.judge import FLAT_COLUMNS, UNIT_COLUMNS, judge_register, outcomes_path
from woningwet_engine.stock.mapping import load_corporation, one_unit_case, owned_class, unit_component
from woningwet_engine.stock.synthetic import rent_thresholds, write_csv

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "cases" / "stock-sample.csv"
DAY = dt.date(2016, 6, 1)
HEADER = [c.name for c in COLUMNS]


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


def query(sql: str) -> list[dict]:
    con = duckdb.connect()
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def rows_of(path: Path) -> list[dict]:
    """The units of a normalised Parquet table with their outcome's columns, joined as a controller would."""
    side = outcomes_path(path)
    return query(f"SELECT u.*, o.* EXCLUDE (outcome, verdict, compliant, party, fired, units) "
                 f"FROM read_parquet('{path}', file_row_number = true) u JOIN read_parquet('{side}') o "
                 "ON u.outcome = o.outcome ORDER BY u.file_row_number")


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_rows(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=HEADER)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in HEADER})
    return path


GOOD = {"unit_id": "1", "municipality": "GM0344", "unit_kind": "WOO", "rent": "612.40"}


# --- scenario: the sample register in cases/ -------------------------------------------------------

@pytest.fixture(scope="module")
def sample_table(book, tmp_path_factory):
    out = tmp_path_factory.mktemp("stock") / "sample.parquet"
    run = judge_register(SAMPLE, DAY, book, output=out)
    return run, {r["unit_id"]: r for r in rows_of(out)}


def test_sample_register_verdicts_rules_citations(sample_table):
    run, rows = sample_table
    assert run.judged == len(rows) == 16 and run.bad == 0
    assert list(rows) == [str(100001 + i) for i in range(16)]  # register order is kept
    low, at_limit, high, room = rows["100001"], rows["100002"], rows["100003"], rows["100004"]
    assert (low["verdict"], low["fired"], low["party"]) == ("daeb", ["DAEB-01.b#then"], "corporation")
    assert "DAEB-02#then" in at_limit["fired"] and at_limit["verdict"] == "daeb"  # exactly at the limit
    assert high["rent"] == Decimal("810.00") and isinstance(high["rent"], Decimal)  # written "810,00"
    assert (high["verdict"], high["party"], high["label_check"]) == ("non_daeb", "corporation_non_daeb", "differs")
    assert room["fired"] == ["DAEB-01.c#then"] and room["verdict"] == "daeb"  # KAM: not self-contained
    assert "liberalisatiegrens = 710.68" in low["parameters"]
    assert any(u.startswith("https://wetten.overheid.nl/jci1.3:c:BWBR0005181&artikel=47&lid=1&o=b")
               and u.endswith("g=2016-06-01") for u in low["links"])
    assert any("Woningwet art. 47 lid 1 onderdeel b" in c for c in low["citations"])
    assert rows["100005"]["verdict"] == "undetermined" and rows["100005"]["missing"] == ["rent"]
    assert rows["100008"]["verdict"] == "forbidden" and "MV-01#else" in rows["100008"]["fired"]
    assert rows["100008"]["compliant"] is False
    assert rows["100009"]["fired"] == ["GEB-02.parking#then"]
    assert rows["100013"]["missing"] == ["area_has_corporation_homes"]  # public garage: BOG rules need it
    assert rows["100014"]["verdict"] == "needs_decision"
    assert rows["100002"]["liberalisation_candidate"] is True  # vacant, DAEB, self-contained
    assert all(r["date"] == DAY and r["rulebook_sha256"] for r in rows.values())


def test_sample_totals_equal_a_plain_group_by(sample_table):
    run, rows = sample_table
    counts: dict[str, int] = {}
    rent: dict[str, int] = {}
    for r in rows.values():
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
        if r["let_status"] != "vacant" and r["rent"] is not None:
            rent[r["verdict"]] = rent.get(r["verdict"], 0) + int(r["rent"] * 100)
    tot = run.totals["by_verdict"]
    assert {v: d["units"] for v, d in tot.items()} == counts
    assert {v: d["rent_month"] for v, d in tot.items() if d["rent_month"]} == rent
    # not compliant and not yet decidable are counted apart; both are there in the sample
    false = [u for u, r in rows.items() if r["compliant"] is False]
    empty = [u for u, r in rows.items() if r["compliant"] is None]
    assert false and empty
    assert run.totals["non_compliant"] == len(false) and run.totals["non_compliant_examples"] == false[:20]
    assert run.totals["compliance_open"] == len(empty) and run.totals["compliance_open_examples"] == empty[:20]
    assert run.totals["liberalisation_candidates"] == sum(1 for r in rows.values() if r["liberalisation_candidate"])
    missing = {m["fact"]: m["units"] for m in run.totals["missing"]}
    plain: dict[str, int] = {}
    for r in rows.values():
        for m in r["missing"] if r["verdict"] == "undetermined" else []:
            plain[m] = plain.get(m, 0) + 1
    assert missing == plain == {"rent": 1, "area_has_corporation_homes": 2}
    assert run.totals["verlicht"]["status"] in ("pass", "fail", "unknown")


# --- property: random units through stock equal judge() of the same unit ---------------------------

def expected_fields(comp) -> dict:
    fired = [r for r in comp.reasons if r.effect != "undetermined"]
    links: list[str] = []
    for r in fired:
        for c in [r.citation, *r.also_cites]:
            if c.url not in links:
                links.append(c.url)
    params: list[str] = []
    for r in fired:
        for p in r.inputs.params:
            text = f"{p.id} = {p.value if p.value is not None else '?'}"
            if text not in params:
                params.append(text)
    return {"verdict": comp.verdict, "compliant": comp.compliant, "party": comp.party,
            "fired": [f"{r.rule}#{r.branch}" for r in fired], "effects": [r.effect for r in fired],
            "links": links, "parameters": params, "assumptions": list(comp.assumptions),
            "conditions": [c.id for c in comp.conditions]}


def unit_of(row: dict) -> dict:
    u = {k: row.get(k) for k in ("unit_kind", "unit_detail", "self_contained", "tenure", "planned_activity",
                                 "parking_use", "parking_for_daeb", "mv_tenant_type", "area_has_corporation_homes",
                                 "wijk_function", "wws_points", "floor_area_m2")}
    u["rent"] = None if row["rent"] is None else int(row["rent"] * 100)
    u["owned_on_2015_07_01"] = owned_class(row["owned_since"])
    return u


CORPORATION = """corporation:
  name: Test
  home_municipality: GM0344
  municipalities: [GM0344, GM0518, GM0599, GM0363]
  woningmarktregio: {name: Utrecht, municipalities: [GM0344, GM0307, GM0356, GM0310]}
  daeb_rental_homes: 1000
  separation_regime: ADM
"""


@pytest.mark.parametrize("day,seed,with_corp", [
    (dt.date(2016, 6, 1), 11, False), (dt.date(2019, 6, 1), 12, True), (dt.date(2023, 3, 1), 13, True),
    (dt.date(2025, 6, 1), 14, False)])
def test_random_units_agree_with_judge(book, tmp_path, day, seed, with_corp):
    thresholds = rent_thresholds(book, [day])
    register = write_csv(tmp_path / "r.csv", 120, thresholds, seed=seed)
    corp = None
    if with_corp:
        (tmp_path / "corp.yaml").write_text(CORPORATION, encoding="utf-8")
        corp = load_corporation(tmp_path / "corp.yaml")
    out = tmp_path / "o.parquet"
    run = judge_register(register, day, book, output=out, corporation=corp)
    rows = rows_of(out)
    assert len(rows) == 120 == run.judged
    corp = run.corporation
    for row in rows:
        case = one_unit_case(unit_component(unit_of(row), row["municipality"]), corp, day)
        comp = judge(case, book, at=day).components[0]
        want = expected_fields(comp)
        got = {k: row[k] for k in want}
        assert got == want, f"unit {row['unit_id']}"


# --- output formats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_other_formats_hold_the_same_table(book, tmp_path, sample_table, fmt):
    _, rows = sample_table
    out = tmp_path / f"o.{fmt}"
    judge_register(SAMPLE, DAY, book, output=out, out_format=fmt)
    if fmt == "csv":
        got = list(csv.DictReader(out.open(encoding="utf-8")))
        fired = {r["unit_id"]: r["fired"] for r in got}
        assert fired["100011"] == "; ".join(rows["100011"]["fired"])
    elif fmt == "json":
        got = json.loads(out.read_text(encoding="utf-8"))
        assert {r["unit_id"]: r["fired"] for r in got} == {k: v["fired"] for k, v in rows.items()}
    else:
        from openpyxl import load_workbook

        ws = load_workbook(out, read_only=True).worksheets[0]
        it = ws.iter_rows(values_only=True)
        head = list(next(it))
        got = [dict(zip(head, r)) for r in it]
    assert [str(r["unit_id"]) for r in got] == list(rows)
    assert [r["verdict"] for r in got] == [r["verdict"] for r in rows.values()]


def test_same_register_gives_byte_identical_table(book, tmp_path):
    register = write_csv(tmp_path / "r.csv", 3000, rent_thresholds(book, [DAY]), seed=8)
    for fmt in ("csv", "parquet"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        judge_register(register, DAY, book, output=a, out_format=fmt)
        judge_register(register, DAY, book, output=b, out_format=fmt, threads=1)
        assert a.read_bytes() == b.read_bytes()
        if fmt == "parquet":
            assert outcomes_path(a).read_bytes() == outcomes_path(b).read_bytes()


def test_same_register_gives_byte_identical_workbook(book, tmp_path):
    """An XLSX table carries no clock time: docProps/core.xml's creation and modification time and every
    zip entry's time are midnight of the judged date (stock/judge.py _xlsx_time), so two runs give the
    same bytes however far apart they are."""
    import zipfile

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    judge_register(SAMPLE, DAY, book, output=a, out_format="xlsx")
    judge_register(SAMPLE, DAY, book, output=b, out_format="xlsx", threads=1)
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2016, 6, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "xl/worksheets/sheet1.xml" in z.namelist()
    stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert sorted(stamps) == [("created", "2016-06-01T00:00:00Z"), ("modified", "2016-06-01T00:00:00Z")]
    assert a.read_bytes() == b.read_bytes()
    from openpyxl import load_workbook

    ws = load_workbook(a, read_only=True).worksheets[0]
    assert len(list(ws.iter_rows(values_only=True))) == 17  # the header and the sample's 16 units


def test_table_of_several_row_groups_is_written_on_every_thread_with_the_same_bytes(book, tmp_path, monkeypatch):
    """The table query scans one table (`ordered`, units in register order with their group number:
    stock/judge.py _order_units), so DuckDB runs and writes it on two threads (a batch copy, no join);
    its Parquet row groups are those of `ordered`, which is always inserted on one thread. A register
    of three row groups' worth of units, staged on two threads from a Parquet file of small row groups
    (so `units` itself has irregular row groups), is written to the same bytes at one and two threads,
    in full 122,880-row groups, with the rows of the join-and-sort form of the query."""
    import woningwet_engine.stock.judge as stock_judge

    small = write_csv(tmp_path / "small.csv", 3000, rent_thresholds(book, [DAY]), seed=9)
    pq = tmp_path / "r.parquet"
    copies = 2 * stock_judge.ROW_GROUP_ROWS // 3000 + 3  # > 2 row groups of units
    duckdb.connect().execute(
        f"COPY (SELECT r.* REPLACE (r.unit_id || '-' || i AS unit_id) FROM range({copies}) t(i), "
        f"(SELECT * FROM read_csv('{small}', all_varchar = true)) r ORDER BY i, r.unit_id) TO '{pq}' "
        "(FORMAT parquet, ROW_GROUP_SIZE 7000)")
    plans = []
    real = stock_judge.connect

    class Explained:
        def __init__(self, con):
            self._con = con

        def execute(self, sql, *args):
            if sql.startswith("COPY (") and ".outcomes" not in sql and "units.parquet" not in sql:
                plans.append(self._con.execute(f"EXPLAIN {sql}", *args).fetchall()[0][1])
            return self._con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._con, name)

    monkeypatch.setattr(stock_judge, "connect", lambda *a, **k: Explained(real(*a, **k)))
    out = {n: tmp_path / f"t{n}.parquet" for n in (1, 2)}
    for n, path in out.items():
        run = judge_register(pq, DAY, book, output=path, threads=n)
        assert run.judged == copies * 3000
    assert out[1].read_bytes() == out[2].read_bytes()
    assert outcomes_path(out[1]).read_bytes() == outcomes_path(out[2]).read_bytes()
    sizes = [r[0] for r in duckdb.connect().execute(
        f"SELECT row_group_num_rows FROM parquet_metadata('{out[2]}') GROUP BY row_group_id, row_group_num_rows "
        "ORDER BY row_group_id").fetchall()]
    assert len(sizes) == 3 and sizes[:-1] == [stock_judge.ROW_GROUP_ROWS] * 2, sizes
    assert len(plans) == 2 and "Batch Copy To File" in plans[1] and "Join" not in plans[1], plans[1]
    assert "Batch Copy To File" not in plans[0], plans[0]  # one thread: the plain copy
    # the rows and their order are those of the join-and-sort form (no table `ordered`)
    monkeypatch.setattr(stock_judge, "_order_units", lambda cur: False)
    sorted_form = tmp_path / "sorted.parquet"
    judge_register(pq, DAY, book, output=sorted_form, threads=2)
    cols = [r[0] for r in duckdb.connect().execute(f"DESCRIBE SELECT * FROM '{out[2]}'").fetchall()]
    differ = " OR ".join(f'a."{c}" IS DISTINCT FROM b."{c}"' for c in cols)
    assert duckdb.connect().execute(
        f"SELECT count(*), count(*) FILTER (WHERE {differ}) FROM (SELECT * FROM '{sorted_form}') a "
        f"POSITIONAL JOIN (SELECT * FROM '{out[2]}') b").fetchone() == (copies * 3000, 0)


def test_normalised_table_joins_to_the_flat_one(book, tmp_path):
    """Parquet is normalised by default: per unit its verdict, fired rules and outcome number; the outcomes
    file beside it holds each outcome's lists once, with its number of units. Joined, it is the flat table."""
    register = write_csv(tmp_path / "r.csv", 400, rent_thresholds(book, [DAY]), seed=9)
    norm, flat = tmp_path / "n.parquet", tmp_path / "f.parquet"
    judge_register(register, DAY, book, output=norm)
    judge_register(register, DAY, book, output=flat, layout="flat")
    assert not outcomes_path(flat).exists()
    units = query(f"SELECT * FROM read_parquet('{norm}')")
    outcomes = query(f"SELECT * FROM read_parquet('{outcomes_path(norm)}')")
    assert list(units[0]) == list(UNIT_COLUMNS) and len(units) == 400
    assert [o["outcome"] for o in outcomes] == sorted({u["outcome"] for u in units})  # only outcomes in use
    assert sum(o["units"] for o in outcomes) == 400
    by_id = {o["outcome"]: o for o in outcomes}
    for u in units:
        o = by_id[u["outcome"]]
        assert (u["verdict"], u["compliant"], u["party"], u["fired"]) == (o["verdict"], o["compliant"], o["party"],
                                                                         o["fired"])
    flat_rows = query(f"SELECT * FROM read_parquet('{flat}')")
    assert list(flat_rows[0]) == list(FLAT_COLUMNS)
    joined = [{k: ({**u, **by_id[u["outcome"]]}[k] if k not in u else u[k]) for k in FLAT_COLUMNS} for u in units]
    assert flat_rows == joined
    assert [r["unit_id"] for r in units] == [r["unit_id"] for r in csv.DictReader(register.open(encoding="utf-8"))]


# --- bad input -----------------------------------------------------------------------------------------

def assert_refused(result, out: Path, *needles):
    assert result.exit_code == 2, result.output
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith("." + out.name)]  # no temporary left
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_unit_kind_row_and_column(tmp_path):
    reg = write_rows(tmp_path / "u.csv", [GOOD, dict(GOOD, unit_id="2", unit_kind="XYZ")])
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", reg, "--at", DAY, "-o", out, "--lang", "en"), out, "row 3, column unit_kind",
                   "unknown unit kind 'XYZ'")


def test_not_judged_vera_kind_says_why(tmp_path):
    reg = write_rows(tmp_path / "u.csv", [dict(GOOD, unit_kind="OVE")])
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", reg, "--at", DAY, "-o", out, "--lang", "en"), out, "row 2, column unit_kind", "does not judge")


def test_rent_with_currency_sign_and_thousands_separator(tmp_path):
    reg = write_rows(tmp_path / "u.csv", [dict(GOOD, rent="€ 1.000"), dict(GOOD, unit_id="2", rent="1.000")])
    out = tmp_path / "o.parquet"
    result = cli("stock", reg, "--at", DAY, "-o", out, "--lang", "en")
    assert_refused(result, out, "row 2, column rent", "row 3, column rent", "not an amount in euros: '€ 1.000'")
    # Dutch by default: the same rows and columns, in Dutch words
    result = cli("stock", reg, "--at", DAY, "-o", out)
    assert_refused(result, out, "rij 2, kolom rent", "rij 3, kolom rent", "geen bedrag in euro's: '€ 1.000'")
    assert "amount" not in result.stderr


def test_missing_required_column(tmp_path):
    reg = tmp_path / "u.csv"
    reg.write_text("unit_id,unit_kind,rent\n1,WOO,600\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", reg, "--at", DAY, "-o", out), out, "kolom municipality", "verplichte kolom ontbreekt")


def test_parking_needs_its_use(tmp_path):
    reg = write_rows(tmp_path / "u.csv", [dict(GOOD, unit_kind="PAR", unit_detail="GAR")])
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", reg, "--at", DAY, "-o", out, "--lang", "en"), out, "row 2, column parking_use",
                   "required for parking units")


def test_junk_file(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(os.urandom(3_000_000))  # small here; benchmarks/bench_stock.py tries 2 GB
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", junk, "--at", DAY, "-o", out), out, "junk.csv")


def test_junk_rows_after_a_good_header_are_counted(tmp_path):
    reg = tmp_path / "u.csv"
    lines = [",".join(HEADER)] + [f"{i},GM0344,WOO,x{i}" for i in range(500)]
    reg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    result = cli("stock", reg, "--at", DAY, "-o", out, "--lang", "en")
    assert_refused(result, out, "row 2, column", "500 rows with errors in all", "nothing was written")


def test_duplicate_unit_ids(tmp_path):
    reg = write_rows(tmp_path / "u.csv", [GOOD, GOOD])
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", reg, "--at", DAY, "-o", out), out, "kolom unit_id", "komt 2 keer voor")


def test_on_error_skip_judges_the_rest(tmp_path):
    reg = write_rows(tmp_path / "u.csv", [GOOD, dict(GOOD, unit_id="2", rent="€ 1.000"), dict(GOOD, unit_id="3")])
    out = tmp_path / "o.parquet"
    result = cli("stock", reg, "--at", DAY, "-o", out, "--on-error", "skip", "--quiet")
    assert result.exit_code == 0, result.output
    # the left-out rows are named even with --quiet (a warning about the input, not progress), in Dutch
    assert "overgeslagen" in result.stderr and "rij 3, kolom rent" in result.stderr, result.stderr
    en = cli("stock", reg, "--at", DAY, "-o", out, "--on-error", "skip", "--lang", "en")
    assert "skipped" in en.stderr and "row 3, column rent" in en.stderr and "not an amount" in en.stderr
    assert [r["unit_id"] for r in rows_of(out)] == ["1", "3"]


def test_xlsx_register_reports_the_sheet_row(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["unit_id", "municipality", "unit_kind", "rent"])
    ws.append(["1", "GM0344", "WOO", 612.4])
    ws.append(["2", "GM0344", "WOO", "€ 1.000"])
    reg = tmp_path / "u.xlsx"
    wb.save(reg)
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", reg, "--at", DAY, "-o", out), out, "rij 3, kolom rent")
    ws.delete_rows(3)
    wb.save(reg)
    result = cli("stock", reg, "--at", DAY, "-o", out, "--quiet")
    assert result.exit_code == 0 and rows_of(out)[0]["verdict"] == "daeb"


def test_date_outside_the_rulebook(tmp_path):
    out = tmp_path / "o.parquet"
    assert_refused(cli("stock", SAMPLE, "--at", "2010-01-01", "-o", out), out, "valt buiten de periode die het regelboek beslaat")


# --- explain, schema, summary ------------------------------------------------------------------------

def test_explain_one_unit(sample_table, tmp_path, book):
    out = tmp_path / "o.parquet"
    judge_register(SAMPLE, DAY, book, output=out)
    result = cli("stock", "explain", out, "100008")
    assert result.exit_code == 0, result.output
    assert "MV-01#else" in result.stdout and "niet toegestaan" in result.stdout
    assert "BWBR0036702&artikel=49&lid=1&o=b&z=2016-06-01&g=2016-06-01" in result.stdout
    # why a rule did not apply: the deciding part of its condition in words, not in rule syntax
    why_not = result.stdout.split("Niet van toepassing (eerste reden):")[1].strip().splitlines()
    assert why_not and not [line for line in why_not if re.search(r"param\.|==|!=|<=|>=| and | or ", line)]
    assert any(re.search(r" is (ten hoogste|hoger dan|lager dan|ten minste|niet )|valt |: (ja|nee)", line)
               for line in why_not), why_not
    nl = cli("stock", "explain", out, "100001").stdout  # rent 612.40: what a why-not saw, as money
    assert "(gezien: € 612,40)" in nl and "612.40)" not in nl, nl
    en = cli("stock", "explain", out, "100001", "--lang", "en")
    assert "DAEB-01.b#then" in en.stdout and "Verdict: DAEB" in en.stdout
    assert cli("stock", "explain", out, "nope").exit_code == 2


def test_explain_from_csv_and_a_stale_table(book, tmp_path):
    out = tmp_path / "o.csv"
    judge_register(SAMPLE, DAY, book, output=out, out_format="csv")
    assert "DAEB-01.c#then" in cli("stock", "explain", out, "100004").stdout
    text = out.read_text(encoding="utf-8").replace("DAEB-01.c#then", "DAEB-01.b#then")
    out.write_text(text, encoding="utf-8")
    result = cli("stock", "explain", out, "100004")
    assert result.exit_code == 2 and "klopt niet met een nieuwe beoordeling" in result.stderr


def test_schema_stock_describes_the_sample(tmp_path):
    import jsonschema

    result = cli("schema", "stock")
    schema = json.loads(result.stdout)
    assert set(schema["required"]) == {"unit_id", "municipality", "unit_kind"}
    validator = jsonschema.Draft202012Validator(schema)
    for row in csv.DictReader(SAMPLE.open(encoding="utf-8")):
        cells = {k: v for k, v in row.items() if v != ""}
        assert not list(validator.iter_errors(cells)), row
    assert list(validator.iter_errors({"unit_id": "1", "municipality": "GM0344", "unit_kind": "XYZ"}))


def test_schema_stock_output_validates_the_tables_written(book, tmp_path):
    """`woningwet schema stock-output` holds every table `stock` writes: the JSON unit, outcome and flat
    rows of a varied register validate, each against its own kind only; the Parquet tables have exactly
    the columns the schema names; and a wrong value is caught."""
    import jsonschema

    schema = json.loads(cli("schema", "stock-output").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)

    def row_validator(kind):
        return jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{kind}"})

    register = write_csv(tmp_path / "r.csv", 400, rent_thresholds(book, [DAY]), seed=4)
    units, flat = tmp_path / "units.json", tmp_path / "flat.json"
    judge_register(register, DAY, book, output=units, out_format="json", layout="normalised")
    judge_register(register, DAY, book, output=flat, out_format="json", layout="flat")
    tables = {"unit": units, "outcome": outcomes_path(units), "flat": flat}
    for kind, path in tables.items():
        rows = json.loads(path.read_text(encoding="utf-8"))
        assert rows
        jsonschema.validate(rows, schema)  # the whole file: an array of rows
        for other in tables:
            assert row_validator(other).is_valid(rows[0]) == (other == kind), (kind, other)
    verdicts = {r["verdict"] for r in json.loads(flat.read_text(encoding="utf-8"))}
    assert {"daeb", "non_daeb", "undetermined"} <= verdicts  # the register exercised the enums
    pq = tmp_path / "units.parquet"
    judge_register(register, DAY, book, output=pq, layout="normalised")
    for kind, path in (("unit", pq), ("outcome", outcomes_path(pq))):
        names = [r["column_name"] for r in query(f"DESCRIBE SELECT * FROM '{path}'")]
        assert names == list(schema["$defs"][kind]["properties"])
    unit = json.loads(units.read_text(encoding="utf-8"))[0]
    for bad in ({"verdict": "maybe"}, {"rent": "612,40"}, {"fired": ["no branch"]}, {"extra": 1}):
        assert row_validator("unit").is_valid(unit) and not row_validator("unit").is_valid({**unit, **bad}), bad


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_summary_html_in_words(book, tmp_path, lang):
    summary = tmp_path / "s.html"
    run = judge_register(SAMPLE, DAY, book, summary=summary, lang=lang)
    html = summary.read_text(encoding="utf-8")
    assert "<svg" in html and "DAEB" in html
    # not compliant and not yet decidable each have their own line, with their own count
    for key, words in (("non_compliant", {"nl": "eenheden voldoen niet", "en": "units are not compliant"}),
                       ("compliance_open", {"nl": "eenheden zijn nog niet te beoordelen",
                                            "en": "units cannot be judged yet"})):
        assert run.totals[key] and f"{run.totals[key]} {words[lang]}" in html
    assert ("niet-DAEB" if lang == "nl" else "non-DAEB") in html
    for code in ("non_daeb", "undetermined", "corporation_non_daeb", "needs_decision", "area_has_corporation_homes"):
        assert code not in html
    assert ("Vraagt aandacht" if lang == "nl" else "Needs attention") in html


def test_terminal_counts_non_compliant_and_open_apart(book, tmp_path):
    """The totals on the terminal name the units that are not compliant and those whose compliance is
    open separately; either makes the exit code 1 (as for `check`)."""
    totals = tmp_path / "t.json"
    result = cli("stock", SAMPLE, "--at", DAY, "--totals", totals, "--quiet", "--lang", "en")
    tot = json.loads(totals.read_text(encoding="utf-8"))
    assert tot["non_compliant"] and tot["compliance_open"]
    assert f"not compliant: {tot['non_compliant']}" in result.stdout
    assert f"cannot be judged yet: {tot['compliance_open']}" in result.stdout
    assert result.exit_code == 1


def test_units_with_the_same_rules_but_another_party_keep_their_own(book, tmp_path):
    """A MOG unit on no BTIV list is forbidden either way; the split stage hands a care provider's building
    to a care or welfare party and another's to a market party (split.decide_component)."""
    mog = dict(GOOD, unit_kind="MOG", unit_detail="REZ", rent="900")
    reg = write_rows(tmp_path / "u.csv", [dict(mog, unit_id="1", mv_tenant_type="care_provider"),
                                          dict(mog, unit_id="2", mv_tenant_type="social_association")])
    out = tmp_path / "o.parquet"
    judge_register(reg, DAY, book, output=out)
    rows = {r["unit_id"]: r for r in rows_of(out)}
    assert rows["1"]["fired"] == rows["2"]["fired"] and rows["1"]["verdict"] == "forbidden"
    assert (rows["1"]["party"], rows["2"]["party"]) == ("care_or_welfare", "market")


def test_every_unit_check_gives_the_same_table(book, tmp_path):
    register = write_csv(tmp_path / "r.csv", 300, rent_thresholds(book, [DAY]), seed=5)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    judge_register(register, DAY, book, output=a, out_format="csv")
    judge_register(register, DAY, book, output=b, out_format="csv", every_unit=True)
    assert a.read_bytes() == b.read_bytes()
    ids = [r["unit_id"] for r in csv.DictReader(a.open(encoding="utf-8"))]
    assert ids == sorted(ids) and len(ids) == 300  # register order


def test_plan_cache_gives_the_same_bytes_and_ignores_a_bad_file(book, tmp_path, monkeypatch):
    """A second run on the same law takes the planning answers from the cache (plancache.py) and writes
    the same files; a damaged file or one that would build anything but plain values is ignored."""
    import pickle

    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    register = write_csv(tmp_path / "r.csv", 500, rent_thresholds(book, [DAY]), seed=10)

    def run(name: str) -> tuple[bytes, bytes]:
        out = tmp_path / f"{name}.parquet"
        judge_register(register, DAY, book, output=out)
        return out.read_bytes(), outcomes_path(out).read_bytes()

    cold = run("cold")
    (plan,) = (tmp_path / "cache").glob("stock-plan-*.pickle")
    data = pickle.loads(plan.read_bytes())
    assert data["outcomes"] and data["protos"] and data["classes"]
    assert run("warm") == cold
    plan.write_bytes(b"not a pickle")
    assert run("damaged") == cold

    class Hostile:
        def __reduce__(self):
            return (os.remove, (str(register),))

    plan.write_bytes(pickle.dumps({"roles": Hostile()}))
    assert run("hostile") == cold and register.exists()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_stock_words_carry_no_internal_codes(book, tmp_path, lang):
    """The terminal totals, the progress lines, the rows --on-error skip leaves out, the HTML summary and
    `stock explain` (its why-not conditions too) speak the reader's language: the words are the catalogue's
    stock section (woningwet_engine/i18n), facts, values and conditions by their names (terms.py,
    wording.py)."""
    from test_vocabulary import offences, visible_html

    codes = {c for c in book.conditions if "-" in c} | {cr.rule.check for cr in book.rules if cr.rule.check}
    out, summary = tmp_path / "o.parquet", tmp_path / "s.html"
    result = cli("stock", SAMPLE, "--at", DAY, "-o", out, "--summary", summary, "--lang", lang, "--progress")
    progress = [line for line in result.stderr.splitlines() if line.startswith("stock: ")]
    assert len(progress) >= 2, result.stderr  # rows read; classes and outcomes
    bad = write_rows(tmp_path / "bad.csv", [GOOD, dict(GOOD, unit_id="2", rent="€ 1.000"),
                                            dict(GOOD, unit_id="3", unit_kind="XYZ")])
    skipped = cli("stock", bad, "--at", DAY, "-o", tmp_path / "b.parquet", "--on-error", "skip", "--lang", lang, "--quiet")
    assert skipped.exit_code in (0, 1) and skipped.stderr.count("stock: ") == 2, skipped.stderr
    # the file and the register's own column names are the reader's, not ours
    left_out = re.sub(r"(kolom|column) [a-z_]+", " ", skipped.stderr.replace(str(bad), " "))
    texts = {"terminal": result.stdout + "\n".join(progress), "skipped rows": left_out,
             "summary": visible_html(summary.read_text(encoding="utf-8"))}
    for unit in ("100001", "100005", "100008", "100009", "100013", "100014"):
        text = cli("stock", "explain", out, unit, "--lang", lang).stdout
        lines = []
        for line in text.splitlines():
            if line.startswith("    https://") or "https://" in line:
                line = line.split(": https://")[0]  # the dated link itself is an address, not words
            if line.startswith("[") and "]" in line:  # the reason text is the rule's own (rules/*.yaml)
                line = line.split(": ", 1)[0]
            lines.append(line)
        texts[f"explain {unit}"] = "\n".join(lines)
    bad = {name: found for name, text in texts.items() if (found := offences(text, lang, codes))}
    assert not bad, bad


def test_stock_words_exist_in_both_languages_and_bad_rows_use_them(tmp_path):
    """Every word of the stock section is in both catalogues, and each kind of bad value gets its own
    sentence (none falls back to the generic one)."""
    from woningwet_engine.i18n import section
    from woningwet_engine.stock.columns import BY_NAME, what_is_wrong

    assert set(section("nl", "stock")) == set(section("en", "stock"))
    raw = {"gm": "0344", "code3": "12", "enum": "xyz", "bool": "misschien", "eur": "€ 5", "int": "vijf",
           "date": "1-2-2003"}
    for lang in ("nl", "en"):
        generic = section(lang, "stock")["bad_other"].split("{")[0]
        for col in BY_NAME.values():
            if col.type in raw:
                said = what_is_wrong(col, raw[col.type], None, lang)
                assert repr(raw[col.type]) in said and not said.startswith(generic), (lang, col.name, said)
        assert what_is_wrong(BY_NAME["unit_kind"], "OVE", None, lang) != what_is_wrong(BY_NAME["unit_kind"], "XYZ",
                                                                                      None, lang).replace("XYZ", "OVE")


def test_units_out_of_step_fall_back_to_the_sorted_query(book, tmp_path, monkeypatch):
    """The default query glues outcomes to the staged units by position and checks every row number; if
    they ever differ, the run falls back to joining and sorting all rows, and writes the same rows."""
    import woningwet_engine.stock.judge as stock_judge

    register = write_csv(tmp_path / "r.csv", 300, rent_thresholds(book, [DAY]), seed=6)
    good = tmp_path / "good.parquet"
    judge_register(register, DAY, book, output=good)
    calls = []

    def out_of_step(*args):
        calls.append(args)
        return f"SELECT error('{stock_judge.OUT_OF_STEP} 2')", []

    monkeypatch.setattr(stock_judge, "_positional_query", out_of_step)
    again = tmp_path / "again.parquet"
    judge_register(register, DAY, book, output=again)
    assert calls and query(f"SELECT * FROM '{again}'") == query(f"SELECT * FROM '{good}'")
    assert outcomes_path(again).read_bytes() == outcomes_path(good).read_bytes()


def test_compiled_sql_that_differs_from_the_reference_stops_the_run(book, tmp_path, monkeypatch):
    """Each class's compiled branch SQL is run on its representative facts and compared with the
    reference evaluator's states; a wrong compilation stops the run and nothing is written."""
    import woningwet_engine.stock.judge as stock_judge

    real = stock_judge.compile_selection

    def negated(selection):
        return tuple(stock_judge.CompiledBranch(b.id, b.index, f"(NOT {b.sql})", b.root) for b in real(selection))

    monkeypatch.setattr(stock_judge, "compile_selection", negated)
    monkeypatch.setenv("WONINGWET_NO_CACHE", "1")
    out = tmp_path / "out.parquet"
    with pytest.raises(stock_judge.EngineError, match="compiled SQL and the reference evaluator disagree"):
        judge_register(SAMPLE, DAY, book, output=out)
    assert not out.exists() and not outcomes_path(out).exists()


def test_ignored_columns_are_named_in_words_even_when_quiet(tmp_path):
    """A register column the test does not read is a warning about the input, not progress: it reaches
    stderr in pipes and with --quiet, in the reader's language, and never stdout."""
    src = tmp_path / "extra.csv"
    src.write_text("unit_id,municipality,unit_kind,rent,kleur\n1,GM0344,WOO,612.40,blauw\n", encoding="utf-8")
    for lang, words in (("nl", "genegeerd"), ("en", "ignored")):
        res = cli("stock", src, "--at", DAY.isoformat(), "-o", tmp_path / f"out-{lang}.csv", "--quiet", "--lang", lang)
        assert res.exit_code in (0, 1), res.output
        assert words in res.stderr and "kleur" in res.stderr and "kleur" not in res.stdout
    plain = tmp_path / "plain.csv"
    plain.write_text("unit_id,municipality,unit_kind,rent\n1,GM0344,WOO,612.40\n", encoding="utf-8")
    res = cli("stock", plain, "--at", DAY.isoformat(), "-o", tmp_path / "plain-out.csv", "--quiet")
    assert "genegeerd" not in res.stderr


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts OS threads in /proc/self/task")
def test_the_planning_worker_is_forked_with_one_thread_and_gives_the_same_bytes(tmp_path):
    """A cold plan of a large register works out half of its new facts, classes and outcomes in a second
    process. A fork copies only the thread that calls it, so a lock held by DuckDB's pool or another
    thread would stay locked in the child: the fork happens while this process has one OS thread, and
    not at all while another thread is alive. The files are the same whoever plans, and an error on
    either side stops the run with nothing written.

    The checks run in a fresh interpreter (worker_fork_checks): in the suite's own process a thread
    another test left behind (a DuckDB pool not yet collected, a server winding down) would decide
    whether the worker is forked at all."""
    import subprocess
    import sys

    code = ("import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import test_stock; "
            "test_stock.worker_fork_checks(test_stock.Path(sys.argv[3]))")
    res = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(ROOT), str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, WONINGWET_NO_CACHE="1"),
                         timeout=600)
    assert res.returncode == 0, res.stderr[-4000:]
    assert res.stdout.strip() == "checked", res.stdout


def worker_fork_checks(tmp_path: Path) -> None:
    """The body of the test above, in a process that starts with one thread."""
    import gc
    import threading
    import time

    import woningwet_engine.stock.judge as stock_judge
    from woningwet_engine.stock.worker import PlanWorker

    book = load_rulebook()
    register = write_csv(tmp_path / "r.csv", 1500, rent_thresholds(book, [DAY]), seed=12)
    threads_at_fork, submitted = [], []
    real_fork, real_submit = os.fork, PlanWorker.submit

    def fork():
        threads_at_fork.append(len(os.listdir("/proc/self/task")))
        return real_fork()

    def submit(self, name, tasks, extend):
        submitted.append(name)
        return real_submit(self, name, tasks, extend)

    def alone_now() -> None:
        """Waits until this process is down to one OS thread. A joined thread, or DuckDB's pool after its
        connection closed, can stay listed in /proc/self/task a moment longer; a run that starts then
        plans without a worker (right, but not what the next check is about)."""
        deadline = time.monotonic() + 30
        while True:
            gc.collect()
            if len(os.listdir("/proc/self/task")) == 1:
                return
            assert time.monotonic() < deadline, f"other threads are alive: {threading.enumerate()}"
            time.sleep(0.01)

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(os, "fork", fork)
        monkeypatch.setattr(PlanWorker, "submit", submit)

        def run(name: str, min_outcomes: int, threads: int = 2) -> tuple[bytes, bytes]:
            monkeypatch.setattr(stock_judge, "WORKER_MIN_OUTCOMES", min_outcomes)
            monkeypatch.setattr(stock_judge, "WORKER_MIN_FACTS", min_outcomes)
            out = tmp_path / f"{name}.parquet"
            judge_register(register, DAY, book, output=out, threads=threads)
            return out.read_bytes(), outcomes_path(out).read_bytes()

        alone_now()
        alone = run("alone", 10 ** 9)
        assert not submitted
        alone_now()
        assert run("worker", 2) == alone
        assert threads_at_fork and set(threads_at_fork) == {1}
        assert submitted == ["protos_of", "classes_of", "judge_outcomes"]
        forks = len(threads_at_fork)
        alone_now()
        assert run("one-thread", 2, threads=1) == alone and len(threads_at_fork) == forks

        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        try:
            assert run("other-thread", 2) == alone
        finally:
            stop.set()
            other.join()
        assert len(threads_at_fork) == forks and len(submitted) == 3  # planned here, not forked

        parent = os.getpid()
        real_judge = stock_judge._Planner.judge_outcome

        def fails_in_the_worker(self, *args):
            if os.getpid() != parent:
                raise stock_judge.EngineError("worker disagrees")
            return real_judge(self, *args)

        def fails_here(self, *args):
            if os.getpid() == parent:
                raise stock_judge.EngineError("this process disagrees")
            return real_judge(self, *args)

        for judge_outcome, said in ((fails_in_the_worker, "worker disagrees"), (fails_here, "this process disagrees")):
            monkeypatch.setattr(stock_judge._Planner, "judge_outcome", judge_outcome)
            out = tmp_path / "failed.parquet"
            alone_now()
            forks = len(threads_at_fork)
            with pytest.raises(stock_judge.EngineError, match=said):
                judge_register(register, DAY, book, output=out, threads=2)
            assert len(threads_at_fork) == forks + 1  # the worker took part
            assert not out.exists() and not outcomes_path(out).exists()
    print("checked")


@pytest.fixture(scope="module")
def long_register(book, tmp_path_factory) -> Path:
    """A register that takes a cold run a few seconds to plan and to judge unit by unit."""
    return write_csv(tmp_path_factory.mktemp("long") / "long.csv", 100_000, rent_thresholds(book, [DAY]), seed=5)


@pytest.fixture(scope="module")
def longer_register(book, tmp_path_factory) -> Path:
    """A register whose unit-by-unit judging statement runs well over the first progress poll (one
    second) also on an idle machine: 100,000 units judged one by one on one thread took under a
    second there, so the progress line the interrupt waits for never came."""
    return write_csv(tmp_path_factory.mktemp("longer") / "longer.csv", 400_000, rent_thresholds(book, [DAY]),
                     seed=5)


def _interrupted(register: Path, out_dir: Path, lang: str, wait_for: str, *extra: str):
    """`woningwet stock` with progress on, sent SIGINT when a stderr line holds `wait_for`; returns
    (exit code, stderr, the processes the run had then forked)."""
    import signal
    import subprocess
    import sys

    # SIGINT as a terminal delivers it, also when the suite itself was started with it ignored
    proc = subprocess.Popen([sys.executable, "-m", "woningwet_engine.cli", "stock", str(register), "--at",
                             DAY.isoformat(), "-o", str(out_dir / "units.parquet"), "--summary",
                             str(out_dir / "memo.html"), "--progress", "--lang", lang, *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, WONINGWET_NO_CACHE="1"),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen, children = [], []
    try:
        for line in proc.stderr:
            seen.append(line)
            if wait_for in line:
                with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as fh:
                    children = [int(c) for c in fh.read().split()]
                proc.send_signal(signal.SIGINT)
                break
        rest = proc.stderr.read()  # to the end: the process has ended
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert seen and wait_for in seen[-1], "".join(seen)
    return proc.returncode, "".join(seen) + rest, children


@pytest.mark.skipif(not os.path.isfile(f"/proc/{os.getpid()}/task/{os.getpid()}/children"),
                    reason="lists a process's children in /proc")
@pytest.mark.parametrize("register, lang, wait_for, extra, said", [
    # while Python plans, with the planning worker busy
    ("long_register", "nl", "rijen gelezen", (), "stock: onderbroken (Ctrl-C); er is niets geschreven"),
    # while DuckDB judges (its progress line is printed from inside a statement that has run a second;
    # one thread, every unit's own facts and a larger register keep it running for seconds)
    ("longer_register", "en", "judging and writing:", ("--check-every-unit", "--threads", "1"),
     "stock: interrupted (Ctrl-C); nothing was written"),
])
def test_ctrl_c_ends_a_run_with_one_line_exit_130_and_nothing_left(request, register, tmp_path, lang, wait_for,
                                                                     extra, said):
    """Ctrl-C in a long run: one line in the reader's language (no traceback, although DuckDB turns the
    interrupt of a statement into an error of its own), exit 130, no output or temporary file, and the
    planning worker is gone."""
    code, err, children = _interrupted(request.getfixturevalue(register), tmp_path, lang, wait_for, *extra)
    assert code == 130, err
    assert err.rstrip().splitlines()[-1] == said and "Traceback" not in err, err
    assert os.listdir(tmp_path) == []
    for pid in children:
        assert not os.path.exists(f"/proc/{pid}"), f"process {pid} outlived the run"
    if wait_for == "rijen gelezen":
        assert children, "the cold plan of this register has a planning worker"


def test_durable_rules_cross_checks_all_outcomes_of_a_plan_in_one_session(book, tmp_path, monkeypatch):
    """The outcomes of a plan are judged by the case path with one durable_rules session for all of
    them (as pipeline.judge_many), not one per outcome; when durable_rules disagrees with the
    evaluator on any of them, the run stops and writes nothing."""
    from woningwet_engine.portfolio import SharedEngine

    monkeypatch.setenv("WONINGWET_NO_CACHE", "1")
    real_fire = SharedEngine.fire
    sessions = []

    def fire(self, selection, facts):
        sessions.append(len(facts))
        return real_fire(self, selection, facts)

    monkeypatch.setattr(SharedEngine, "fire", fire)
    run = judge_register(SAMPLE, DAY, book, output=tmp_path / "one.parquet", threads=1)
    assert run.outcomes > 1 and sessions == [sum(sessions)] and sessions[0] >= run.outcomes

    def loses_a_branch(self, selection, facts):
        fired = real_fire(self, selection, facts)
        return set(sorted(fired)[1:])

    monkeypatch.setattr(SharedEngine, "fire", loses_a_branch)
    out = tmp_path / "lost.parquet"
    from woningwet_engine.errors import EngineError

    with pytest.raises(EngineError, match="durable"):
        judge_register(SAMPLE, DAY, book, output=out, threads=1)
    assert not out.exists() and not outcomes_path(out).exists()


@pytest.mark.parametrize("kind", ["MOG", "BED", "PAR"])
def test_numbers_a_kind_of_unit_does_not_hold_leave_its_component_alone(kind):
    """The stock planner treats units that differ only in numbers their kind's component does not hold
    (mapping.NUMBERS_READ) as one; the component is indeed the same, and a number it holds changes it."""
    from woningwet_engine.stock.mapping import NUMBERS_READ

    base = {"unit_kind": kind, "unit_detail": {"MOG": "BUU", "BED": "WIR", "PAR": "GAR"}[kind],
            "parking_use": "dwellings", "rent": 61240, "wws_points": 141, "floor_area_m2": 72}
    comp = unit_component(base, "GM0344")
    obj = comp.object
    for col, other in (("rent", 99999), ("wws_points", 250), ("floor_area_m2", 500)):
        changed = unit_component({**base, col: other}, "GM0344")
        assert (changed == comp) == (col not in NUMBERS_READ[obj]), col
    dwelling = {"unit_kind": "WOO", "rent": 61240, "wws_points": 141, "floor_area_m2": 72}
    assert all(unit_component({**dwelling, col: 1}, "GM0344") != unit_component(dwelling, "GM0344")
               for col in NUMBERS_READ["dwelling"])


@pytest.mark.parametrize("layout, previous", [("normalised", False), ("normalised", True), ("flat", True)])
def test_table_and_summary_appear_together_or_not_at_all(book, tmp_path, monkeypatch, layout, previous):
    """Ctrl-C (a real SIGINT to this process) after the table is renamed into place and before the summary
    is: the run ends with a KeyboardInterrupt and leaves the files exactly as they were before it (none,
    or the previous run's), with no temporary file beside them; a summary that cannot be put in place
    takes the table back with it."""
    import signal

    from woningwet_engine.output import StagedOutput

    monkeypatch.setenv("WONINGWET_NO_CACHE", "1")  # the plan cache is written through StagedOutput too
    out, memo = tmp_path / "units.parquet", tmp_path / "memo.html"
    files = [out, memo] + ([outcomes_path(out)] if layout == "normalised" else [])
    if previous:
        for f in files:
            f.write_bytes(b"previous " + f.name.encode())
    before = {f.name: f.read_bytes() for f in tmp_path.iterdir()}
    real_publish = StagedOutput.publish
    published = []

    def interrupted_publish(self):
        published.append(sorted(f.name for f in tmp_path.iterdir() if not f.name.startswith(".")))
        os.kill(os.getpid(), signal.SIGINT)  # between the table's rename and the summary's
        real_publish(self)

    monkeypatch.setattr(StagedOutput, "publish", interrupted_publish)
    with pytest.raises(KeyboardInterrupt):
        judge_register(SAMPLE, DAY, book, output=out, summary=memo, layout=layout, threads=1)
    assert published, "the summary was to be put in place after the table"
    assert {f.name: f.read_bytes() for f in tmp_path.iterdir()} == before

    def failing_publish(self):
        raise OSError("disk full")

    monkeypatch.setattr(StagedOutput, "publish", failing_publish)
    with pytest.raises(OSError):
        judge_register(SAMPLE, DAY, book, output=out, summary=memo, layout=layout, threads=1)
    assert {f.name: f.read_bytes() for f in tmp_path.iterdir()} == before

    monkeypatch.setattr(StagedOutput, "publish", real_publish)
    judge_register(SAMPLE, DAY, book, output=out, summary=memo, layout=layout, threads=1)
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(f.name for f in files)
    assert all(not f.read_bytes().startswith(b"previous") for f in files)


def test_query_progress_is_shown_for_the_table_query_alone(book, tmp_path, monkeypatch):
    """The judging percentage polled on stderr is the table query's: the poller runs around that
    statement only, not around the small tables and the check before it (whose percentage the first
    line used to show)."""
    from contextlib import contextmanager

    from woningwet_engine.stock import judge as stock_judge

    inside, during = [], []
    real_connect = stock_judge.connect

    class Recording:
        def __init__(self, con):
            self._con = con

        def execute(self, sql, *args):
            if inside:
                during.append(sql.lstrip().split(None, 1)[0].upper())
            return self._con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._con, name)

    @contextmanager
    def query_progress(self, con):
        inside.append(True)
        try:
            yield
        finally:
            inside.clear()

    monkeypatch.setattr(stock_judge, "connect", lambda *a, **k: Recording(real_connect(*a, **k)))
    monkeypatch.setattr(stock_judge._Terminal, "query_progress", query_progress)
    judge_register(SAMPLE, DAY, book, output=tmp_path / "units.parquet", progress=True, threads=1)
    assert during == ["COPY"]


def test_parquet_register_is_staged_by_one_parallel_scan_in_file_order(book, tmp_path):
    """A Parquet register is staged by an order-preserving parallel pipeline (the reader's record number
    and plain projections: no window, no join), the staged rows stay in file order, and they hold the
    values the same register gives from CSV."""
    from woningwet_engine.stock.judge import connect
    from woningwet_engine.stock.read import create_typed_view, open_source, stage, stage_sql

    register = write_csv(tmp_path / "r.csv", 6000, rent_thresholds(book, [DAY]), seed=12)
    pq = tmp_path / "r.parquet"
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{register}', all_varchar = true)) TO '{pq}' "
                             "(FORMAT parquet, ROW_GROUP_SIZE 500)")  # twelve row groups for two threads
    staged = {}
    for path in (register, pq):
        con = connect(tmp_path, threads=2)
        src = open_source(con, path, tmp_path)
        create_typed_view(con, src)
        if path == pq:
            plan = con.execute(f"EXPLAIN {stage_sql()}").fetchall()[0][1]
            assert "Batch Create Table As" in plan and "Join" not in plan and "Window" not in plan, plan
        stage(con)
        first = 1 if path == pq else 2  # CSV counts the header as row 1
        assert con.execute(f"SELECT count(*) FROM units WHERE src_row <> rowid + {first}").fetchone()[0] == 0
        staged[path] = con.execute("SELECT * EXCLUDE (src_row) FROM units ORDER BY src_row").fetchall()
        con.close()
    assert staged[pq] == staged[register] and len(staged[pq]) == 6000


def test_bool_words_are_read_as_before():
    """Each accepted spelling of a yes/no column reads as its value, anything else as missing (the CASE in
    columns.value_sql that keeps the staging scan free of joins)."""
    from woningwet_engine.stock.columns import FALSE_WORDS, TRUE_WORDS, value_sql

    col = next(c for c in COLUMNS if c.type == "bool")
    words = [*TRUE_WORDS, *FALSE_WORDS, "misschien", "", "TRUE"]
    got = query(f"SELECT w, {value_sql(col, 'w')} AS v FROM unnest({words!r}) t(w)")
    assert {r["w"]: r["v"] for r in got} == {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS},
                                             "misschien": None, "": None, "TRUE": None}

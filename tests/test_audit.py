"""The decision log: recording, tamper detection, replay, diff under later law, export/import."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine import __version__
from woningwet_engine.audit import DecisionLog, default_log_path, record_decision
from woningwet_engine.audit.log import GENESIS, SCHEMA, record_hash
from woningwet_engine.audit.replay import RulebookCache, replay_record
from woningwet_engine.case import load_case
from woningwet_engine.cli import main
from woningwet_engine.result import canonical_json

from clirun import in_english  # these tests read the English wording; test_audit_words.py the Dutch

ROOT = Path(__file__).resolve().parents[1]
KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"
RENTS = ("450.00", "700.00", "900.00")


def run(*args: str):
    return CliRunner().invoke(main, in_english(args))


def small_case(i: int, rent: str):
    return make_case("2020-03-01", [component(id=f"C{i}", dwelling={"rent": rent})], case_id=f"synthetic-{i}")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A log with three small decisions (judged once per test module)."""
    path = tmp_path_factory.mktemp("pristine") / "log.sqlite"
    for i, rent in enumerate(RENTS, 1):
        case = small_case(i, rent)
        record_decision(case, judge(case), rulebook(), path, source=f"synthetic {i}")
    return path


@pytest.fixture
def log3(pristine, tmp_path) -> Path:
    path = tmp_path / "log.sqlite"
    shutil.copy(pristine, path)
    return path


def raw(path: Path) -> sqlite3.Connection:
    """A connection with the append-only triggers dropped, as a forger would."""
    conn = sqlite3.connect(path, isolation_level=None)
    for trig in ("records_no_update", "records_no_delete", "blobs_no_update", "blobs_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trig}")
    return conn


def verify(path: Path, **kw):
    """verify() after the forger has put the append-only triggers back (removing them is itself a
    finding, tests/test_audit_tamper.py), so that each test sees the finding of its own tampering."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("\n".join(line for line in SCHEMA.splitlines() if "TRIGGER" in line or "BEGIN" in line))
    conn.close()
    with DecisionLog.open(path) as log:
        return log.verify(**kw)


# ------------------------------------------------------------------ recording and verification

def test_record_then_verify(log3):
    report = verify(log3)
    assert report.ok and report.records == 3
    with DecisionLog.open(log3) as log:
        recs = list(log.records())
    assert [r["id"] for r in recs] == [1, 2, 3]
    assert recs[0]["prev_hash"] == GENESIS
    assert [r["prev_hash"] for r in recs[1:]] == [r["hash"] for r in recs[:-1]]
    assert report.head == recs[-1]["hash"]
    # the stored result is the canonical JSON the engine gives for the stored case
    case = small_case(2, RENTS[1])
    assert recs[1]["result_json"] == canonical_json(judge(case))
    assert recs[1]["engine_version"] == __version__ and recs[1]["lang"] == "en"
    res = run("audit", "verify", "--log", log3)
    assert res.exit_code == 0 and "ok: 3 record(s)" in res.stdout and res.stderr == ""
    assert "verify: 3/3" in run("audit", "verify", "--log", log3, "--progress").stderr


def test_rule_files_are_stored_once(log3):
    with sqlite3.connect(log3) as conn:
        blobs = conn.execute("SELECT COUNT(*) FROM blobs").fetchone()[0]
    assert blobs == len(set(rulebook().files.values()))


def test_log_is_append_only(log3):
    conn = sqlite3.connect(log3)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE records SET lang = 'nl' WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM blobs")


def test_flipped_byte_in_result_is_named(log3):
    conn = raw(log3)
    text = conn.execute("SELECT result_json FROM records WHERE id = 2").fetchone()[0]
    data = bytearray(text.encode())
    pos = text.index('"verdict"') + 12
    data[pos] ^= 0x01
    conn.execute("UPDATE records SET result_json = ? WHERE id = 2", (data.decode(),))
    conn.close()
    report = verify(log3)
    assert not report.ok
    assert {(f.record_id, f.position) for f in report.findings} == {(2, 2)}
    assert any("edited" in f.message for f in report.findings)
    res = run("audit", "verify", "--log", log3)
    assert res.exit_code == 1 and "record 2, position 2" in res.stdout


def test_deleted_record_is_named(log3):
    raw(log3).execute("DELETE FROM records WHERE id = 2")
    report = verify(log3)
    assert not report.ok
    assert [(f.record_id, f.position) for f in report.findings if f.record_id] == [(3, 2), (3, 2)]
    messages = " ".join(f.message for f in report.findings)
    assert "missing" in messages and "chain broken" in messages


def test_deleted_last_record_needs_the_head(log3):
    head = verify(log3).head
    raw(log3).execute("DELETE FROM records WHERE id = 3")
    report = verify(log3)
    assert not report.ok and "deleted from the end" in str(report.findings[0])
    # a forger who also rewinds the head marker is caught by the head noted earlier
    with DecisionLog.open(log3) as log:
        prev = log.get(2)["hash"]
    conn = raw(log3)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (prev,))
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'count'")
    conn.close()
    assert verify(log3).ok
    assert not verify(log3, expect_head=head).ok
    assert run("audit", "verify", "--log", log3, "--expect-head", head).exit_code == 1


def test_swapped_records_are_named(log3):
    conn = raw(log3)
    cols = [r[1] for r in conn.execute("PRAGMA table_info(records)") if r[1] != "id"]
    two = conn.execute(f"SELECT {', '.join(cols)} FROM records WHERE id = 2").fetchone()
    three = conn.execute(f"SELECT {', '.join(cols)} FROM records WHERE id = 3").fetchone()
    conn.execute("ALTER TABLE records RENAME TO old")
    conn.execute("CREATE TABLE records AS SELECT * FROM old WHERE 0")
    conn.execute("INSERT INTO records SELECT * FROM old WHERE id = 1")
    sets = ", ".join("?" for _ in cols)
    conn.execute(f"INSERT INTO records (id, {', '.join(cols)}) VALUES (2, {sets})", three)
    conn.execute(f"INSERT INTO records (id, {', '.join(cols)}) VALUES (3, {sets})", two)
    conn.execute("DROP TABLE old")
    conn.close()
    report = verify(log3)
    assert {f.record_id for f in report.findings if f.record_id} == {2, 3}
    assert {(f.record_id, f.position) for f in report.findings if f.position} == {(2, 2), (3, 3)}


def test_inserted_record_is_named(log3):
    """A forged record with a valid hash of its own, slipped in at position 2 (later ids shifted)."""
    conn = raw(log3)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE records SET id = id + 100 WHERE id >= 2")
    conn.execute("UPDATE records SET id = id - 99 WHERE id >= 100")
    row = dict(zip([d[1] for d in conn.execute("PRAGMA table_info(records)")],
                   conn.execute("SELECT * FROM records WHERE id = 3").fetchone()))
    first = conn.execute("SELECT hash FROM records WHERE id = 1").fetchone()[0]
    forged = {**row, "id": 2, "prev_hash": first, "timestamp": "2020-01-01T00:00:00.000000Z"}
    forged["hash"] = record_hash(forged)
    conn.execute(f"INSERT INTO records ({', '.join(forged)}) VALUES ({', '.join('?' * len(forged))})",
                 tuple(forged.values()))
    conn.close()
    report = verify(log3)
    bad = {f.record_id for f in report.findings if f.record_id}
    assert 2 not in bad and 3 in bad  # the forged one is self-consistent; its successor exposes it
    assert any(f.record_id == 3 and "chain broken" in f.message for f in report.findings)


def test_corrupted_rule_file_is_named(log3):
    conn = raw(log3)
    digest, data = conn.execute("SELECT sha256, data FROM blobs ORDER BY sha256 LIMIT 1").fetchone()
    conn.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (bytes(data) + b"\n# edited\n", digest))
    conn.close()
    report = verify(log3)
    assert {f.record_id for f in report.findings} == {1, 2, 3}
    assert all("corrupted" in f.message for f in report.findings)


def test_not_a_log_and_missing_log_exit_2(tmp_path):
    res = run("audit", "list", "--log", tmp_path / "nope.sqlite")
    assert res.exit_code == 2 and "nope.sqlite" in res.output
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    res = run("check", KANALENEILAND, "--record", "--log", other)
    assert res.exit_code == 2 and "geen beslissingenlog" in res.output  # check says problems in Dutch by default
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["accounts"]
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not sqlite at all, just text " * 100)
    res = run("audit", "verify", "--log", junk)
    assert res.exit_code == 2 and "not a decision log" in res.output


# ------------------------------------------------------------------ replay

def test_replay_untouched_log_is_identical(log3):
    res = run("audit", "replay", "--all", "--log", log3)
    assert res.exit_code == 0, res.output
    assert "3 identical" in res.stdout
    single = run("audit", "replay", "2", "--log", log3)
    assert single.exit_code == 0 and "identical" in single.stdout


def test_replay_uses_the_stored_rulebook_not_todays(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    from woningwet_engine.rulebook import load_rulebook

    book = load_rulebook(rules)
    case = small_case(7, "650.00")
    log = tmp_path / "log.sqlite"
    from woningwet_engine.engine import judge as engine_judge

    record_decision(case, engine_judge(case, book, lang="nl"), book, log)
    shutil.rmtree(rules)  # the rules used are gone from disk
    res = run("audit", "replay", "1", "--log", log)
    assert res.exit_code == 0 and "identical" in res.stdout


def test_replay_finds_consistent_forgery(log3):
    """A forger who edits a result and recomputes the hashes passes verify, but not replay."""
    conn = raw(log3)
    cols = [d[1] for d in conn.execute("PRAGMA table_info(records)")]
    rec = dict(zip(cols, conn.execute("SELECT * FROM records WHERE id = 3").fetchone()))
    result = json.loads(rec["result_json"])
    old = result["components"][0]["verdict"]
    result["components"][0]["verdict"] = "forbidden" if old != "forbidden" else "daeb"
    rec["result_json"] = canonical_json(result)
    rec["hash"] = record_hash(rec)
    conn.execute("UPDATE records SET result_json = ?, hash = ? WHERE id = 3", (rec["result_json"], rec["hash"]))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (rec["hash"],))
    conn.close()
    assert verify(log3).ok
    res = run("audit", "replay", "--all", "--log", log3, "--lang", "en")
    assert res.exit_code == 1
    assert "record 3: different verdicts: component C3 (verdict" in res.stdout
    assert "($.components[0].verdict)" in res.stdout


def test_replay_reports_other_engine_version(tmp_path):
    case = small_case(1, "500.00")
    result = judge(case)
    result.provenance.engine_version = "0.0.9"
    log = tmp_path / "log.sqlite"
    record_decision(case, result, rulebook(), log)
    with DecisionLog.open(log) as dlog:
        rec = dlog.get(1)
        assert rec["engine_version"] == "0.0.9"
        outcome = replay_record(rec, RulebookCache(dlog))
    assert outcome.status == "version_only" and outcome.ok
    assert f"made by engine 0.0.9, replayed with engine {__version__}" in " ".join(outcome.lines("en"))
    assert f"gemaakt met engine 0.0.9, opnieuw beoordeeld met engine {__version__}" in outcome.lines("nl")[0]
    res = run("audit", "replay", "--all", "--log", log)
    assert res.exit_code == 0 and "0.0.9" in res.stdout


def test_replay_progress_on_request(log3):
    res = run("audit", "replay", "--all", "--log", log3, "--progress")
    assert "replay: 3/3" in res.stderr
    quiet = run("audit", "replay", "--all", "--log", log3)
    assert quiet.stderr == ""  # not a terminal, not asked


def test_replay_needs_an_id_or_all(log3):
    assert run("audit", "replay", "--log", log3).exit_code == 2
    assert run("audit", "replay", "99", "--log", log3).exit_code == 2


def test_difference_paths():
    from woningwet_engine.audit.levels import ABSENT, differences

    def found(a, b):
        return [(d.json_path, d.recorded, d.replayed) for d in differences(a, b)]

    assert found({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == [("$.a[1].b", 2, 3)]
    assert found({"a": 1}, {"a": 1}) == []
    assert found({"a": [1]}, {"a": [1, 2]}) == [("$.a[1]", ABSENT, 2)]
    assert found({"a": 1}, {"a": 1, "z": 0}) == [("$.z", ABSENT, 0)]
    assert found({"a": 1}, {"a": "1"}) == [("$.a", 1, "1")]
    assert found({"a": 1, "b": [True]}, {"a": 2, "b": [1]}) == [("$.a", 1, 2), ("$.b[0]", True, 1)]


# ------------------------------------------------------------------ check --record, list, show

def test_check_record_writes_one_record_per_case(tmp_path):
    log = tmp_path / "sub" / "decisions.sqlite"
    plain = run("check", KANALENEILAND, "--format", "json")
    res = run("check", KANALENEILAND, "--format", "json", "--record", "--log", log)
    assert res.exit_code == plain.exit_code
    assert res.stdout == plain.stdout  # recording does not change the output
    assert "beslissing 1 vastgelegd" in res.stderr
    with DecisionLog.open(log) as dlog:
        rec = dlog.get(1)
    assert rec["result_json"] == plain.stdout and rec["origin"] == "check"
    listing = run("audit", "list", "--log", log)
    assert listing.exit_code == 0 and listing.stdout.startswith("1  ")
    shown = run("audit", "show", "1", "--log", log, "--format", "json")
    assert json.loads(shown.stdout)["result"] == json.loads(plain.stdout)
    text = run("audit", "show", "1", "--log", log)
    assert "K11" in text.stdout and rec["hash"] in text.stdout


def test_report_record(tmp_path):
    log, memo = tmp_path / "log.sqlite", tmp_path / "memo.md"
    res = run("report", KANALENEILAND, "--lang", "en", "-o", memo, "--record", "--log", log)
    assert res.exit_code == 0, res.output
    assert memo.exists() and "recorded decision 1" in res.stderr  # judged in English
    with DecisionLog.open(log) as dlog:
        rec = dlog.get(1)
    assert rec["origin"] == "report" and rec["lang"] == "en"
    assert rec["result_json"] == run("check", KANALENEILAND, "--lang", "en", "--format", "json").stdout
    assert run("audit", "replay", "1", "--log", log).exit_code == 0


def test_judge_options_are_recorded_and_replayed(tmp_path):
    log = tmp_path / "log.sqlite"
    res = run("check", KANALENEILAND, "--start", "2017-03-01", "--keep-by", "units", "--record", "--log", log)
    assert "beslissing 1 vastgelegd" in res.stderr
    shown = json.loads(run("audit", "show", "1", "--log", log, "--format", "json").stdout)
    assert shown["options"] == {"keep_by": "units", "start": "2017-03-01"}
    assert run("audit", "replay", "1", "--log", log).exit_code == 0
    # the options shape the result: the same decision recorded without them does not replay
    import datetime as dt

    case = load_case(KANALENEILAND)
    from woningwet_engine.engine import judge as engine_judge

    result = engine_judge(case, rulebook(), lang="nl", start=dt.date(2017, 3, 1))
    record_decision(case, result, rulebook(), log)
    out = run("audit", "replay", "2", "--log", log)
    assert out.exit_code == 1 and "different verdicts: route step" in out.stdout and "($.route[" in out.stdout


def test_default_log_location(tmp_path, monkeypatch):
    monkeypatch.setenv("WONINGWET_LOG", str(tmp_path / "env.sqlite"))
    assert default_log_path() == tmp_path / "env.sqlite"
    monkeypatch.delenv("WONINGWET_LOG")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_log_path() == tmp_path / "xdg" / "woningwet" / "decisions.sqlite"
    case = small_case(1, "500.00")
    record_decision(case, judge(case), rulebook())
    assert (tmp_path / "xdg" / "woningwet" / "decisions.sqlite").exists()
    assert run("audit", "verify").exit_code == 0


# ------------------------------------------------------------------ diff under later law

def test_kanaleneiland_recorded_2016_diffed_at_2022(tmp_path):
    log = tmp_path / "log.sqlite"
    res = run("check", KANALENEILAND, "--at", "2016-06-01", "--record", "--log", log, "--lang", "en")
    assert "recorded decision 1" in res.stderr  # judged in English
    diff = run("audit", "diff", "1", "--at", "2022-06-01", "--log", log, "--format", "json")
    assert diff.exit_code == 1, diff.output
    data = json.loads(diff.stdout)
    assert data["record"]["id"] == 1
    assert data["from"]["date"] == "2016-06-01" and data["to"]["date"] == "2022-06-01"
    comps = {c["id"]: c["changes"] for c in data["components"]}
    for cid in ("K4", "K5"):
        gone = {ch["condition"]: ch for ch in comps[cid] if ch["field"] == "condition" and ch["to"] == "absent"}
        assert any(c.startswith("markttoets-") for c in gone)
        for name, ch in gone.items():
            if name.startswith("markttoets-"):
                assert any(c["rule"].startswith("MT-") and not c["in_force_to"] for c in ch["because"])
    k11 = {ch["field"]: ch for ch in comps["K11"]}
    assert k11["verdict"]["from"] == "forbidden" and k11["verdict"]["to"] != "forbidden"
    assert "LFB-03.ontmoeting" in {c["rule"] for c in k11["verdict"]["because"]}
    cap = [p for p in data["plan"] if p["check"] == "PLAN-LFB-CAP"]
    assert cap and cap[0]["to"] == "absent" and cap[0]["because"][0]["rule"] == "LFB-02"
    assert "LFB-03.ontmoeting" in data["regime"]["rules_only_from"]
    text = run("audit", "diff", "1", "--at", "2022-06-01", "--log", log)
    assert text.stdout.startswith("decision 1 (kanaleneiland-2016, judged on 2016-06-01, recorded ")
    gone = rulebook().rule("LFB-03.ontmoeting").rule.title.en  # the headline names the rule by title
    assert "K11" in text.stdout and f"‘{gone}’" in text.stdout and "PLAN-" not in text.stdout
    # the plan check by its rule's title, statuses as words
    cap_title = rulebook().rule("LFB-02").rule.title.en
    assert f"  {cap_title} (the plan): passes → not applicable (because of ‘{cap_title}’)" in text.stdout
    same = run("audit", "diff", "1", "--at", "2016-06-01", "--log", log)
    assert same.exit_code == 0, same.output


def test_diff_against_edited_rules_names_changed_files(tmp_path):
    from woningwet_engine.engine import judge as engine_judge
    from woningwet_engine.rulebook import load_rulebook

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    book = load_rulebook(rules)
    case = small_case(1, "600.00")
    log = tmp_path / "log.sqlite"
    record_decision(case, engine_judge(case, book), book, log)
    param = rules / "parameters" / "liberalisatiegrens.yaml"
    param.write_text(param.read_text() + "\n# a comment changes the file, not the law\n")
    res = run("audit", "diff", "1", "--at", "2020-03-01", "--log", log, "--rules", rules, "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["regime"]["files_changed"] == ["parameters/liberalisatiegrens.yaml"]
    assert not data["summary"]["changed"]


# ------------------------------------------------------------------ export / import

def test_export_import_round_trip(log3, tmp_path):
    bundle = tmp_path / "bundle.jsonl"
    res = run("audit", "export", "--log", log3, "-o", bundle)
    assert res.exit_code == 0, res.output
    target = tmp_path / "auditor.sqlite"
    imp = run("audit", "import", bundle, "--log", target)
    assert imp.exit_code == 0 and "imported 3 record(s)" in imp.stdout
    with DecisionLog.open(log3) as a, DecisionLog.open(target) as b:
        assert list(a.records()) == list(b.records())
    assert verify(target).ok
    assert run("audit", "replay", "--all", "--log", target).exit_code == 0
    again = run("audit", "import", bundle, "--log", target)
    assert again.exit_code == 0 and "imported 0 record(s) (3 already present)" in again.stdout


def test_successive_exports_import_incrementally(tmp_path):
    source, target = tmp_path / "source.sqlite", tmp_path / "auditor.sqlite"
    for i in range(2):
        case = small_case(i, f"{600 + i}.00")
        record_decision(case, judge(case), rulebook(), source)
    assert run("audit", "export", "--log", source, "-o", tmp_path / "b1.jsonl").exit_code == 0
    assert "imported 2 record(s)" in run("audit", "import", tmp_path / "b1.jsonl", "--log", target).stdout
    case = small_case(3, "650.00")
    record_decision(case, judge(case), rulebook(), source)
    assert run("audit", "export", "--log", source, "-o", tmp_path / "b2.jsonl").exit_code == 0
    res = run("audit", "import", tmp_path / "b2.jsonl", "--log", target)
    assert res.exit_code == 0 and "imported 1 record(s) (2 already present)" in res.stdout
    assert verify(target).ok and verify(target).head == verify(source).head
    # rule files are stored once, in the export and in the import
    b2 = (tmp_path / "b2.jsonl").read_text().splitlines()
    assert sum('"type": "blob"' in line for line in b2) == len(set(rulebook().files.values()))


def test_import_continues_a_prefix_only(log3, tmp_path, pristine):
    bundle = tmp_path / "bundle.jsonl"
    run("audit", "export", "--log", log3, "-o", bundle)
    other = tmp_path / "other.sqlite"
    case = small_case(9, "555.00")
    record_decision(case, judge(case), rulebook(), other)
    res = run("audit", "import", bundle, "--log", other)
    assert res.exit_code == 2 and "diverged" in res.output
    with DecisionLog.open(other) as dlog:
        assert dlog.count() == 1


def _bundle_lines(log3, tmp_path) -> list[str]:
    bundle = tmp_path / "bundle.jsonl"
    assert run("audit", "export", "--log", log3, "-o", bundle).exit_code == 0
    return bundle.read_text().splitlines()


def _tamper_result(lines):
    i = max(i for i, l in enumerate(lines) if '"type": "record"' in l)
    rec = json.loads(lines[i])
    rec["result_json"] = rec["result_json"].replace('"compliant": true', '"compliant": false', 1) \
        if '"compliant": true' in rec["result_json"] else rec["result_json"].replace('"compliant": false', '"compliant": true', 1)
    lines[i] = json.dumps(rec)
    return lines


def _drop_middle_record(lines):
    idx = [i for i, l in enumerate(lines) if '"type": "record"' in l]
    del lines[idx[1]]
    return lines


def _swap_records(lines):
    idx = [i for i, l in enumerate(lines) if '"type": "record"' in l]
    lines[idx[1]], lines[idx[2]] = lines[idx[2]], lines[idx[1]]
    return lines


def _tamper_blob(lines):
    i = next(i for i, l in enumerate(lines) if '"type": "blob"' in l)
    item = json.loads(lines[i])
    import base64

    item["data"] = base64.b64encode(base64.b64decode(item["data"]) + b"#").decode()
    lines[i] = json.dumps(item)
    return lines


def _drop_last_record(lines):
    idx = [i for i, l in enumerate(lines) if '"type": "record"' in l]
    del lines[idx[-1]]
    return lines


@pytest.mark.parametrize("tamper", [_tamper_result, _drop_middle_record, _swap_records, _tamper_blob,
                                    _drop_last_record])
def test_import_refuses_tampered_bundle(log3, tmp_path, tamper):
    lines = tamper(_bundle_lines(log3, tmp_path))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    target = tmp_path / "auditor.sqlite"
    res = run("audit", "import", bad, "--log", target)
    assert res.exit_code == 2, res.output
    assert "bad.jsonl" in res.output
    assert not target.exists()  # nothing written


def test_export_refuses_a_tampered_log(log3, tmp_path):
    raw(log3).execute("DELETE FROM records WHERE id = 2")
    out = tmp_path / "bundle.jsonl"
    res = run("audit", "export", "--log", log3, "-o", out)
    assert res.exit_code == 1 and not out.exists()


# ------------------------------------------------------------------ benchmark smoke run

def test_bench_replay_smoke(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_replay", ROOT / "benchmarks" / "bench_replay.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    stats = bench.main(["--records", "20", "--log", str(tmp_path / "bench.sqlite"), "--keep"])
    assert stats["log_records"] == 20 and stats["verify_ok"]
    assert stats["replay_outcomes"] == {"identical": 20}
    assert stats["replay_s"] > 0 and stats["peak_rss_mb"] > 0
    assert "replay_per_record_ms" in capsys.readouterr().out


def test_concurrent_writers_keep_one_chain(tmp_path):
    import threading

    log = tmp_path / "log.sqlite"
    items = []
    for i in range(8):
        case = small_case(i, f"{500 + i}.00")
        items.append((case, judge(case)))
    record_decision(*items[0], rulebook(), log)
    errors = []

    def writer(chunk):
        try:
            for case, result in chunk:
                record_decision(case, result, rulebook(), log)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(items[1 + k::2],)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = verify(log)
    assert report.ok and report.records == 8

"""Replay levels (identical / same verdicts in other words / different verdicts) and the audit
commands in words: Dutch by default, English with --lang en, exit codes and JSON as before."""

from __future__ import annotations

import copy
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine.audit import DecisionLog, record_decision
from woningwet_engine.audit import replay
from woningwet_engine.audit.chain import GENESIS
from woningwet_engine.audit.levels import (
    HASH_PATHS, IDENTICAL, LINK_KEYS, TEXT_KEYS, VERDICTS, WORDING, differences, level,
)
from woningwet_engine.audit.log import SCHEMA, record_hash
from woningwet_engine.cli import main
from woningwet_engine.result import canonical_json

ROOT = Path(__file__).resolve().parents[1]
RESULT = json.loads((ROOT / "reports" / "kanaleneiland-2016.json").read_text(encoding="utf-8"))
CODE = re.compile(r"\b(?:replay|audit_log)\.[a-z_]+|\bfinding_[a-z_]+|\{[a-z_]+\}")  # a catalogue key or field


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# ------------------------------------------------------------------ levels on a real result

def leaves(data, path=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaves(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaves(v, path + (i,))
    else:
        yield path, data


def wording_leaf(path, value) -> bool:
    keys = [p for p in path if isinstance(p, str)]
    return isinstance(value, str) and (keys[-1] in TEXT_KEYS | LINK_KEYS or tuple(keys) in HASH_PATHS)


STRINGS = [(p, v) for p, v in leaves(RESULT) if isinstance(v, str)]
WORDING_LEAVES = [p for p, v in STRINGS if wording_leaf(p, v)]
DECISION_LEAVES = [p for p, v in leaves(RESULT) if not wording_leaf(p, v)]


def changed(data, paths):
    out = copy.deepcopy(data)
    for path in paths:
        node = out
        for p in path[:-1]:
            node = node[p]
        old = node[path[-1]]
        node[path[-1]] = old + " (anders)" if isinstance(old, str) else (not old if isinstance(old, bool) else [old])
    return out


def test_each_kind_of_difference_on_kanaleneiland():
    comp = RESULT["components"][0]
    assert level(differences(RESULT, copy.deepcopy(RESULT))) == IDENTICAL
    cases = {
        ("components", 0, "reasons", 0, "text"): ("text", WORDING),
        ("components", 0, "reasons", 0, "citation", "url"): ("link", WORDING),
        ("components", 0, "reasons", 0, "citation", "juriconnect"): ("link", WORDING),
        ("provenance", "case_sha256"): ("hash", WORDING),
        ("regime", "selection"): ("hash", WORDING),
        ("components", 0, "verdict"): ("decision", VERDICTS),
        ("components", 0, "compliant"): ("decision", VERDICTS),
        ("components", 0, "reasons", 0, "citation", "article"): ("decision", VERDICTS),
        ("summary", "compliant"): ("decision", VERDICTS),
        ("provenance", "date"): ("decision", VERDICTS),
    }
    for path, (kind, want) in cases.items():
        found = differences(RESULT, changed(RESULT, [path]))
        assert [(d.path, d.kind) for d in found] == [(path, kind)], path
        assert level(found) == want, path
    fewer = copy.deepcopy(RESULT)
    del fewer["components"][0]["reasons"][0]
    assert level(differences(RESULT, fewer)) == VERDICTS  # a ground gone is not a matter of wording
    extra = copy.deepcopy(RESULT)
    extra["components"][0]["new_field"] = "x"
    found = differences(RESULT, extra)
    assert [(d.json_path, d.kind) for d in found] == [("$.components[0].new_field", "decision")]
    assert comp["id"] == "K1"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDING_LEAVES), max_size=6, unique=True),
       st.lists(st.sampled_from(DECISION_LEAVES), max_size=3, unique=True))
def test_wording_alone_never_differs_in_verdicts(words, decisions):
    """Any mix of changed texts, links and hashes is `wording`; one changed decision field makes it
    `verdicts`; nothing changed is `identical`. Every change is found, at its own path."""
    found = differences(RESULT, changed(RESULT, words + decisions))
    assert sorted(d.path for d in found) == sorted(words + decisions)
    assert level(found) == (VERDICTS if decisions else WORDING if words else IDENTICAL)


# ------------------------------------------------------------------ replay through the CLI

@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("words") / "log.sqlite"
    for i, rent in enumerate(("450.00", "700.00", "900.00"), 1):
        case = make_case("2020-03-01", [component(id=f"C{i}", dwelling={"rent": rent})], case_id=f"words-{i}")
        record_decision(case, judge(case), rulebook(), path, source=f"words {i}")
    return path


@pytest.fixture
def log(pristine, tmp_path) -> Path:
    path = tmp_path / "log.sqlite"
    shutil.copy(pristine, path)
    return path


def forge(path: Path, record_id: int, edit) -> None:
    """Edit one stored result and recompute every hash after it, as a forger (or an older engine)
    would leave a log that verifies: only replay can tell."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for trig in ("records_no_update", "records_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trig}")
    prev = GENESIS
    for rec in [dict(r) for r in conn.execute("SELECT * FROM records ORDER BY id")]:
        if rec["id"] == record_id:
            data = json.loads(rec["result_json"])
            edit(data)
            rec["result_json"] = canonical_json(data)
        rec["prev_hash"] = prev
        rec["hash"] = prev = record_hash(rec)
        conn.execute("UPDATE records SET result_json = ?, prev_hash = ?, hash = ? WHERE id = ?",
                     (rec["result_json"], rec["prev_hash"], rec["hash"], rec["id"]))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (prev,))
    conn.executescript("\n".join(line for line in SCHEMA.splitlines() if "TRIGGER" in line or "BEGIN" in line))
    conn.close()


def reword(data):  # what an engine with other words and links writes
    data["components"][0]["reasons"][0]["text"] += " (oude formulering)"
    data["components"][0]["reasons"][0]["citation"]["url"] += "&oud"


def overturn(data):
    data["components"][0]["verdict"] = "forbidden"
    data["components"][0]["compliant"] = False


def test_replay_levels_in_dutch_by_default_with_exit_codes(log):
    forge(log, 1, reword)
    forge(log, 2, overturn)
    assert run("audit", "verify", "--log", log).exit_code == 0  # the chain is consistent again

    res = run("audit", "replay", "1", "--log", log)
    assert res.exit_code == 3, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "beslissing 1: zelfde oordelen, andere tekst: 1 tekst(en), 1 link(s)"
    assert lines[1:] == ["  teksten: onderdeel C1 (reasons.text)", "  links: onderdeel C1 (reasons.citation.url)"]

    res = run("audit", "replay", "2", "--log", log)
    assert res.exit_code == 1, res.output
    assert res.stdout.startswith("beslissing 2: andere oordelen: onderdeel C2 (oordeel, conform)\n")
    assert "  onderdeel C2, oordeel: vastgelegd verboden, nu DAEB ($.components[0].verdict)" in res.stdout
    assert "  onderdeel C2, conform: vastgelegd nee, nu ja ($.components[0].compliant)" in res.stdout

    res = run("audit", "replay", "3", "--log", log)
    assert (res.exit_code, res.stdout) == (0, "beslissing 3: identiek\n")

    res = run("audit", "replay", "--all", "--log", log)
    assert res.exit_code == 1, res.output  # the worst outcome decides
    assert res.stdout.splitlines()[-1] == (
        "3 beslissing(en) opnieuw beoordeeld: 1 identiek, 0 identiek op de versie van de engine na, 1 met dezelfde "
        "oordelen maar andere tekst, 1 met andere oordelen, 0 niet opnieuw te beoordelen")
    assert "beslissing 3" not in res.stdout  # identical records are only counted
    for out in (res.stdout, run("audit", "replay", "--all", "--log", log, "--lang", "en").stdout):
        assert not CODE.search(out), out


def test_replay_levels_in_english_and_wording_only_exit_3(log):
    forge(log, 1, reword)
    res = run("audit", "replay", "1", "--log", log, "--lang", "en")
    assert res.exit_code == 3
    assert res.stdout.splitlines() == ["record 1: same verdicts, different text: 1 text(s), 1 link(s)",
                                       "  texts: component C1 (reasons.text)",
                                       "  links: component C1 (reasons.citation.url)"]
    res = run("audit", "replay", "--all", "--log", log, "--lang", "en")
    assert res.exit_code == 3, res.output  # nothing decided differs: not the exit code of a difference in verdicts
    assert res.stdout.splitlines()[-1].endswith(
        "1 with the same verdicts but different text, 0 with different verdicts, 0 could not be replayed")
    forge(log, 2, overturn)
    res = run("audit", "replay", "2", "--log", log, "--lang", "en")
    assert res.exit_code == 1
    assert "record 2: different verdicts: component C2 (verdict, compliant)" in res.stdout
    assert "component C2, verdict: recorded forbidden, now DAEB ($.components[0].verdict)" in res.stdout


def test_levels_come_back_from_the_worker_processes(log, monkeypatch):
    """Outcomes are pickled back from the pool: levels and the missing side of a difference survive."""
    forge(log, 1, reword)
    forge(log, 3, lambda data: data["components"][0]["reasons"].pop())
    monkeypatch.setattr(replay, "MIN_PARALLEL", 2)
    monkeypatch.setattr(replay, "BATCH", 1)
    with DecisionLog.open(log) as dlog:
        parallel = replay.replay_all(dlog, jobs=2)
        single = replay.replay_all(dlog, jobs=1)
    assert [o.status for o in parallel] == [o.status for o in single] == ["wording", "identical", "verdicts"]
    assert [o.lines("en") for o in parallel] == [o.lines("en") for o in single]
    gone = parallel[2].differences[0]
    assert gone.kind == "decision" and gone.json_path.startswith("$.components[0].reasons[")
    assert "recorded (absent), now {" in parallel[2].lines("en")[1]


def test_a_record_that_cannot_be_replayed_is_named_in_words(log):
    conn = sqlite3.connect(log, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS records_no_update")
    conn.execute("UPDATE records SET source = 'changed' WHERE id = 2")  # its hash no longer matches
    conn.close()
    res = run("audit", "replay", "2", "--log", log)
    assert res.exit_code == 1
    assert res.stdout.startswith("beslissing 2: niet opnieuw te beoordelen: de opgeslagen hash van de beslissing "
                                 "klopt niet met haar velden")
    en = run("audit", "replay", "2", "--log", log, "--lang", "en")
    assert "record 2: could not be replayed: the record's stored hash does not match its fields" in en.stdout
    bad = run("audit", "replay", "--log", log)
    assert bad.exit_code == 2 and "geef één beslissingsnummer of --all" in bad.output


# ------------------------------------------------------------------ verify, export, import, anchor, keygen

def test_verify_and_its_findings_in_dutch_by_default(log):
    res = run("audit", "verify", "--log", log)
    assert res.exit_code == 0 and res.stdout.startswith("in orde: 3 beslissing(en), keten intact; kop ")
    conn = sqlite3.connect(log, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET case_id = 'x' WHERE id = 2")
    conn.close()
    res = run("audit", "verify", "--log", log)
    assert res.exit_code == 1
    assert ("GEMANIPULEERD beslissing 2, positie 2: inhoud gewijzigd: de opgeslagen hash klopt niet met de velden "
            "van de beslissing") in res.stdout
    assert "GEMANIPULEERD logboek: de trigger records_no_update, die wijzigen en verwijderen tegenhoudt, is " \
           "verwijderd" in res.stdout
    assert res.stdout.splitlines()[-1].startswith("NIET IN ORDE: 2 probleem/problemen in 3 beslissing(en); kop ")
    en = run("audit", "verify", "--log", log, "--lang", "en")
    assert en.exit_code == 1 and "TAMPERED record 2, position 2: content edited" in en.stdout
    assert en.stdout.splitlines()[-1].startswith("FAILED: 2 problem(s) in 3 record(s); head ")
    for out in (res.stdout, en.stdout):
        assert not CODE.search(out), out
    refused = run("audit", "export", "--log", log, "-o", log.with_suffix(".jsonl"))
    assert refused.exit_code == 1 and "fout: het logboek klopt niet; niet geëxporteerd" in refused.output
    assert not log.with_suffix(".jsonl").exists()


def test_export_import_anchor_keygen_in_words(log, tmp_path):
    bundle = tmp_path / "b.jsonl"
    res = run("audit", "export", "--log", log, "-o", bundle)
    assert res.exit_code == 0 and res.stdout.startswith(f"3 beslissing(en) geëxporteerd naar {bundle}; kop ")
    res = run("audit", "import", bundle, "--log", tmp_path / "copy.sqlite")
    assert res.exit_code == 0 and res.stdout.startswith("3 beslissing(en) geïmporteerd (0 waren er al); kop ")
    res = run("audit", "import", bundle, "--log", tmp_path / "copy.sqlite", "--lang", "en")
    assert res.exit_code == 0 and res.stdout.startswith("imported 0 record(s) (3 already present); head ")
    res = run("audit", "keygen", "--private-key", tmp_path / "k.pem")
    assert res.exit_code == 0 and "(privésleutel, houd die geheim)" in res.stdout
    res = run("audit", "anchor", "--log", log, "--sign-key", tmp_path / "k.pem", "-o", tmp_path / "r.json")
    assert res.exit_code == 0 and res.stdout.startswith("3 beslissing(en) verankerd, kop ")
    res = run("audit", "verify", "--log", log, "--receipt", tmp_path / "r.json",
              "--public-key", tmp_path / "k.pem.pub")
    assert res.exit_code == 1  # an unsigned log and a key: every record must be signed
    assert "niet ondertekend: met --public-key moet elke beslissing de handtekening van de sleutel dragen" in res.stdout
    res = run("audit", "verify", "--log", log, "--receipt", tmp_path / "r.json")
    assert res.exit_code == 0
    assert "in orde: sluit aan op het ontvangstbewijs van " in res.stdout and "niet gecontroleerd" in res.stdout
    json_out = run("audit", "show", "1", "--log", log, "--format", "json")
    assert json.loads(json_out.stdout)["id"] == 1  # machine-readable output keeps its field names

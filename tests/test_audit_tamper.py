"""Tamper suite (issue #17): each way of rewriting a signed decision log is detected by
`audit verify --public-key` (or `--receipt`) and named; `verify` never crashes on a damaged file.
docs/audit.md lists which of these cannot be detected without the key or a receipt."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulehelpers import component, judge, make_case, rulebook
from woningwet_engine.audit import DecisionLog, record_decision
from woningwet_engine.audit.log import GENESIS, record_hash
from woningwet_engine.audit.signing import generate, load_signing_key
from woningwet_engine.cli import main

from clirun import in_english  # these tests read the English wording; test_audit_words.py the Dutch

TRIGGERS = ("records_no_update", "records_no_delete", "blobs_no_update", "blobs_no_delete")


def run(*args):
    return CliRunner().invoke(main, in_english(args))


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    res = run("audit", "keygen", "--private-key", d / "auditor.pem")
    assert res.exit_code == 0, res.output
    other_private, _ = generate()
    (d / "mallory.pem").write_bytes(other_private)
    return d / "auditor.pem", d / "auditor.pem.pub", d / "mallory.pem"


@pytest.fixture(scope="module")
def signed(tmp_path_factory, keys):
    """A signed log of three decisions and a receipt anchored after the third."""
    d = tmp_path_factory.mktemp("signed")
    path = d / "log.sqlite"
    signer = load_signing_key(keys[0])
    for i, rent in enumerate(("450.00", "700.00", "900.00"), 1):
        case = make_case("2020-03-01", [component(id=f"C{i}", dwelling={"rent": rent})], case_id=f"tamper-{i}")
        record_decision(case, judge(case), rulebook(), path, source=f"tamper {i}", signer=signer)
    res = run("audit", "anchor", "--log", path, "--sign-key", keys[0], "-o", d / "receipt.json")
    assert res.exit_code == 0, res.output
    return path, d / "receipt.json"


@pytest.fixture
def log(signed, tmp_path):
    path = tmp_path / "log.sqlite"
    shutil.copy(signed[0], path)
    return path


def forger(path: Path) -> sqlite3.Connection:
    """What someone with write access to the file can do: drop the triggers, then rewrite anything."""
    conn = sqlite3.connect(path, isolation_level=None)
    for trig in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {trig}")
    return conn


def rechain(conn: sqlite3.Connection, key_path: Path | None = None, start: int = 1) -> None:
    """Recompute every hash from `start` on (and the head), optionally re-signing with `key_path`:
    a consistent rewrite that only a signature or a receipt can expose."""
    conn.row_factory = sqlite3.Row
    signer = load_signing_key(key_path) if key_path else None
    from woningwet_engine.audit.signing import HEAD_DOMAIN, RECORD_DOMAIN, head_message

    prev = GENESIS
    rows = [dict(r) for r in conn.execute("SELECT * FROM records ORDER BY id")]
    conn.execute("DELETE FROM records")
    for n, rec in enumerate(rows, 1):
        rec["id"], rec["prev_hash"] = n, prev
        rec["hash"] = record_hash(rec)
        if signer:
            rec["signature"] = signer.sign(RECORD_DOMAIN, rec["hash"].encode())
        cols = list(rec)
        conn.execute(f"INSERT INTO records ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                     [rec[c] for c in cols])
        prev = rec["hash"]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (prev,))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'count'", (str(len(rows)),))
    if signer:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'head_signature'",
                     (signer.sign(HEAD_DOMAIN, head_message(len(rows), prev)),))
        conn.execute("UPDATE meta SET value = ? WHERE key = 'public_key'", (signer.public.fingerprint,))


def verify(path, *extra):
    res = run("audit", "verify", "--log", path, *extra)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    return res


def _edit_result(conn):
    rec = conn.execute("SELECT result_json FROM records WHERE id = 2").fetchone()[0]
    data = json.loads(rec)
    data["summary"]["compliant"] = not data["summary"]["compliant"]
    conn.execute("UPDATE records SET result_json = ? WHERE id = 2", (json.dumps(data),))


def _delete_last_fix_head(conn):
    conn.execute("DELETE FROM records WHERE id = 3")
    h = conn.execute("SELECT hash FROM records WHERE id = 2").fetchone()[0]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (h,))
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'count'")


def _wipe(conn):
    conn.execute("DELETE FROM records")
    conn.execute("DELETE FROM blobs")
    conn.execute("DELETE FROM meta WHERE key IN ('head', 'count', 'head_signature', 'public_key')")


def _append_forged(conn):
    row = dict(zip([d[0] for d in conn.execute("SELECT * FROM records WHERE id = 3").description],
                   conn.execute("SELECT * FROM records WHERE id = 3").fetchone()))
    row.update(id=4, prev_hash=row["hash"], source="forged", signature=None)
    row["hash"] = record_hash(row)
    cols = list(row)
    conn.execute(f"INSERT INTO records ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [row[c] for c in cols])
    conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (row["hash"],))
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'count'")


# name -> (tampering, texts the verify output must name, needs: "key" | "receipt")
SQL_TAMPERINGS = {
    "edit_result": (_edit_result, ["record 2", "content edited"], "any"),
    "edit_and_rechain": (lambda c: (_edit_result(c), rechain(c)), ["record 2", "signature invalid"], "key"),
    "rechain_resigned_by_another_key": (lambda c: (_edit_result(c), rechain(c, MALLORY[0])),
                                        ["signature invalid", "not by the given key"], "key"),
    "delete_middle_and_rechain": (lambda c: (c.execute("DELETE FROM records WHERE id = 2"), rechain(c)),
                                  ["signature invalid"], "key"),
    "delete_last_fix_head": (_delete_last_fix_head, ["head signature does not verify"], "key"),
    "delete_last_fix_head_receipt": (_delete_last_fix_head, ["the log holds 2 record(s)", "anchored 3"], "receipt"),
    "wipe": (_wipe, ["holds 0 record(s)", "anchored 3"], "receipt"),
    "wipe_records_keep_meta": (lambda c: (c.execute("DELETE FROM records"), c.execute(
        "UPDATE meta SET value = ? WHERE key = 'head'", (GENESIS,)), c.execute(
        "UPDATE meta SET value = '0' WHERE key = 'count'")), ["holds no records: its records were wiped"], "key"),
    "append_forged": (_append_forged, ["record 4", "not signed"], "key"),
    "strip_signatures": (lambda c: c.execute("UPDATE records SET signature = NULL"), ["not signed"], "key"),
    "blob_in_text_column": (lambda c: c.execute("UPDATE records SET case_json = CAST(case_json AS BLOB) WHERE id = 1"),
                            ["record 1", "field case_json holds binary data"], "any"),
    "provenance_list": (lambda c: c.execute("""UPDATE records SET result_json = '{"provenance": []}' WHERE id = 2"""),
                        ["record 2", "content edited"], "any"),
    "provenance_list_rehashed": (lambda c: (c.execute(
        """UPDATE records SET result_json = '{"provenance": []}' WHERE id = 2"""), rechain(c)),
        ["record 2", "no provenance object"], "any"),
    "invalid_utf8": (lambda c: c.execute("UPDATE records SET source = CAST(X'74616dff' AS TEXT) WHERE id = 3"),
                     ["record 3", "field source is not valid UTF-8"], "any"),
    "drop_blobs_table": (lambda c: c.execute("DROP TABLE blobs"), ["the blobs table was dropped"], "any"),
    "drop_records_table": (lambda c: c.execute("DROP TABLE records"),
                           ["the records table was dropped"], "any"),
    "drop_triggers_only": (lambda c: None, ["append-only trigger records_no_update was removed"], "any"),
    "edit_rule_file_blob": (lambda c: c.execute("UPDATE blobs SET data = X'00' WHERE rowid = 1"),
                            ["corrupted in the blob store"], "any"),
}
MALLORY: list = []


@pytest.mark.parametrize("name", sorted(SQL_TAMPERINGS))
def test_tampering_is_detected_and_named(name, log, keys, signed):
    MALLORY[:] = [keys[2]]
    tamper, texts, needs = SQL_TAMPERINGS[name]
    conn = forger(log)
    tamper(conn)
    conn.close()
    args = ["--public-key", keys[1]] + (["--receipt", signed[1]] if needs in ("receipt", "any") else [])
    res = verify(log, *args)
    assert res.exit_code == 1, res.output
    for text in texts:
        assert text in res.output, (text, res.output)
    assert "TAMPERED" in res.output


def test_consistent_rewrite_passes_without_the_key_but_not_with_it(log, keys):
    """What docs/audit.md says: without the key, a full re-chain cannot be told from the original."""
    conn = forger(log)
    _edit_result(conn)
    rechain(conn)
    conn.execute("CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'x'); END")
    for trig in TRIGGERS[1:]:
        table = trig.split("_no_")[0]
        conn.execute(f"CREATE TRIGGER {trig} BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'x'); END")
    conn.close()
    assert verify(log).exit_code == 0
    assert verify(log, "--public-key", keys[1]).exit_code == 1


def test_appended_garbage_is_detected(log, keys):
    with log.open("ab") as fh:
        fh.write(b"\x00garbage" * 100)
    res = verify(log, "--public-key", keys[1])
    assert res.exit_code == 1 and "800 byte(s) of unknown data appended" in res.output, res.output


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncation_is_detected_as_tampering(log, keys, keep):
    size = log.stat().st_size
    with log.open("r+b") as fh:
        fh.truncate(int(size * keep) // 4096 * 4096 or 4096)
    res = verify(log, "--public-key", keys[1])
    assert res.exit_code == 1 and "the file is truncated" in res.output, res.output


def test_truncated_to_nothing(log, keys, signed):
    log.write_bytes(b"")
    res = verify(log, "--public-key", keys[1], "--receipt", signed[1])
    assert res.exit_code == 1 and "empty" in res.output and "anchored 3" in res.output, res.output


def test_random_bit_flips_never_crash_verify(log, keys, tmp_path):
    """Each flip is reported as a finding (exit 1) or, when it hits the SQLite header, as
    'not a decision log' (exit 2); never a traceback, never an 'ok' for a changed record."""
    original = log.read_bytes()
    rng = random.Random(17)
    changed_content = 0
    for i in range(40):
        data = bytearray(original)
        pos = rng.randrange(len(data))
        data[pos] ^= 1 << rng.randrange(8)
        flipped = tmp_path / f"flip{i}.sqlite"
        flipped.write_bytes(bytes(data))
        res = verify(flipped, "--public-key", keys[1])
        assert res.exit_code in (0, 1, 2), res.output
        if res.exit_code == 0:  # the flip hit unused space (free page, padding): the records are unchanged
            with DecisionLog.open(flipped) as a, DecisionLog.open(log) as b:
                assert list(a.records()) == list(b.records())
        else:
            changed_content += 1
    assert changed_content >= 10


def test_receipt_from_another_key_is_refused(log, keys, signed, tmp_path):
    res = run("audit", "anchor", "--log", log, "--sign-key", keys[2], "-o", tmp_path / "r.json")
    assert res.exit_code == 1 and "not by the given key" in res.output or "signed by key" in res.output, res.output
    data = json.loads(signed[1].read_text())
    data["records"] = 2
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    res = verify(log, "--public-key", keys[1], "--receipt", forged)
    assert res.exit_code == 2 and "the receipt is not signed by the given key" in res.output, res.output


def test_untouched_signed_log_verifies_with_key_and_receipt(log, keys, signed):
    res = verify(log, "--public-key", keys[1], "--receipt", signed[1])
    assert res.exit_code == 0, res.output
    assert "every record and the head signed by key" in res.output and "extends the receipt" in res.output


def test_signed_log_refuses_unsigned_or_foreign_appends(log, keys):
    case = make_case("2020-03-01", [component(id="C9")], case_id="late")
    from woningwet_engine.errors import InputError

    with pytest.raises(InputError, match="give its private key"):
        record_decision(case, judge(case), rulebook(), log)
    with pytest.raises(InputError, match="not by the given key"):
        record_decision(case, judge(case), rulebook(), log, signer=load_signing_key(keys[2]))
    with DecisionLog.open(log) as dlog:
        assert dlog.count() == 3


def test_replay_all_verifies_the_chain_first(log):
    conn = forger(log)
    conn.execute("DELETE FROM records WHERE id = 2")
    conn.close()
    res = run("audit", "replay", "--all", "--log", log)
    assert res.exit_code == 1 and "not replayed: the log does not verify" in res.output, res.output
    assert "record(s) missing" in res.output

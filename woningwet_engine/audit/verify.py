"""`audit verify`: check a decision log file for every kind of damage or tampering, never crashing.

The file is opened read-only and read as raw bytes, so that whatever is in it (invalid UTF-8 from
a flipped bit, a BLOB in a text column, JSON of the wrong shape, a dropped table or trigger,
bytes appended after the database or a cut-off end) becomes a Finding that names the record and
its position, instead of an exception. With the auditor's public key every record and the head
must carry a valid Ed25519 signature; with a receipt from `audit anchor`, the log must still
extend the head it anchored. docs/audit.md says what each check can and cannot detect.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from ..errors import InputError, Problem
from ..yamlio import file_kind, os_reason, read_regular_file
from .chain import (
    CONTEXT, FIELDS, FORMAT, GENESIS, Finding, VerifyReport, case_sha256_of, record_hash, rulebook_sha256_of,
    sha256_hex,
)

SQLITE_MAGIC = b"SQLite format 3\0"
TRIGGERS = ("records_no_update", "records_no_delete", "blobs_no_update", "blobs_no_delete")
RECEIPT_FORMAT = "woningwet-decision-log-receipt"
RECEIPT_LIMIT = 64 * 1024
HEX64 = set("0123456789abcdef")


def _is_hash(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX64


def file_findings(path: Path) -> list[Finding]:
    """The SQLite header against the file's size: a cut-off end or bytes appended after the database."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read the decision log: {os_reason(exc)}")]) from None
    if size == 0:
        return [Finding(None, None, "the log file is empty: wiped or truncated to nothing")]
    if not header.startswith(SQLITE_MAGIC):
        raise InputError([Problem(str(path), "", "not a decision log (not an SQLite database)")])
    if len(header) < 100:
        return [Finding(None, None, f"the file is truncated: {size} bytes, shorter than the database header")]
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    if valid_for != change_counter or not pages:
        return []  # the header's size field is not maintained: nothing to compare
    expected = pages * page_size
    if size < expected:
        return [Finding(None, None, f"the file is truncated: {size} bytes where its header says {expected} "
                        f"({pages} pages); records or tables were cut off")]
    if size > expected:
        return [Finding(None, None, f"{size - expected} byte(s) of unknown data appended after the end of "
                        "the database")]
    return []


def _text(value: object, kind: str) -> tuple[str | None, str | None]:
    """(text, problem) for a column read as bytes with its SQLite type."""
    if kind == "null":
        return None, "is empty (NULL)"
    if kind == "blob":
        return None, "holds binary data (a BLOB) where text belongs"
    if kind != "text":
        return None, f"holds a {kind} where text belongs"
    try:
        return bytes(value).decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"is not valid UTF-8 text (byte {exc.start}; a flipped bit?)"


def _content_problem(rec: dict, blob_ids: set[str], bad_blobs: set[str], manifests: dict) -> str | None:
    """Rule files, case and result of one decoded record against their hashes."""
    key = rec["rulebook_files"]
    if key not in manifests:
        try:
            manifest = json.loads(key)
            if not isinstance(manifest, dict) or not all(
                    isinstance(k, str) and _is_hash(v) for k, v in manifest.items()):
                raise ValueError
        except ValueError:
            manifests[key] = "the rulebook file list is not a JSON object of file hashes"
        else:
            missing = sorted(r for r, d in manifest.items() if d not in blob_ids)
            corrupt = sorted(r for r, d in manifest.items() if d in bad_blobs)
            if missing:
                manifests[key] = f"rule file(s) missing from the blob store: {', '.join(missing)}"
            elif corrupt:
                manifests[key] = f"rule file(s) corrupted in the blob store: {', '.join(corrupt)}"
            elif rulebook_sha256_of(manifest) != rec["rulebook_sha256"]:
                manifests[key] = "rulebook hash does not match its files"
            else:
                manifests[key] = None
    if manifests[key]:
        return manifests[key]
    try:
        if case_sha256_of(rec["case_json"]) != rec["case_sha256"]:
            return "case hash does not match the stored case"
    except (ValueError, TypeError, RecursionError):
        return "the stored case is not valid JSON"
    try:
        result = json.loads(rec["result_json"])
    except (ValueError, RecursionError):
        return "the stored result is not valid JSON"
    if rec.get(CONTEXT) is not None:
        from .context import context_problem

        problem = context_problem(rec[CONTEXT])
        if problem:
            return problem
    prov = result.get("provenance") if isinstance(result, dict) else None
    if not isinstance(prov, dict):
        return "the stored result has no provenance object"
    if (prov.get("case_sha256"), prov.get("rulebook_sha256"), prov.get("date")) != (
            rec["case_sha256"], rec["rulebook_sha256"], rec["date"]):
        return "the result's provenance does not match the record (case, rulebook or date)"
    return None


def _open_read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=30.0)
    conn.text_factory = bytes
    return conn


def record_count(path: Path | str) -> int:
    """How many records the log holds, for a progress line; 0 when it cannot be read."""
    try:
        conn = _open_read_only(Path(path))
        try:
            return int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, OSError, TypeError, ValueError):
        return 0


def verify_log(path: Path | str, expect_head: str | None = None, public_key=None, receipt: dict | None = None,
               progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Every finding in the log at `path`. Raises InputError only when there is no log to check
    (missing, not a regular file, not an SQLite database, an SQLite database of something else)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"no decision log here: {os_reason(exc)}")]) from None
    import stat as _stat

    if not _stat.S_ISREG(st.st_mode):
        raise InputError([Problem(str(path), "", f"not a decision log: it is {file_kind(st.st_mode)}")])
    report = VerifyReport()
    report.findings.extend(file_findings(path))
    if any("empty" in f.message for f in report.findings):
        _check_receipt(report, receipt, [])
        return report
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        report.findings.append(Finding(None, None, f"the database cannot be opened: {exc}"))
        return report
    try:
        _verify_open(conn, path, report, expect_head, public_key, receipt, progress)
    except sqlite3.DatabaseError as exc:
        report.findings.append(Finding(None, None, f"the database is damaged: {exc}"))
    finally:
        conn.close()
    return report


def _verify_open(conn, path: Path, report: VerifyReport, expect_head, public_key, receipt, progress) -> None:
    def log_finding(message: str, record_id: int | None = None) -> None:
        report.findings.append(Finding(None, record_id, message))

    objects = {}
    for name, kind in conn.execute("SELECT name, type FROM sqlite_master"):
        objects[bytes(name).decode("utf-8", "replace")] = bytes(kind).decode("utf-8", "replace")
    if objects.get("meta") != "table":
        if not objects:
            log_finding("the database holds no tables at all: the log was wiped")
            _check_receipt(report, receipt, [])
            return
        if "records" not in objects:
            raise InputError([Problem(str(path), "", "not a decision log (an SQLite file of something else)")])
        log_finding("the meta table was dropped")
        meta = {}
    else:
        meta = {}
        for key, value in conn.execute("SELECT key, value FROM meta"):
            k = bytes(key).decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
            meta[k] = bytes(value).decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        if meta.get("format") != FORMAT:
            log_finding("the log's format marker is missing or changed")
    for table in ("records", "blobs"):
        if objects.get(table) != "table":
            log_finding(f"the {table} table was dropped")
    for trigger in TRIGGERS:
        if trigger in objects:
            continue
        if objects.get(trigger.split("_no_")[0]) == "table":
            log_finding(f"the append-only trigger {trigger} was removed")

    blob_ids: set[str] = set()
    bad_blobs: set[str] = set()
    if objects.get("blobs") == "table":
        for digest, kind, data in conn.execute("SELECT sha256, typeof(data), data FROM blobs"):
            d = bytes(digest).decode("ascii", "replace") if isinstance(digest, (bytes, str)) else str(digest)
            blob_ids.add(d)
            if kind not in (b"blob", "blob", b"text", "text") or sha256_hex(bytes(data)) != d:
                bad_blobs.add(d)  # named by each record that uses it

    chain: list[str] = []
    if objects.get("records") == "table":
        _walk_records(conn, report, blob_ids, bad_blobs, public_key, chain, progress)
    prev = chain[-1] if chain else GENESIS
    report.head = prev
    _check_head(report, meta, prev, len(chain), public_key, expect_head)
    _check_receipt(report, receipt, chain)


def _walk_records(conn, report, blob_ids, bad_blobs, public_key, chain: list[str], progress) -> None:
    from .signing import RECORD_DOMAIN

    columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    columns = [bytes(c).decode() if isinstance(c, bytes) else c for c in columns]
    wanted = list(FIELDS) + ["hash"] + [c for c in ("signature", CONTEXT) if c in columns]
    missing_cols = [c for c in wanted if c not in columns]
    if missing_cols:
        report.findings.append(Finding(None, None, f"the records table lost column(s) {', '.join(missing_cols)}"))
        return
    select = ", ".join(f"{c}, typeof({c})" for c in wanted)
    manifests: dict = {}
    prev = GENESIS
    expected_id = 1
    position = 0
    cursor = conn.execute(f"SELECT {select} FROM records ORDER BY id")
    while True:
        try:
            row = cursor.fetchone()
        except sqlite3.DatabaseError as exc:
            report.findings.append(Finding(position + 1, None, f"the records table is damaged here: {exc}"))
            break
        if row is None:
            break
        position += 1
        values = {c: (row[2 * i], row[2 * i + 1]) for i, c in enumerate(wanted)}
        rid_value, rid_kind = values["id"]
        rid = rid_value if rid_kind in (b"integer", "integer") else None

        def find(msg, _p=position, _r=rid):
            report.findings.append(Finding(_p, _r, msg))

        rec: dict = {"id": rid}
        broken = []
        for c in wanted[1:]:
            value, kind = values[c]
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if c in ("signature", CONTEXT) and kind == "null":
                rec[c] = None
                continue
            text, problem = _text(value, kind)
            if problem:
                broken.append(f"field {c} {problem}")
            rec[c] = text
        if rid is None:
            find("the record id is not a whole number")
        elif rid != expected_id:
            if rid > expected_id:
                find(f"{rid - expected_id} record(s) missing before this one (expected id {expected_id})")
            else:
                find(f"out of sequence (expected id {expected_id})")
        for problem in broken:
            find(problem)
        stored = rec.get("hash")
        if not broken:
            if record_hash(rec) != stored:
                find("content edited: the stored hash does not match the record's fields (or the record was moved)")
            if rec["prev_hash"] != prev:
                find("chain broken: prev_hash is not the hash of the record before it "
                     "(a record was deleted, inserted or reordered here)")
            problem = _content_problem(rec, blob_ids, bad_blobs, manifests)
            if problem:
                find(problem)
        if public_key is not None:
            sig = rec.get("signature")
            if sig is None:
                find("not signed: with --public-key every record must carry the key's signature")
            elif not (_is_hash(stored) and public_key.verifies(RECORD_DOMAIN, stored.encode("ascii"), sig)):
                find("signature invalid: not made by the given key for this record (forged or re-signed)")
        elif rec.get("signature") is not None:
            report.signed += 1
        prev = stored if isinstance(stored, str) else GENESIS
        chain.append(prev)
        expected_id = (rid if rid is not None else expected_id) + 1
        report.records += 1
        if progress:
            progress(1)


def _check_head(report, meta: dict, prev: str, count: int, public_key, expect_head) -> None:
    from .signing import HEAD_DOMAIN, head_message

    meta_head, meta_count = meta.get("head"), meta.get("count")
    if count and meta_head is None:
        report.findings.append(Finding(None, None, "the log's head marker is missing"))
    elif meta_head is not None and meta_head != prev:
        report.findings.append(Finding(
            None, int(meta_count) if meta_count and meta_count.isdigit() else None,
            f"the last record (head {meta_head[:16]}…, record {meta_count}) is missing or changed: "
            "records were deleted from the end or the head was tampered with"))
    elif meta_count is not None and meta_count != str(count):
        report.findings.append(Finding(None, None, f"the head marker counts {meta_count} record(s), "
                                       f"the log holds {count}"))
    if public_key is not None:
        key_id = meta.get("public_key")
        if not count and (key_id or meta.get("head_signature")):
            report.findings.append(Finding(None, None, f"the log was signed (key {key_id}) but holds no records: "
                                           "its records were wiped"))
        if count and key_id and key_id != public_key.fingerprint:
            report.findings.append(Finding(None, None, f"the log says it is signed by key {key_id}, "
                                           f"not by the given key {public_key.fingerprint}"))
        sig = meta.get("head_signature")
        if count and sig is None:
            report.findings.append(Finding(None, None, "the head is not signed"))
        elif count and not public_key.verifies(HEAD_DOMAIN, head_message(count, prev), sig):
            report.findings.append(Finding(None, None, "the head signature does not verify with the given key "
                                           f"for {count} record(s) ending in {prev[:16]}…: records were removed "
                                           "from the end, or the head was rewritten"))
    if expect_head and expect_head != prev:
        report.findings.append(Finding(None, None, f"head is {prev}, expected {expect_head}"))


def load_receipt(path: Path | str, public_key=None) -> dict:
    """A receipt written by `audit anchor`, checked for shape (and signature, given the key)."""
    from .signing import RECEIPT_DOMAIN

    raw = read_regular_file(path, RECEIPT_LIMIT)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError([Problem(str(path), "", "not a receipt (not JSON)")]) from None
    if not isinstance(data, dict) or data.get("format") != RECEIPT_FORMAT or not isinstance(data.get("records"), int) \
            or isinstance(data.get("records"), bool) or data["records"] < 0 or not (
                data["records"] == 0 or _is_hash(data.get("head"))):
        raise InputError([Problem(str(path), "", f"not a {RECEIPT_FORMAT} file")])
    data["_path"] = str(path)
    data["_signature_checked"] = False
    if public_key is not None:
        body = {k: v for k, v in data.items() if not k.startswith("_") and k != "signature"}
        if not public_key.verifies(RECEIPT_DOMAIN, receipt_message(body), data.get("signature")):
            raise InputError([Problem(str(path), "signature", "the receipt is not signed by the given key "
                                      "(forged or edited)")])
        data["_signature_checked"] = True
    return data


def receipt_message(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _check_receipt(report: VerifyReport, receipt: dict | None, chain: list[str]) -> None:
    if receipt is None:
        return
    n, head, when = receipt["records"], receipt.get("head"), receipt.get("time", "?")
    report.receipt = receipt
    if n == 0:
        return
    if len(chain) < n:
        report.findings.append(Finding(None, None, f"the log holds {len(chain)} record(s) but the receipt of {when} "
                                       f"anchored {n}: records were deleted (the log was truncated or wiped)"))
    elif chain[n - 1] != head:
        report.findings.append(Finding(n, None, f"record {n} is not the one anchored by the receipt of {when}: "
                                       "the log was rewritten up to there"))

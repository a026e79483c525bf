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

from ..errors import InputError
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
        raise InputError.of(str(path), "", "log.cannot_read", reason=os_reason(exc)) from None
    if size == 0:
        return [Finding(None, None, "empty_file")]
    if not header.startswith(SQLITE_MAGIC):
        raise InputError.of(str(path), "", "log.not_sqlite")
    if len(header) < 100:
        return [Finding(None, None, "truncated_header", {"size": size})]
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    if valid_for != change_counter or not pages:
        return []  # the header's size field is not maintained: nothing to compare
    expected = pages * page_size
    if size < expected:
        return [Finding(None, None, "truncated", {"size": size, "expected": expected, "pages": pages})]
    if size > expected:
        return [Finding(None, None, "appended", {"n": size - expected})]
    return []


def _text(value: object, kind: str) -> tuple[str | None, tuple | None]:
    """(text, problem as (finding key, fields)) for a column read as bytes with its SQLite type."""
    if kind == "null":
        return None, ("field_null", {})
    if kind == "blob":
        return None, ("field_blob", {})
    if kind != "text":
        return None, ("field_kind", {"kind": kind})
    try:
        return bytes(value).decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, ("field_utf8", {"byte": exc.start})


def _content_problem(rec: dict, blob_ids: set[str], bad_blobs: set[str], manifests: dict) -> tuple | None:
    """Rule files, case and result of one decoded record against their hashes: (finding key, fields)."""
    key = rec["rulebook_files"]
    if key not in manifests:
        try:
            manifest = json.loads(key)
            if not isinstance(manifest, dict) or not all(
                    isinstance(k, str) and _is_hash(v) for k, v in manifest.items()):
                raise ValueError
        except ValueError:
            manifests[key] = ("manifest_shape", {})
        else:
            missing = sorted(r for r, d in manifest.items() if d not in blob_ids)
            corrupt = sorted(r for r, d in manifest.items() if d in bad_blobs)
            if missing:
                manifests[key] = ("files_missing", {"files": ", ".join(missing)})
            elif corrupt:
                manifests[key] = ("files_corrupt", {"files": ", ".join(corrupt)})
            elif rulebook_sha256_of(manifest) != rec["rulebook_sha256"]:
                manifests[key] = ("rulebook_hash", {})
            else:
                manifests[key] = None
    if manifests[key]:
        return manifests[key]
    try:
        if case_sha256_of(rec["case_json"]) != rec["case_sha256"]:
            return "case_hash", {}
    except (ValueError, TypeError, RecursionError):
        return "case_json", {}
    try:
        result = json.loads(rec["result_json"])
    except (ValueError, RecursionError):
        return "result_json", {}
    if rec.get(CONTEXT) is not None:
        from .context import context_problem

        problem = context_problem(rec[CONTEXT])
        if problem:
            return problem, {}
    prov = result.get("provenance") if isinstance(result, dict) else None
    if not isinstance(prov, dict):
        return "no_provenance", {}
    # a coalition's result carries its date at the top (its components keep their phases' dates)
    day = result.get("date") if result.get("kind") == "coalition" else prov.get("date")
    if (prov.get("case_sha256"), prov.get("rulebook_sha256"), day) != (
            rec["case_sha256"], rec["rulebook_sha256"], rec["date"]):
        return "provenance", {}
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
        raise InputError.of(str(path), "", "log.missing", reason=os_reason(exc)) from None
    import stat as _stat

    if not _stat.S_ISREG(st.st_mode):
        raise InputError.of(str(path), "", "log.not_file", kind=file_kind(st.st_mode))
    report = VerifyReport()
    report.findings.extend(file_findings(path))
    if any(f.key == "empty_file" for f in report.findings):
        _check_receipt(report, receipt, [])
        return report
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        report.findings.append(Finding(None, None, "cannot_open", {"detail": str(exc)}))
        return report
    try:
        _verify_open(conn, path, report, expect_head, public_key, receipt, progress)
    except sqlite3.DatabaseError as exc:
        report.findings.append(Finding(None, None, "damaged", {"detail": str(exc)}))
    finally:
        conn.close()
    return report


def _verify_open(conn, path: Path, report: VerifyReport, expect_head, public_key, receipt, progress) -> None:
    def log_finding(key: str, **fields) -> None:
        report.findings.append(Finding(None, None, key, fields))

    objects = {}
    for name, kind in conn.execute("SELECT name, type FROM sqlite_master"):
        objects[bytes(name).decode("utf-8", "replace")] = bytes(kind).decode("utf-8", "replace")
    if objects.get("meta") != "table":
        if not objects:
            log_finding("no_tables")
            _check_receipt(report, receipt, [])
            return
        if "records" not in objects:
            raise InputError.of(str(path), "", "log.other_sqlite_file")
        log_finding("table_dropped", table="meta")
        meta = {}
    else:
        meta = {}
        for key, value in conn.execute("SELECT key, value FROM meta"):
            k = bytes(key).decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
            meta[k] = bytes(value).decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        if meta.get("format") != FORMAT:
            log_finding("format_marker")
    for table in ("records", "blobs"):
        if objects.get(table) != "table":
            log_finding("table_dropped", table=table)
    for trigger in TRIGGERS:
        if trigger in objects:
            continue
        if objects.get(trigger.split("_no_")[0]) == "table":
            log_finding("trigger_removed", trigger=trigger)

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
        report.findings.append(Finding(None, None, "columns_lost", {"columns": ", ".join(missing_cols)}))
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
            report.findings.append(Finding(position + 1, None, "records_damaged", {"detail": str(exc)}))
            break
        if row is None:
            break
        position += 1
        values = {c: (row[2 * i], row[2 * i + 1]) for i, c in enumerate(wanted)}
        rid_value, rid_kind = values["id"]
        rid = rid_value if rid_kind in (b"integer", "integer") else None

        def find(key, _p=position, _r=rid, **fields):
            report.findings.append(Finding(_p, _r, key, fields))

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
                broken.append((problem[0], dict(problem[1], field=c)))
            rec[c] = text
        if rid is None:
            find("id_not_int")
        elif rid != expected_id:
            if rid > expected_id:
                find("missing_before", n=rid - expected_id, expected=expected_id)
            else:
                find("out_of_sequence", expected=expected_id)
        for key, fields in broken:
            find(key, **fields)
        stored = rec.get("hash")
        if not broken:
            if record_hash(rec) != stored:
                find("content_edited")
            if rec["prev_hash"] != prev:
                find("chain_broken")
            problem = _content_problem(rec, blob_ids, bad_blobs, manifests)
            if problem:
                find(problem[0], **problem[1])
        if public_key is not None:
            sig = rec.get("signature")
            if sig is None:
                find("not_signed")
            elif not (_is_hash(stored) and public_key.verifies(RECORD_DOMAIN, stored.encode("ascii"), sig)):
                find("signature_invalid")
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
        report.findings.append(Finding(None, None, "head_missing"))
    elif meta_head is not None and meta_head != prev:
        report.findings.append(Finding(
            None, int(meta_count) if meta_count and meta_count.isdigit() else None,
            "head_changed", {"head": meta_head[:16], "count": meta_count}))
    elif meta_count is not None and meta_count != str(count):
        report.findings.append(Finding(None, None, "head_count", {"count": meta_count, "n": count}))
    if public_key is not None:
        key_id = meta.get("public_key")
        if not count and (key_id or meta.get("head_signature")):
            report.findings.append(Finding(None, None, "signed_but_empty", {"fingerprint": key_id}))
        if count and key_id and key_id != public_key.fingerprint:
            report.findings.append(Finding(None, None, "other_key", {"fingerprint": key_id, "given": public_key.fingerprint}))
        sig = meta.get("head_signature")
        if count and sig is None:
            report.findings.append(Finding(None, None, "head_unsigned"))
        elif count and not public_key.verifies(HEAD_DOMAIN, head_message(count, prev), sig):
            report.findings.append(Finding(None, None, "head_signature", {"n": count, "head": prev[:16]}))
    if expect_head and expect_head != prev:
        report.findings.append(Finding(None, None, "expect_head", {"head": prev, "expected": expect_head}))


def load_receipt(path: Path | str, public_key=None) -> dict:
    """A receipt written by `audit anchor`, checked for shape (and signature, given the key)."""
    from .signing import RECEIPT_DOMAIN

    raw = read_regular_file(path, RECEIPT_LIMIT)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError.of(str(path), "", "receipt.not_json") from None
    if not isinstance(data, dict) or data.get("format") != RECEIPT_FORMAT or not isinstance(data.get("records"), int) \
            or isinstance(data.get("records"), bool) or data["records"] < 0 or not (
                data["records"] == 0 or _is_hash(data.get("head"))):
        raise InputError.of(str(path), "", "receipt.format", format=repr(RECEIPT_FORMAT))
    data["_path"] = str(path)
    data["_signature_checked"] = False
    if public_key is not None:
        body = {k: v for k, v in data.items() if not k.startswith("_") and k != "signature"}
        if not public_key.verifies(RECEIPT_DOMAIN, receipt_message(body), data.get("signature")):
            raise InputError.of(str(path), "signature", "receipt.forged")
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
        report.findings.append(Finding(None, None, "receipt_truncated", {"n": len(chain), "time": when, "anchored": n}))
    elif chain[n - 1] != head:
        report.findings.append(Finding(n, None, "receipt_rewritten", {"n": n, "time": when}))

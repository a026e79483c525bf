"""The decision log: an append-only, hash-chained SQLite file of judged cases.

Each record holds the canonical case, the exact rulebook files used (content-addressed in the
`blobs` table, deduplicated by sha256, so a replay never depends on today's rules/), the engine
version, the date judged, the language, the full canonical JSON result, a timestamp (the only
non-deterministic field; it is not part of the result) and the hash of the previous record. A
record's hash covers all of its fields, including its position (id) and the previous hash, so any
edited, deleted, reordered or inserted record breaks the chain at that place.

Writing is one SQLite transaction per record in WAL mode (BEGIN IMMEDIATE, so two writers queue
rather than fork the chain): a process killed while writing leaves the log as it was before.
Triggers refuse UPDATE and DELETE on records and blobs; they guard against accidents, while
`verify` (audit/verify.py) is what detects deliberate tampering. With a signing key (audit/
signing.py) each record's hash and every new head are signed, so that a rewrite without the key
fails `verify --public-key`; deleting records from the end can only be detected against a head
kept elsewhere: a receipt from `audit anchor` (`verify --receipt`) or `verify --expect-head`.
The `meta` table keeps the head, its count, the signing key's fingerprint and the head signature.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..errors import InputError, Problem, Say, os_reason
from .chain import (  # noqa: F401  (re-exported: the log's public names)
    CONTEXT, FIELDS, FORMAT, FORMAT_VERSION, GENESIS, HASH_DOMAIN, Finding, VerifyReport, case_sha256_of,
    record_hash, rulebook_sha256_of, sha256_hex,
)

# the replay's order (audit/replay.py: by rulebook and date) read from this index alone, not from the
# table, whose rows hold the case and result texts across many overflow pages (~0.2-0.4 s for 10,000
# records against ~0.03 s); an old log without it is read from the table
ORDER_INDEX = "CREATE INDEX IF NOT EXISTS records_by_rulebook_date ON records (rulebook_sha256, date)"

PAUSE_ENV = "WONINGWET_AUDIT_TEST_PAUSE"  # test hook: path of a marker file; pause inside the write transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    prev_hash TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    origin TEXT NOT NULL,
    source TEXT NOT NULL,
    case_id TEXT NOT NULL,
    case_sha256 TEXT NOT NULL,
    case_json TEXT NOT NULL,
    date TEXT NOT NULL,
    lang TEXT NOT NULL,
    options TEXT NOT NULL,
    rulebook_sha256 TEXT NOT NULL,
    rulebook_files TEXT NOT NULL,
    result_json TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    signature TEXT,
    context TEXT
);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS blobs_no_update BEFORE UPDATE ON blobs
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS blobs_no_delete BEFORE DELETE ON blobs
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
"""


def default_log_path() -> Path:
    """--log, else $WONINGWET_LOG, else $XDG_DATA_HOME/woningwet/decisions.sqlite (~/.local/share/...)."""
    env = os.environ.get("WONINGWET_LOG")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "woningwet" / "decisions.sqlite"


def resolve_log_path(path: str | Path | None) -> Path:
    return Path(path) if path else default_log_path()


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


class DecisionLog:
    """An open decision log. Use `DecisionLog.open(path, create=...)`; close() or `with`."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self._known_blobs: set[str] = set()  # committed blobs (never deleted): no need to insert again

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path | None = None, create: bool = False) -> "DecisionLog":
        p = resolve_log_path(path)
        if not p.exists():
            if not create:
                raise InputError.of(str(p), "", "log.none_here")
            p.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(p), isolation_level=None, timeout=30.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 30000")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if create and tables and "meta" not in tables:
                conn.close()
                raise InputError.of(str(p), "", "log.other_sqlite")
            if create:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            if create:
                conn.executescript(SCHEMA)
                if "records" not in tables:  # a new log; an old one keeps its table scan (no index built on it)
                    conn.execute(ORDER_INDEX)
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('format', ?)", (FORMAT,))
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('format_version', ?)", (str(FORMAT_VERSION),))
            fmt = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if create:
                columns = {r[1] for r in conn.execute("PRAGMA table_info(records)")}
                if "signature" not in columns:  # a log from before signing: add the (nullable) column
                    conn.execute("ALTER TABLE records ADD COLUMN signature TEXT")
                if CONTEXT not in columns:  # a log from before the audit context: its records keep NULL
                    conn.execute(f"ALTER TABLE records ADD COLUMN {CONTEXT} TEXT")
        except sqlite3.DatabaseError as exc:
            with open(p, "rb") as fh:
                sqlite = fh.read(16) == b"SQLite format 3\0"
            say = Say.of("log.damaged" if sqlite else "log.not_a_log")
            raise InputError([Problem(str(p), "", f"{say} ({exc})", says=(say,))]) from None
        if fmt is None or fmt[0] != FORMAT:
            conn.close()
            raise InputError.of(str(p), "", "log.no_marker")
        return cls(p, conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ writing

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _store_blobs(self, files: dict[str, bytes]) -> dict[str, str]:
        manifest = {}
        for rel in sorted(files):
            digest = sha256_hex(files[rel])
            manifest[rel] = digest
            if digest not in self._known_blobs:
                self.conn.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (digest, files[rel]))
        return manifest

    def append(self, *, case_json: str, result_json: str, files: dict[str, bytes], engine_version: str,
               date: str, lang: str, case_id: str, origin: str = "check", source: str = "",
               options: dict | None = None, timestamp: str | None = None, signer=None,
               context: dict | None = None) -> dict:
        """Append one record (one transaction). Returns the stored record.

        `options` are the judge() options besides the date and language that shaped the result
        (e.g. {"start": "2016-06-01", "keep_by": "units"}); replay passes them on again.
        `context`: who ran it, why, the board decision and the memo hashes (audit/context.py).
        """
        return self.append_many([dict(case_json=case_json, result_json=result_json, files=files,
                                      engine_version=engine_version, date=date, lang=lang, case_id=case_id,
                                      origin=origin, source=source, options=options, timestamp=timestamp,
                                      context=context)],
                                signer=signer)[0]

    def append_many(self, items: list[dict], signer=None, before_commit: Callable[[], object] | None = None
                    ) -> list[dict]:
        """Append records (keyword dicts as for append()) in ONE transaction: all or none.

        `signer` (audit.signing.SigningKey) signs each record's hash and the new head; a log that
        is signed must stay signed by the same key. `before_commit` runs inside the transaction
        after the records are in: the CLI publishes its output file there, so that the decision is
        committed only once the output is in place; an exception from it rolls the records back.
        If the commit itself fails, the returned object's rollback() (when it has one) is called.
        """
        self.conn.execute("BEGIN IMMEDIATE")
        published = None
        try:
            self._check_signer(signer)
            out = []
            for item in items:
                rec = self._new_record(**item)
                if signer is not None:
                    rec["signature"] = signer.sign(_signing().RECORD_DOMAIN, rec["hash"].encode("ascii"))
                self._insert(rec)
                out.append(rec)
            if signer is not None and out:
                last = out[-1]
                self._set_meta("public_key", signer.public.fingerprint)
                self._set_meta("head_signature", signer.sign(_signing().HEAD_DOMAIN,
                                                             _signing().head_message(last["id"], last["hash"])))
            _test_pause()
            if before_commit is not None:
                published = before_commit()
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if hasattr(published, "rollback"):
                    published.rollback()
                raise
            for rec in out:
                self._known_blobs.update(json.loads(rec["rulebook_files"]).values())
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        return out

    def _check_signer(self, signer) -> None:
        key_id = self._meta("public_key")
        if signer is None:
            if key_id:
                raise InputError.of(str(self.path), "", "log.signed_need_key", key=key_id)
            return
        if key_id and key_id != signer.public.fingerprint:
            raise InputError.of(str(self.path), "", "log.signed_other_key", key=key_id, given=signer.public.fingerprint)
        if not key_id and self.count():
            raise InputError.of(str(self.path), "", "log.unsigned_records")

    def _new_record(self, *, case_json: str, result_json: str, files: dict[str, bytes], engine_version: str,
                    date: str, lang: str, case_id: str, origin: str = "check", source: str = "",
                    options: dict | None = None, timestamp: str | None = None, context: dict | None = None) -> dict:
        manifest = self._store_blobs(files)
        last = self.conn.execute("SELECT id, hash FROM records ORDER BY id DESC LIMIT 1").fetchone()
        rec = {
            "id": (last["id"] + 1) if last else 1,
            "prev_hash": last["hash"] if last else GENESIS,
            "timestamp": timestamp or _utc_now(),
            "engine_version": engine_version,
            "origin": origin,
            "source": source,
            "case_id": case_id,
            "case_sha256": case_sha256_of(case_json),
            "case_json": case_json,
            "date": date,
            "lang": lang,
            "options": json.dumps(options or {}, sort_keys=True, separators=(",", ":")),
            "rulebook_sha256": rulebook_sha256_of(manifest),
            "rulebook_files": json.dumps(manifest, sort_keys=True, separators=(",", ":")),
            "result_json": result_json,
        }
        if context:
            from .context import context_json

            rec[CONTEXT] = context_json(context)
        rec["hash"] = record_hash(rec)
        rec["signature"] = None
        return rec

    def _insert(self, rec: dict) -> None:
        cols = FIELDS + ("hash", "signature", CONTEXT)
        self.conn.execute(f"INSERT INTO records ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                          tuple(rec.get(c) for c in cols))
        self._set_meta("head", rec["hash"])
        self._set_meta("count", str(rec["id"]))

    # ------------------------------------------------------------ reading

    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def records(self, start: int | None = None) -> Iterator[dict]:
        """All records in chain order (streamed, not loaded at once)."""
        cur = self.conn.execute("SELECT * FROM records WHERE id >= ? ORDER BY id", (start or 0,))
        for row in cur:
            yield dict(row)

    def get(self, record_id: int) -> dict:
        row = self.conn.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise InputError([Problem.of(str(self.path), "", "log.no_record", where=Say.of("where.record", id=record_id))])
        return dict(row)

    def blob(self, digest: str) -> bytes:
        row = self.conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (digest,)).fetchone()
        if row is None:
            raise KeyError(digest)
        return bytes(row[0])

    def rulebook_files(self, rec: dict) -> dict[str, bytes]:
        manifest = json.loads(rec["rulebook_files"])
        files = {}
        for rel, digest in manifest.items():
            data = self.blob(digest)
            if sha256_hex(data) != digest:
                raise ValueError(f"rule file {rel} (blob {digest[:12]}) is corrupted")
            files[rel] = data
        return files

    # ------------------------------------------------------------ verification

    def verify(self, expect_head: str | None = None, progress: Callable[[int], None] | None = None,
               public_key=None, receipt: dict | None = None) -> VerifyReport:
        """Walk the whole chain (audit/verify.py); every finding names the record and its position."""
        from .verify import verify_log

        return verify_log(self.path, expect_head=expect_head, public_key=public_key, receipt=receipt,
                          progress=progress)

    # ------------------------------------------------------------ export / import

    def export_lines(self) -> Iterator[str]:
        """The JSONL bundle: a header, then each blob before the first record that uses it, then records."""
        n = self.count()
        head = self._meta("head") or GENESIS
        header = {"type": "header", "format": FORMAT, "format_version": FORMAT_VERSION, "records": n, "head": head}
        for key in ("public_key", "head_signature"):
            if self._meta(key):
                header[key] = self._meta(key)
        yield json.dumps(header, sort_keys=True)
        sent: set[str] = set()
        for rec in self.records():
            for digest in sorted(set(json.loads(rec["rulebook_files"]).values()) - sent):
                data = self.blob(digest)
                sent.add(digest)
                yield json.dumps({"type": "blob", "sha256": digest,
                                  "data": base64.b64encode(data).decode("ascii")}, sort_keys=True)
            yield json.dumps({"type": "record", **rec}, ensure_ascii=False, sort_keys=True)

    def import_bundle(self, path: Path) -> tuple[int, int]:
        """Check a bundle completely, then append the records this log does not have yet.

        The bundle's chain must verify on its own, and this log must be a prefix of it (usually:
        empty). Returns (records added, records already present). Nothing is written on any problem.
        The bundle is read twice (check, then copy), record by record, so memory stays flat; the
        copy pass checks every record again, so a bundle changed in between is refused too.
        """
        checked = check_bundle(path)
        existing = [(row["id"], row["hash"]) for row in self.conn.execute("SELECT id, hash FROM records ORDER BY id")]
        if existing != checked.chain[: len(existing)]:
            first = next((i for i, (e, c) in enumerate(zip(existing, checked.chain)) if e != c), len(checked.chain))
            raise InputError([Problem.of(str(path), "", "bundle.diverged", where=Say.of("where.record", id=first + 1))])
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            now = [(row["id"], row["hash"]) for row in self.conn.execute("SELECT id, hash FROM records ORDER BY id")]
            if now != existing:
                raise InputError.of(str(self.path), "", "bundle.changed")
            added = 0
            for rec, blobs in _bundle_items(Path(path), checked):
                if rec["id"] <= len(existing):
                    continue
                for digest, data in blobs.items():
                    self.conn.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (digest, data))
                self._insert(rec)
                added += 1
            for key in ("public_key", "head_signature"):  # the signed head travels with the bundle
                if added and isinstance(checked.header.get(key), str):
                    self._set_meta(key, checked.header[key])
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        return added, len(existing)


@dataclass
class BundleCheck:
    """What a bundle check establishes: its chain (id, hash) in order, and where each rule file is."""

    chain: list[tuple[int, str]]
    blob_lines: dict[str, int]
    header: dict = field(default_factory=dict)


def log_write_problem(path, exc: Exception) -> Problem:
    """The decision log could not be written: the OS's reason in words, or (a database error) that
    the log refused it; the English message keeps the error's own text."""
    reason = os_reason(exc) if isinstance(exc, OSError) else Say.of("log.db_refused")
    say = Say.of("log.cannot_write", reason=reason)
    return Problem(str(path), "", f"cannot write the decision log: {exc}", says=(say,))


def stored_rulebook_problem(path, record_id: int, exc: Exception) -> Problem:
    """A record's stored rule files do not build a rulebook (replay, diff)."""
    where = Say.of("where.record", id=record_id)
    return Problem(str(path), str(where), f"stored rulebook unusable: {exc}", where=where,
                   says=(Say.of("log.stored_rulebook"),))


def _bundle_lines(path: Path) -> Iterator[tuple[int, dict | None]]:
    try:
        fh = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError.of(str(path), "", "bundle.cannot_read", reason=os_reason(exc)) from None
    with fh:
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except ValueError:
                    item = None
                yield n, item if isinstance(item, dict) else None
        except UnicodeDecodeError as exc:
            raise InputError.of(str(path), "", "bundle.not_utf8") from None


def _decode_blob(item: dict) -> tuple[str, bytes]:
    data = base64.b64decode(item["data"], validate=True)
    return str(item["sha256"]), data


def _bundle_record(item: dict) -> dict | None:
    rec = {k: item.get(k) for k in FIELDS + ("hash",)}
    if any(rec[k] is None for k in rec) or not isinstance(rec["id"], int):
        return None
    signature = item.get("signature")
    rec["signature"] = signature if isinstance(signature, str) else None
    context = item.get(CONTEXT)
    if context is not None and not isinstance(context, str):
        return None
    rec[CONTEXT] = context
    return rec


def check_bundle(path: Path) -> BundleCheck:
    """Check a JSONL bundle completely (every blob hash, record hash and link, the header's count and
    head); raise InputError naming each line and record that is wrong."""
    path = Path(path)
    problems: list[Problem] = []
    header = None
    blob_ok: dict[str, int] = {}
    chain: list[tuple[int, str]] = []
    prev = GENESIS
    seen_any = False
    def bad(where: str | Say, key: str, line: int | None, **fields) -> Problem:
        at = where if isinstance(where, Say) else None
        return Problem.of(str(path), "" if at else where, f"bundle.{key}", line, where=at, **fields)

    for n, item in _bundle_lines(path):
        kind = item.get("type") if item else None
        if item is None:
            problems.append(bad("", "not_json", n))
        elif kind == "header":
            if header is not None or seen_any:
                problems.append(bad("header", "header_first", n))
            header = item
        elif kind == "blob":
            try:
                digest, data = _decode_blob(item)
            except (KeyError, ValueError, TypeError):
                problems.append(bad("blob", "bad_blob", n))
                continue
            if sha256_hex(data) != digest:
                problems.append(bad(Say.of("where.blob", digest=digest), "blob_tampered", n))
            else:
                blob_ok.setdefault(digest, n)
        elif kind == "record":
            rec = _bundle_record(item)
            if rec is None:
                problems.append(bad("record", "bad_record", n))
                continue
            pos = len(chain) + 1
            where = Say.of("where.record_at", id=rec["id"], pos=pos)
            if rec["id"] != pos:
                problems.append(bad(where, "out_of_sequence", n, pos=pos))
            if record_hash(rec) != rec["hash"]:
                problems.append(bad(where, "edited", n))
            if rec["prev_hash"] != prev:
                problems.append(bad(where, "chain_broken", n))
            try:
                manifest = json.loads(rec["rulebook_files"])
                missing = sorted(r for r, d in manifest.items() if d not in blob_ok)
                if missing:
                    problems.append(bad(where, "rules_missing", n, files=", ".join(missing)))
                elif rulebook_sha256_of(manifest) != rec["rulebook_sha256"]:
                    problems.append(bad(where, "rulebook_hash", n))
                if case_sha256_of(rec["case_json"]) != rec["case_sha256"]:
                    problems.append(bad(where, "case_hash", n))
            except (ValueError, AttributeError, TypeError):
                problems.append(bad(where, "bad_json", n))
            chain.append((rec["id"], rec["hash"]))
            prev = rec["hash"]
        else:
            problems.append(bad("", "line_type", n, kind=repr(kind)))
        seen_any = True
    if header is None or header.get("format") != FORMAT:
        problems.insert(0, bad("header", "no_header", 1, format=repr(FORMAT)))
    else:
        if header.get("records") != len(chain):
            problems.append(bad("header", "count", None, announced=header.get("records"), n=len(chain)))
        if header.get("head") != prev:
            problems.append(bad("header", "head", None))
    if problems:
        raise InputError(problems)
    return BundleCheck(chain, blob_ok, header)


def _bundle_items(path: Path, checked: BundleCheck) -> Iterator[tuple[dict, dict[str, bytes]]]:
    """Second pass: each record with the rule files first needed by it, re-checked against the first pass."""
    pending: dict[str, bytes] = {}
    stored: set[str] = set()
    pos = 0
    prev = GENESIS
    for n, item in _bundle_lines(path):
        kind = item.get("type") if item else None
        if kind == "blob":
            digest, data = _decode_blob(item)
            if digest not in stored and sha256_hex(data) == digest:
                pending[digest] = data
        elif kind == "record":
            rec = _bundle_record(item)
            ok = rec is not None and pos < len(checked.chain) and (rec["id"], rec["hash"]) == checked.chain[pos] \
                and rec["prev_hash"] == prev and record_hash(rec) == rec["hash"]
            if ok:
                manifest = json.loads(rec["rulebook_files"])
                need = {d: pending[d] for d in manifest.values() if d not in stored and d in pending}
                ok = all(d in stored or d in need for d in manifest.values())
            if not ok:
                raise InputError([Problem(str(path), f"record at line {n}", "the bundle changed while importing")])
            stored.update(need)
            for d in need:
                pending.pop(d, None)
            pos += 1
            prev = rec["hash"]
            yield rec, need
    if pos != len(checked.chain):
        raise InputError([Problem(str(path), "", "the bundle changed while importing")])


def _signing():
    from . import signing

    return signing


def _test_pause() -> None:
    """Test hook: with WONINGWET_AUDIT_TEST_PAUSE=<marker path>, create the marker inside the
    write transaction and wait there, so a test can kill the process mid-write."""
    marker = os.environ.get(PAUSE_ENV)
    if not marker:
        return
    Path(marker).write_text("in transaction\n")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.05)

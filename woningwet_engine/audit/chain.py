"""The decision log's chain: record fields, hashes and what a verification reports.

Shared by log.py (writing and reading) and verify.py (checking a file), so that neither imports the
other's module at run time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

FORMAT = "woningwet-decision-log"
FORMAT_VERSION = 1
GENESIS = "0" * 64
HASH_DOMAIN = b"woningwet-decision-record-v1\0"

# The fields of a record, in table order; all of them except `hash` are covered by the hash.
FIELDS = ("id", "prev_hash", "timestamp", "engine_version", "origin", "source", "case_id", "case_sha256",
          "case_json", "date", "lang", "options", "rulebook_sha256", "rulebook_files", "result_json")
# The audit context (who, why, board decision, memo hashes; audit/context.py): a nullable column
# added after the first format. Covered by the hash when present; a record without it hashes
# exactly as before, so records written before it existed still verify.
CONTEXT = "context"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rulebook_sha256_of(manifest: dict[str, str]) -> str:
    """The rulebook hash (as Rulebook.sha256) from a manifest of relpath -> file sha256."""
    h = hashlib.sha256()
    for path in sorted(manifest):
        h.update(path.encode() + b"\0" + bytes.fromhex(manifest[path]))
    return h.hexdigest()


def record_hash(rec: dict) -> str:
    payload = {k: rec[k] for k in FIELDS}
    if rec.get(CONTEXT) is not None:
        payload[CONTEXT] = rec[CONTEXT]
    from ..hashing import compact_sorted

    return hashlib.sha256(HASH_DOMAIN + compact_sorted(payload)).hexdigest()


def case_sha256_of(case_json: str) -> str:
    from ..result import sha256_of

    return sha256_of(json.loads(case_json))


@dataclass
class Finding:
    """One problem found by verify: where (record id, 1-based position in the chain) and what, as a
    key of the catalogue's `audit_log` section (finding_<key>) and the fields its sentence names."""

    position: int | None
    record_id: int | None
    key: str
    fields: dict = field(default_factory=dict)

    def text(self, lang: str = "nl") -> str:
        from ..i18n import text as tr

        where = []
        if self.record_id is not None:
            where.append(tr(lang, "audit_log.where_record", id=self.record_id))
        if self.position is not None:
            where.append(tr(lang, "audit_log.where_position", n=self.position))
        return tr(lang, "audit_log.finding", where=", ".join(where) or tr(lang, "audit_log.where_log"),
                  what=self.what(lang))

    def what(self, lang: str = "nl") -> str:
        from ..i18n import text as tr

        return tr(lang, f"audit_log.finding_{self.key}", **self.fields)

    @property
    def message(self) -> str:
        """What was found, in English (for programs and logs; people get text(lang))."""
        return self.what("en")

    def __str__(self) -> str:
        return self.text("en")


@dataclass
class VerifyReport:
    records: int = 0
    head: str = GENESIS
    findings: list[Finding] = field(default_factory=list)
    signed: int = 0  # records carrying a signature (counted when no public key was given to check them)
    receipt: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

"""Ed25519 signatures for the decision log (the `cryptography` package, imported only when used).

An auditor's key pair (`woningwet audit keygen`): the private key signs, when a decision is
recorded, the record's chain hash and the log's new head (count and head hash); `audit anchor`
signs a head receipt. Anyone with the public key can then check that no record and no head was
made without the private key (`audit verify --public-key`). Keys are PEM files (PKCS#8 private,
SubjectPublicKeyInfo public), readable by openssl and other tools. Each kind of signed message
has its own domain prefix, so a signature of one kind can never pass as another.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from ..errors import InputError, Problem, Say
from ..yamlio import read_regular_file

RECORD_DOMAIN = b"woningwet-decision-record-signature-v1\0"
HEAD_DOMAIN = b"woningwet-decision-log-head-signature-v1\0"
RECEIPT_DOMAIN = b"woningwet-decision-log-receipt-v1\0"
KEY_FILE_LIMIT = 16 * 1024


def _crypto():
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519, serialization, InvalidSignature


class SigningKey:
    """An Ed25519 private key and the fingerprint of its public half."""

    def __init__(self, key):
        self._key = key
        self.public = PublicKey(key.public_key())

    def sign(self, domain: bytes, message: bytes) -> str:
        return base64.b64encode(self._key.sign(domain + message)).decode("ascii")


class PublicKey:
    def __init__(self, key):
        self._key = key
        _, serialization, _ = _crypto()
        self.raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.fingerprint = hashlib.sha256(self.raw).hexdigest()[:32]

    def verifies(self, domain: bytes, message: bytes, signature: object) -> bool:
        """True only for a well-formed signature of exactly this message by this key."""
        _, _, invalid = _crypto()
        if not isinstance(signature, str):
            return False
        try:
            raw = base64.b64decode(signature, validate=True)
            self._key.verify(raw, domain + message)
        except (invalid, ValueError, TypeError):
            return False
        return True


def head_message(count: int, head: str) -> bytes:
    return f"{count}\0{head}".encode("ascii")


def generate() -> tuple[bytes, bytes]:
    """A new key pair as (private PEM, public PEM)."""
    ed25519, serialization, _ = _crypto()
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def load_signing_key(path: Path | str) -> SigningKey:
    ed25519, serialization, _ = _crypto()
    data = read_regular_file(path, KEY_FILE_LIMIT)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError([Problem(str(path), "", f"not an unencrypted PEM private key ({exc})",
                                  says=(Say.of("key.not_private_pem"),))]) from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise InputError.of(str(path), "", "key.not_ed25519_private")
    return SigningKey(key)


def load_public_key(path: Path | str) -> PublicKey:
    ed25519, serialization, _ = _crypto()
    data = read_regular_file(path, KEY_FILE_LIMIT)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise InputError([Problem(str(path), "", f"not a PEM public key ({exc})",
                                  says=(Say.of("key.not_public_pem"),))]) from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise InputError.of(str(path), "", "key.not_ed25519_public")
    return PublicKey(key)

"""Signing keys of this computer: Ed25519, kept under the data dir (never in a workspace
or a bundle), private files readable by the owner only (0600).  With a passphrase the key
is sealed with a key derived by scrypt (n=2^15, r=8, p=1) and AES-256-GCM; without one it
is stored as plain PKCS#8."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from ..core.errors import NicdeskError
from ..paths import data_dir
from .minisign import PublicKey, public_of


class KeyError_(NicdeskError, ValueError):
    """A key that cannot be found or opened (message says what to do).  Still a
    `ValueError`, as it was before the error root existed."""

    title = "Signing key not available"


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey
    public: PublicKey


SEALED = b"NICDESK-SEALED-KEY-1\n"


def _kdf(salt: bytes, passphrase: str) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _seal(pem: bytes, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    box = AESGCM(_kdf(salt, passphrase)).encrypt(nonce, pem, SEALED)
    return SEALED + base64.b64encode(salt + nonce + box) + b"\n"


def _open(data: bytes, passphrase: str) -> bytes:
    raw = base64.b64decode(data[len(SEALED):].strip())
    salt, nonce, box = raw[:16], raw[16:28], raw[28:]
    return AESGCM(_kdf(salt, passphrase)).decrypt(nonce, box, SEALED)


def keys_dir() -> Path:
    path = data_dir() / "keys"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def generate(passphrase: str | None = None) -> KeyPair:
    private = Ed25519PrivateKey.generate()
    pair = KeyPair(private, public_of(private))
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    if passphrase:
        pem = _seal(pem, passphrase)
    path = keys_dir() / f"{pair.public.key_id_hex}.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(path, 0o600)
    (keys_dir() / f"{pair.public.key_id_hex}.pub").write_text(pair.public.file_text())
    return pair


def load(key_id_hex: str, passphrase: str | None = None) -> KeyPair:
    path = keys_dir() / f"{key_id_hex}.key"
    if not path.exists():
        raise KeyError_(f"The signing key {key_id_hex} is not on this computer (looked in "
                        f"{path.parent}). Copy it back, or create a new key and have the "
                        "coordinator enrol it.")
    data = path.read_bytes()
    try:
        if data.startswith(SEALED):
            if not passphrase:
                raise ValueError("passphrase needed")
            data = _open(data, passphrase)
        private = load_pem_private_key(data, None)
    except (TypeError, ValueError, InvalidTag) as exc:
        raise KeyError_("The signing key needs its passphrase, or the passphrase is wrong.") \
            from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyError_(f"{path.name} is not an Ed25519 key.")
    return KeyPair(private, public_of(private))


def workspace_public_key(meta: dict[str, str]) -> PublicKey:
    """The public half of the key a workspace signs with (from its metadata)."""
    from .minisign import parse_public_key

    key_id = meta.get("signing_key")
    if not key_id:
        raise KeyError_("This workspace has no signing key yet: make one with Network → "
                        "Request to join… (or 'nicdesk network request-join').")
    pub = keys_dir() / f"{key_id}.pub"
    if not pub.exists():
        raise KeyError_(f"The public key {key_id} is not on this computer (looked in "
                        f"{pub.parent}).")
    return parse_public_key(pub.read_text())

"""Signing keys of this computer: Ed25519, kept under the data dir (never in a workspace
or a bundle), private files readable by the owner only (0600), optionally encrypted with a
passphrase (PKCS#8 with the `cryptography` library's best available encryption)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from ..paths import data_dir
from .minisign import PublicKey, public_of


class KeyError_(ValueError):
    """A key that cannot be found or opened (message says what to do)."""


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey
    public: PublicKey


def keys_dir() -> Path:
    path = data_dir() / "keys"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def generate(passphrase: str | None = None) -> KeyPair:
    private = Ed25519PrivateKey.generate()
    pair = KeyPair(private, public_of(private))
    encryption = BestAvailableEncryption(passphrase.encode()) if passphrase else NoEncryption()
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption)
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
    try:
        private = load_pem_private_key(path.read_bytes(),
                                       passphrase.encode() if passphrase else None)
    except (TypeError, ValueError) as exc:
        raise KeyError_("The signing key needs its passphrase, or the passphrase is wrong.") \
            from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyError_(f"{path.name} is not an Ed25519 key.")
    return KeyPair(private, public_of(private))

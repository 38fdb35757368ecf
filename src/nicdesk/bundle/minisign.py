"""minisign-compatible Ed25519 keys and signatures, so a bundle's manifest verifies with the
stock tool: `minisign -Vm manifest.json -p site.pub`.

Formats (https://jedisct1.github.io/minisign/): a public key is "Ed" + key id (8 bytes) +
32-byte key, base64, under an untrusted comment line; a signature is "ED" + key id +
Ed25519 signature of BLAKE2b-512(message), then a trusted comment and a global signature
over (signature + trusted comment).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..core.errors import NicdeskError


class SignatureError(NicdeskError, ValueError):
    """A signature or key that does not check out.  Still a `ValueError`: callers catch
    it among the other ways a hostile file fails to parse (`except (…, ValueError)`)."""

    title = "Signature does not check out"


@dataclass(frozen=True)
class PublicKey:
    key_id: bytes  # 8 bytes
    raw: bytes  # 32 bytes

    @property
    def key_id_hex(self) -> str:
        return self.key_id[::-1].hex().upper()  # minisign prints the id little-endian

    def line(self) -> str:
        return base64.b64encode(b"Ed" + self.key_id + self.raw).decode()

    def file_text(self) -> str:
        return f"untrusted comment: minisign public key {self.key_id_hex}\n{self.line()}\n"

    def fingerprint(self) -> str:
        """A short code two people can read to each other to compare keys."""
        digest = base64.b32encode(hashlib.sha256(self.raw).digest()).decode()[:16]
        return "-".join(digest[i:i + 4] for i in range(0, 16, 4))

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.raw)


def key_id_for(raw_public: bytes) -> bytes:
    return hashlib.sha256(raw_public).digest()[:8]


def public_of(private: Ed25519PrivateKey) -> PublicKey:
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PublicKey(key_id_for(raw), raw)


def parse_public_key(text: str) -> PublicKey:
    """The key from a minisign .pub file (or just its base64 line)."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    line = next((ln for ln in lines if not ln.startswith("untrusted comment:")), "")
    try:
        blob = base64.b64decode(line, validate=True)
    except ValueError as exc:
        raise SignatureError("This is not a minisign public key.") from exc
    if len(blob) != 42 or blob[:2] != b"Ed":
        raise SignatureError("This is not a minisign Ed25519 public key.")
    return PublicKey(blob[2:10], blob[10:])


def sign(private: Ed25519PrivateKey, message: bytes, trusted_comment: str,
         untrusted_comment: str = "signature from NICdesk") -> str:
    pub = public_of(private)
    digest = hashlib.blake2b(message, digest_size=64).digest()
    signature = private.sign(digest)
    global_sig = private.sign(signature + trusted_comment.encode())
    return (f"untrusted comment: {untrusted_comment}\n"
            f"{base64.b64encode(b'ED' + pub.key_id + signature).decode()}\n"
            f"trusted comment: {trusted_comment}\n"
            f"{base64.b64encode(global_sig).decode()}\n")


@dataclass(frozen=True)
class Verified:
    key_id: bytes
    trusted_comment: str


def signature_key_id(sig_text: str) -> bytes:
    lines = sig_text.strip().splitlines()
    try:
        blob = base64.b64decode(lines[1].strip(), validate=True)
    except (IndexError, ValueError) as exc:
        raise SignatureError("The signature file is damaged.") from exc
    if len(blob) != 74 or blob[:2] not in (b"ED", b"Ed"):
        raise SignatureError("The signature file is damaged.")
    return blob[2:10]


def verify(key: PublicKey, message: bytes, sig_text: str) -> Verified:
    lines = [ln.rstrip("\r") for ln in sig_text.strip().splitlines()]
    if len(lines) < 4 or not lines[2].startswith("trusted comment: "):
        raise SignatureError("The signature file is damaged.")
    try:
        blob = base64.b64decode(lines[1].strip(), validate=True)
        global_sig = base64.b64decode(lines[3].strip(), validate=True)
    except ValueError as exc:
        raise SignatureError("The signature file is damaged.") from exc
    if len(blob) != 74 or blob[:2] not in (b"ED", b"Ed"):
        raise SignatureError("The signature file is damaged.")
    if blob[2:10] != key.key_id:
        raise SignatureError("The bundle was signed with a different key.")
    data = hashlib.blake2b(message, digest_size=64).digest() if blob[:2] == b"ED" else message
    trusted = lines[2][len("trusted comment: "):]
    try:
        key.verifier().verify(blob[10:], data)
        key.verifier().verify(global_sig, blob[10:] + trusted.encode())
    except InvalidSignature as exc:
        raise SignatureError("The signature does not match: the bundle was changed after "
                             "it was signed, or it was signed by another key.") from exc
    return Verified(blob[2:10], trusted)

"""Compact JWS verification for the six algorithms NetSuite accepts, written from the RFCs with `cryptography`.

Not PyJWT (which the project's client signs with) nor joserfc (which the tests sign with): three independent
implementations have to agree. RFC 7515 §7.1 (compact serialization, base64url without padding), RFC 7518
§3.4 (ECDSA: R || S, each as long as the curve's order) and §3.5 (RSASSA-PSS: MGF1 with the same hash, salt as
long as the hash). Algorithms: section_162790605110 ("PS256, PS384, PS512, ES256, ES384, or ES512"); the curve
each ES algorithm needs: section_0312092212 (ES256 P-256, ES384 P-384, ES512 "P-512", i.e. P-521).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class InvalidJws(Exception):
    """Why a token was refused (for the sandbox's login audit trail, never for the client)."""


def b64url_decode(part: str) -> bytes:
    if not _BASE64URL.match(part) or len(part) % 4 == 1:
        raise InvalidJws("not base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise InvalidJws("not base64url") from None


def _json_object(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(part).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidJws(f"the {what} is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidJws(f"the {what} is not a JSON object")
    return value


def unverified_header(token: str) -> dict[str, Any]:
    """The header, read before the key is known (its `kid` names the key)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidJws("not a compact JWS (three dot-separated parts)")
    return _json_object(parts[0], "header")


def verify(token: str, key: PublicKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a token whose signature `key` verifies under the header's algorithm."""
    header = unverified_header(token)
    encoded_header, encoded_claims, encoded_signature = token.split(".")
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise InvalidJws(f"algorithm {algorithm!r} is not one of {', '.join(ALGORITHMS)}")
    digest = _HASHES[algorithm[2:]]
    signed = f"{encoded_header}.{encoded_claims}".encode("ascii")
    signature = b64url_decode(encoded_signature)
    try:
        if algorithm.startswith("PS"):
            if not isinstance(key, rsa.RSAPublicKey):
                raise InvalidJws(f"{algorithm} needs an RSA certificate")
            key.verify(signature, signed, padding.PSS(padding.MGF1(digest()), digest.digest_size), digest())
        else:
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != _CURVES[algorithm]:
                raise InvalidJws(f"{algorithm} needs an EC certificate on {_CURVES[algorithm]}")
            size = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                raise InvalidJws("the ECDSA signature is not R || S of the curve's size")
            r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(digest()))
    except InvalidSignature:
        raise InvalidJws("the signature does not verify with the certificate's public key") from None
    return header, _json_object(encoded_claims, "payload")

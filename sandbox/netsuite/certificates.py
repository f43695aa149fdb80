"""A private key and self-signed certificate for the client credentials flow, made fresh per sandbox.

The key types follow Certificate Conditions (subsect_162755332391: RSA 3072/4096, EC 256/384/521 bits) and the
algorithm each signs (section_0312092212: RSASSA-PSS keys for PS256/384/512; ES256 P-256, ES384 P-384, ES512
P-521). Oracle makes them with `openssl req -new -x509 ...` (README); this is the same with `cryptography`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}


@dataclass(frozen=True)
class KeyPair:
    private_key_pem: str = field(repr=False)  # PKCS#8, unencrypted: what the connection's password holds
    certificate_pem: str  # what an administrator uploads in OAuth 2.0 Client Credentials (M2M) Setup


def make_key_pair(algorithm: str = "ES256", rsa_bits: int = 3072, valid_days: int = 365) -> KeyPair:
    if algorithm.startswith("PS"):
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(65537, rsa_bits)
    elif algorithm in _CURVES:
        key = ec.generate_private_key(_CURVES[algorithm]())
    else:
        raise ValueError(f"no key type signs {algorithm}")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "netsuite-shopify-cancel-sync sandbox")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KeyPair(private_pem.decode("ascii"), certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"))

"""OAuth 2.0 client credentials (machine to machine) as NetSuite documents it: the token endpoint and bearer tokens.

Oracle's help (docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/<id>.html) this follows:
- section_162686838198 (OAuth 2.0 Client Credentials Setup): a mapping of entity, role and application (an
  integration record with the Client Credentials grant) to the public part of a certificate; revoked or expired
  certificates need a new mapping.
- subsect_162755332391 (Certificate Conditions): x.509; RSA 3072 or 4096 bits, EC 256, 384 or 521 bits; validity
  at most two years ("the system automatically shortens the validity to two years"); "One certificate can only be
  used for one combination of integration record, role, and entity".
- section_162790605110 (The Request Token Structure): header typ JWT, alg PS256/384/512 or ES256/384/512, kid =
  Certificate ID; claims iss = client ID, scope (restlets, rest_webservices, suite_analytics, "separated by a
  comma"; Oracle's own sample sends a JSON array, so both are read), aud = the token endpoint, iat, and exp "less
  than 60 minutes greater than the value of the iat parameter" (read strictly: exp - iat < 3600).
- section_162755359851 (POST Request to the Token Endpoint): form-encoded grant_type=client_credentials,
  client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer, client_assertion; reply
  access_token (a JWT, valid 60 minutes), expires_in, token_type bearer.
- section_158255317571 (Access Token Structure): the access token's claims (sub role;entity, aud, scope, iss
  https://system.netsuite.com, exp, iat, jti unique).
- subsect_158521885412 (RESTlets and REST Web Services Authentication Errors): expired, revoked, malformed or
  invalid token → 401 `WWW-Authenticate: Bearer realm="<account>", error="invalid_token", error_description="Invalid
  login attempt."`; malformed request → 400 error="invalid_request".
- subsect_158324637123 (Login Audit Trail): why a request failed is only in the account's Login Audit Trail
  (AccessTokenExpired, InvalidSignature, ScopeMismatched, ...): `audit_trail` here.
- subsect_161252460252 (token endpoint errors, authorization code flow): body {"error": "<value>"};
  invalid_request 400; invalid_client 401 with `WWW-Authenticate: Basic realm="<account>"`; invalid_grant 400.

Docs silent, and what the sandbox does: which error this flow's refusals carry (RFC 7523 §3.2: an invalid client
assertion is `invalid_client`; RFC 6749 §5.2: an unknown or unallowed scope is `invalid_scope`, 400); the type of
expires_in (sent as the string "3600"; the client reads both); the clock skew allowed for iat (TBA's documented
five minutes, subsect_156934879823); whether an assertion may be used twice (nothing documented: not refused).
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sandbox.httpserver import Request, Response
from sandbox.netsuite import errors, jws

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPES = ("restlets", "rest_webservices", "suite_analytics")
MAX_ASSERTION_LIFETIME = 3600
MAX_CLOCK_SKEW_SECONDS = 300.0
MAX_CERTIFICATE_VALIDITY = timedelta(days=730)
RSA_KEY_SIZES = (3072, 4096)
EC_CURVES = ("secp256r1", "secp384r1", "secp521r1")
ISSUER = "https://system.netsuite.com"


@dataclass(frozen=True)
class Mapping:
    """One row of OAuth 2.0 Client Credentials (M2M) Setup."""

    certificate_id: str
    client_id: str
    entity: str
    role: str
    public_key: jws.PublicKey = field(repr=False)
    fingerprint: bytes = field(repr=False)
    expires: datetime


@dataclass(frozen=True)
class IssuedToken:
    client_id: str
    mapping: Mapping
    scopes: frozenset[str]
    expires_at: float


class TokenRefused(Exception):
    def __init__(self, error: str, reason: str) -> None:
        super().__init__(reason)
        self.error = error


class BearerRefused(Exception):
    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error


class ClientCredentialsServer:
    """Integration records, certificate mappings and the tokens issued for them."""

    def __init__(
        self,
        account_id: str,
        token_lifetime: float = 3600.0,
        clock: Callable[[], float] = time.time,
        max_clock_skew: float = MAX_CLOCK_SKEW_SECONDS,
    ) -> None:
        self.account_id = account_id
        self.token_lifetime = token_lifetime
        self.clock = clock
        self.max_clock_skew = max_clock_skew
        self._lock = threading.Lock()
        self._integrations: dict[str, frozenset[str]] = {}  # client ID → scopes checked on the record
        self._mappings: dict[str, Mapping] = {}
        self._tokens: dict[str, IssuedToken] = {}
        self._signing_key: rsa.RSAPrivateKey | None = None
        self.assertions: list[str] = []  # every client_assertion received, for tests
        self.audit_trail: list[str] = []  # why each refusal happened (NetSuite's Login Audit Trail)

    # --- setup, as an administrator does it ----------------------------------------------------------

    def add_integration(self, scopes: Iterable[str] = ("rest_webservices",), client_id: str | None = None) -> str:
        """An integration record with the Client Credentials grant; returns its client ID."""
        unknown = set(scopes) - set(SCOPES)
        if unknown:
            raise ValueError(f"unknown scopes {sorted(unknown)}")
        client_id = client_id or secrets.token_hex(32)
        with self._lock:
            self._integrations[client_id] = frozenset(scopes)
        return client_id

    def map_certificate(self, client_id: str, certificate_pem: str | bytes, entity: str = "-5", role: str = "3") -> str:
        """Upload the public part of a certificate for (entity, role, application); returns its Certificate ID."""
        data = certificate_pem.encode() if isinstance(certificate_pem, str) else certificate_pem
        try:
            certificate = x509.load_pem_x509_certificate(data)
        except ValueError:
            raise ValueError("the public key must be an x.509 certificate") from None
        key = certificate.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            if key.key_size not in RSA_KEY_SIZES:
                raise ValueError(f"the RSA key has {key.key_size} bits; it must have 3072 or 4096")
        elif isinstance(key, ec.EllipticCurvePublicKey):
            if key.curve.name not in EC_CURVES:
                raise ValueError(f"the EC key is on {key.curve.name}; it must be P-256, P-384 or P-521")
        else:
            raise ValueError("the certificate's key must be RSA or EC")
        expires = min(certificate.not_valid_after_utc, certificate.not_valid_before_utc + MAX_CERTIFICATE_VALIDITY)
        fingerprint = certificate.fingerprint(hashes.SHA256())
        with self._lock:
            if client_id not in self._integrations:
                raise ValueError("the application is not an integration record with the Client Credentials grant")
            if any(m.fingerprint == fingerprint for m in self._mappings.values()):
                raise ValueError("one certificate serves one combination of integration record, role and entity")
            certificate_id = secrets.token_urlsafe(32)
            self._mappings[certificate_id] = Mapping(certificate_id, client_id, entity, role, key, fingerprint, expires)
        return certificate_id

    def revoke(self, certificate_id: str) -> None:
        with self._lock:
            self._mappings.pop(certificate_id, None)

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (the hour passes), for tests of renewal mid-extraction."""
        now = self.clock()
        with self._lock:
            self._tokens = {value: _expired(token, now) for value, token in self._tokens.items()}

    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self._tokens)

    # --- the token endpoint -----------------------------------------------------------------------

    def token_response(self, request: Request) -> Response:
        try:
            value, issued = self._issue(request)
        except TokenRefused as refusal:
            with self._lock:
                self.audit_trail.append(str(refusal))
            return _token_error(refusal.error, self.account_id)
        expires_in = str(int(self.token_lifetime)) if self.token_lifetime >= 1 else str(self.token_lifetime)
        body = {"access_token": value, "expires_in": expires_in, "token_type": "bearer"}
        with self._lock:
            self._tokens[value] = issued
        return Response(200, body, {"Cache-Control": "no-store"})

    def _issue(self, request: Request) -> tuple[str, IssuedToken]:
        form = _read_form(request)
        if form.get("grant_type") != "client_credentials":
            raise TokenRefused("invalid_request", "grant_type is not client_credentials")
        if form.get("client_assertion_type") != JWT_BEARER:
            raise TokenRefused("invalid_request", "client_assertion_type is not jwt-bearer")
        assertion = form.get("client_assertion")
        if not assertion:
            raise TokenRefused("invalid_request", "no client_assertion")
        with self._lock:
            self.assertions.append(assertion)
        mapping, claims = self._verify_assertion(assertion, request.url.split("?")[0])
        scopes = self._granted_scopes(mapping.client_id, claims.get("scope"))
        now = self.clock()
        value = self._access_token(mapping, scopes, now)
        return value, IssuedToken(mapping.client_id, mapping, scopes, now + self.token_lifetime)

    def _verify_assertion(self, assertion: str, endpoint: str) -> tuple[Mapping, dict[str, Any]]:
        """RFC 7523 §3.2: an assertion that does not check out is `invalid_client`."""
        try:
            header = jws.unverified_header(assertion)
            if header.get("typ") != "JWT":
                raise TokenRefused("invalid_client", "typ is not JWT")
            with self._lock:
                mapping = self._mappings.get(str(header.get("kid")))
            if mapping is None:
                raise TokenRefused("invalid_client", "kid names no certificate mapping (unknown or revoked)")
            _, claims = jws.verify(assertion, mapping.public_key)
        except jws.InvalidJws as exc:
            raise TokenRefused("invalid_client", f"InvalidSignature: {exc}") from None
        now = self.clock()
        if datetime.fromtimestamp(now, UTC) >= mapping.expires:
            raise TokenRefused("invalid_client", "the certificate has expired")
        if claims.get("iss") != mapping.client_id:
            raise TokenRefused("invalid_client", "iss is not the client ID the certificate is mapped to")
        if claims.get("aud") != endpoint:
            raise TokenRefused("invalid_client", f"aud is not the token endpoint {endpoint}")
        issued, expires = claims.get("iat"), claims.get("exp")
        if not _number(issued) or not _number(expires):
            raise TokenRefused("invalid_client", "iat and exp must be numbers of seconds")
        if issued > now + self.max_clock_skew:
            raise TokenRefused("invalid_client", "iat is in the future")
        if expires <= now:
            raise TokenRefused("invalid_client", "the assertion has expired")
        if not 0 < expires - issued < MAX_ASSERTION_LIFETIME:
            raise TokenRefused("invalid_client", "exp must be less than 60 minutes after iat")
        with self._lock:
            enabled = mapping.client_id in self._integrations
        if not enabled:
            raise TokenRefused("invalid_client", "InvalidIntegration")
        return mapping, claims

    def _granted_scopes(self, client_id: str, scope: Any) -> frozenset[str]:
        if isinstance(scope, str):
            requested = {part.strip() for part in scope.split(",") if part.strip()}
        elif isinstance(scope, list) and all(isinstance(part, str) for part in scope):
            requested = set(scope)
        else:
            raise TokenRefused("invalid_scope", "scope is missing or neither a string nor a list")
        with self._lock:
            allowed = self._integrations[client_id]
        if not requested or not requested <= set(SCOPES):
            raise TokenRefused("invalid_scope", f"scope {sorted(requested)} is not made of {', '.join(SCOPES)}")
        if not requested <= allowed:
            raise TokenRefused("invalid_scope", "ScopeMismatched: the integration record does not allow that scope")
        return frozenset(requested)

    def _access_token(self, mapping: Mapping, scopes: frozenset[str], now: float) -> str:
        with self._lock:
            if self._signing_key is None:
                self._signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            key = self._signing_key
        claims = {
            "sub": f"{mapping.role};{mapping.entity}",
            "aud": [mapping.client_id, f"app:{uuid.uuid4()}"],
            "scope": sorted(scopes),
            "iss": ISSUER,
            "exp": int(now + self.token_lifetime),
            "iat": int(now),
            "jti": f"{self.account_id}.a-c.{uuid.uuid4()}",
        }
        return jwt.encode(claims, key, algorithm="PS256", headers={"kid": f"c.{self.account_id}.sandbox"})

    # --- bearer tokens on REST requests -----------------------------------------------------------

    def authorize(self, authorization: str) -> None:
        """Raise BearerRefused unless `authorization` carries a live token that allows REST web services."""
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value or " " in value:
            raise BearerRefused(400, "invalid_request", "malformed Bearer authorization")
        with self._lock:
            token = self._tokens.get(value)
            revoked = token is not None and token.mapping.certificate_id not in self._mappings
        if token is None:
            raise BearerRefused(401, "invalid_token", "InvalidSignature: a token this account never issued")
        if self.clock() >= token.expires_at:
            raise BearerRefused(401, "invalid_token", "AccessTokenExpired")
        if revoked:
            raise BearerRefused(401, "invalid_token", "the token's certificate mapping was revoked")
        if "rest_webservices" not in token.scopes:
            raise BearerRefused(401, "invalid_token", "ScopeMismatched: the token has no rest_webservices scope")

    def bearer_refusal(self, refusal: BearerRefused) -> Response:
        """subsect_158521885412's header; the body is NetSuite's INVALID_LOGIN problem for a 401."""
        with self._lock:
            self.audit_trail.append(str(refusal))
        description = (
            "Invalid login attempt."
            if refusal.status == 401
            else "The request could not be understood by the server due to malformed syntax."
        )
        if refusal.status == 401:
            response = errors.invalid_login().response()
        else:  # Oracle shows only the header of this 400; the body is the REST error shape
            response = errors.invalid_parameter(description).response()
        response.headers["WWW-Authenticate"] = (
            f'Bearer realm="{self.account_id}", error="{refusal.error}", error_description="{description}"'
        )
        return response


def _expired(token: IssuedToken, now: float) -> IssuedToken:
    return IssuedToken(token.client_id, token.mapping, token.scopes, min(token.expires_at, now))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _read_form(request: Request) -> dict[str, str]:
    """section_162755359851: parameters encoded as application/x-www-form-urlencoded, each once."""
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    if request.method != "POST" or content_type != "application/x-www-form-urlencoded":
        raise TokenRefused("invalid_request", "not a form-encoded POST")
    try:
        fields = parse_qs(request.body.decode("ascii"), keep_blank_values=True, strict_parsing=bool(request.body))
    except (UnicodeDecodeError, ValueError):
        raise TokenRefused("invalid_request", "the form is malformed") from None
    if any(len(values) > 1 for values in fields.values()):
        raise TokenRefused("invalid_request", "a parameter is repeated")
    return {name: values[0] for name, values in fields.items()}


def _token_error(error: str, account_id: str) -> Response:
    """subsect_161252460252: {"error": "<value>"}; invalid_client is a 401 with a Basic challenge."""
    if error == "invalid_client":
        return Response(401, {"error": error}, {"WWW-Authenticate": f'Basic realm="{account_id}"'})
    return Response(400, {"error": error})

"""Cloud credentials as values: parse, validate, serialise. Pure, no I/O.

Three kinds, each the form its provider's tooling hands out:

* ``gcp``: a service-account key JSON (``gcloud iam service-accounts keys create``);
* ``aws``: an access key id, secret access key and optional session token, as JSON
  (``{"access_key_id": …}``, or ``aws sts``'s ``{"Credentials": {"AccessKeyId": …}}``)
  or ``name = value`` lines (``~/.aws/credentials``, ``AWS_…=`` lines);
* ``azure``: a service principal's client id, secret, tenant and subscription, as JSON
  (``client_id``…, or ``az ad sp create-for-rbac``'s ``appId``/``password``/``tenant``
  plus ``subscription_id``) or ``ARM_…=`` lines.

Validation messages name the field and the rule, never the value: a typo'd
secret is still a secret. ``repr()`` of a credential shows no secret either.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..repo_config import is_project_name
from .errors import CredentialsInvalid

GUILD_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_INPUT = 64 * 1024  # bytes: a GCP key is ~2.4 KB; anything larger is not a credential


class Kind(str, Enum):
    GCP = "gcp"
    AWS = "aws"
    AZURE = "azure"


@dataclass(frozen=True, repr=False)
class GcpServiceAccount:
    """A service-account key; ``document`` is the JSON exactly as Google issued it."""

    document: str
    project_id: str
    client_email: str
    private_key: str
    kind: Kind = field(default=Kind.GCP, init=False)

    def secret_values(self) -> tuple[str, ...]:
        return (self.document, self.private_key)

    def identity(self) -> str:
        return self.client_email

    def payload(self) -> dict[str, str]:
        return {"document": self.document}


@dataclass(frozen=True, repr=False)
class AwsAccessKey:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    kind: Kind = field(default=Kind.AWS, init=False)

    def secret_values(self) -> tuple[str, ...]:
        return (self.access_key_id, self.secret_access_key) + ((self.session_token,) if self.session_token else ())

    def identity(self) -> str:
        return f"{self.access_key_id[:4]}…{self.access_key_id[-4:]}"

    def payload(self) -> dict[str, str]:
        out = {"access_key_id": self.access_key_id, "secret_access_key": self.secret_access_key}
        if self.session_token:
            out["session_token"] = self.session_token
        return out


@dataclass(frozen=True, repr=False)
class AzureServicePrincipal:
    client_id: str
    client_secret: str
    tenant_id: str
    subscription_id: str
    kind: Kind = field(default=Kind.AZURE, init=False)

    def secret_values(self) -> tuple[str, ...]:
        return (self.client_secret,)

    def identity(self) -> str:
        return self.client_id

    def payload(self) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "tenant_id": self.tenant_id,
            "subscription_id": self.subscription_id,
        }


Credentials = GcpServiceAccount | AwsAccessKey | AzureServicePrincipal


def _repr(self: Credentials) -> str:
    return f"<{type(self).__name__} {self.identity()} (secret hidden)>"


for _cls in (GcpServiceAccount, AwsAccessKey, AzureServicePrincipal):
    _cls.__repr__ = _repr  # type: ignore[method-assign,assignment]
    _cls.__str__ = _repr  # type: ignore[method-assign,assignment]


def fingerprint(creds: Credentials) -> str:
    """A short, stable tag to tell credentials apart in listings ("is this the key I set?").

    A truncated SHA-256 of the canonical payload: every kind carries >= 128 bits
    of secret, so 64 bits of digest reveal nothing usable.
    """
    canonical = json.dumps({"kind": creds.kind.value, **creds.payload()}, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(b"cloudops-credential\x00" + canonical.encode()).hexdigest()[:16]


def check_scope(guild_id: str, project: str | None) -> None:
    """Guild ids and project names end up in SQL rows and paths: refuse anything odd."""
    if not isinstance(guild_id, str) or not GUILD_ID.fullmatch(guild_id):
        raise CredentialsInvalid(f"storing credentials: {guild_id!r} is not a valid guild id (letters, digits, . _ -)")
    if project is not None and not is_project_name(project):
        raise CredentialsInvalid(
            f"storing credentials: {project!r} is not a valid project name (lowercase letters, digits, -; up to 40)"
        )


# --- parsing -------------------------------------------------------------------------

def parse(kind: Kind | str, text: str | bytes) -> Credentials:
    """Credentials of ``kind`` from what a person pasted or uploaded."""
    try:
        kind = Kind(kind)
    except ValueError:
        raise CredentialsInvalid(f"reading credentials: unknown kind {kind!r} (use gcp, aws or azure)") from None
    if isinstance(text, bytes):
        if len(text) > MAX_INPUT:
            raise CredentialsInvalid(f"reading {kind.value} credentials: input is {len(text)} bytes, more than {MAX_INPUT}")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CredentialsInvalid(f"reading {kind.value} credentials: input is not UTF-8 text") from None
    if len(text) > MAX_INPUT:
        raise CredentialsInvalid(f"reading {kind.value} credentials: input is longer than {MAX_INPUT} characters")
    text = text.strip()
    if not text:
        raise CredentialsInvalid(f"reading {kind.value} credentials: input is empty")
    if kind is Kind.GCP:
        return gcp_from_json(text)
    fields = _fields(text, kind)
    if kind is Kind.AWS:
        return aws(
            _pick(fields, "access_key_id", "accesskeyid", "aws_access_key_id"),
            _pick(fields, "secret_access_key", "secretaccesskey", "aws_secret_access_key"),
            _pick(fields, "session_token", "sessiontoken", "aws_session_token") or None,
        )
    return azure(
        _pick(fields, "client_id", "appid", "arm_client_id", "clientid"),
        _pick(fields, "client_secret", "password", "arm_client_secret", "clientsecret"),
        _pick(fields, "tenant_id", "tenant", "arm_tenant_id", "tenantid"),
        _pick(fields, "subscription_id", "arm_subscription_id", "subscriptionid", "subscription"),
    )


def from_payload(kind: Kind | str, payload: Mapping[str, Any]) -> Credentials:
    """Inverse of ``payload()``: what the vault decrypted (validated again, cheaply)."""
    kind = Kind(kind)
    if kind is Kind.GCP:
        return gcp_from_json(str(payload["document"]))
    if kind is Kind.AWS:
        return aws(payload["access_key_id"], payload["secret_access_key"], payload.get("session_token"))
    return azure(payload["client_id"], payload["client_secret"], payload["tenant_id"], payload["subscription_id"])


_GCP_REQUIRED = ("type", "project_id", "private_key", "client_email")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]|[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]")
_PEM = re.compile(r"-----BEGIN (?:RSA )?PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{100,}-----END (?:RSA )?PRIVATE KEY-----\s*")


def gcp_from_json(text: str) -> GcpServiceAccount:
    where = "reading the GCP service-account key"
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise CredentialsInvalid(f"{where}: not JSON (line {exc.lineno}, column {exc.colno})",  # type: ignore[attr-defined]
                                 hint="pass the key file downloaded from the Google Cloud console, unchanged") from None
    if not isinstance(doc, dict):
        raise CredentialsInvalid(f"{where}: the JSON is not an object")
    missing = [name for name in _GCP_REQUIRED if not isinstance(doc.get(name), str) or not doc[name].strip()]
    if missing:
        raise CredentialsInvalid(f"{where}: missing or empty field(s) {', '.join(missing)}")
    if doc["type"] != "service_account":
        raise CredentialsInvalid(f"{where}: type is {doc['type'][:40]!r}, expected 'service_account'",
                                 hint="user credentials (gcloud auth) cannot be stored; create a service-account key")
    if not _PROJECT_ID.fullmatch(doc["project_id"]):
        raise CredentialsInvalid(f"{where}: project_id is not a Google Cloud project id")
    if not _EMAIL.fullmatch(doc["client_email"]):
        raise CredentialsInvalid(f"{where}: client_email is not an e-mail address")
    if not _PEM.fullmatch(doc["private_key"]):
        raise CredentialsInvalid(f"{where}: private_key is not a PEM-encoded private key")
    return GcpServiceAccount(document=text, project_id=doc["project_id"], client_email=doc["client_email"],
                             private_key=doc["private_key"])


_AWS_KEY_ID = re.compile(r"(AKIA|ASIA)[A-Z2-7]{16}")
_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")
_AWS_TOKEN = re.compile(r"[A-Za-z0-9/+=]{16,4096}")


def aws(access_key_id: Any, secret_access_key: Any, session_token: Any = None) -> AwsAccessKey:
    where = "reading the AWS access key"
    if not isinstance(access_key_id, str) or not access_key_id:
        raise CredentialsInvalid(f"{where}: access_key_id is missing")
    if not isinstance(secret_access_key, str) or not secret_access_key:
        raise CredentialsInvalid(f"{where}: secret_access_key is missing")
    if not _AWS_KEY_ID.fullmatch(access_key_id):
        raise CredentialsInvalid(f"{where}: access_key_id must be AKIA or ASIA followed by 16 characters A-Z 2-7 "
                                 f"(got {len(access_key_id)} characters)")
    if not _AWS_SECRET.fullmatch(secret_access_key):
        raise CredentialsInvalid(f"{where}: secret_access_key must be 40 characters of A-Z a-z 0-9 / + "
                                 f"(got {len(secret_access_key)} characters)")
    if session_token is not None and (not isinstance(session_token, str) or not _AWS_TOKEN.fullmatch(session_token)):
        raise CredentialsInvalid(f"{where}: session_token must be base64 text (16 to 4096 characters)")
    if access_key_id.startswith("ASIA") and not session_token:
        raise CredentialsInvalid(f"{where}: an ASIA… (temporary) access key needs its session_token")
    return AwsAccessKey(access_key_id, secret_access_key, session_token or None)


_AZURE_SECRET = re.compile(r"[\x21-\x7e]{16,256}")  # printable ASCII, no spaces


def azure(client_id: Any, client_secret: Any, tenant_id: Any, subscription_id: Any) -> AzureServicePrincipal:
    where = "reading the Azure service principal"
    ids: dict[str, str] = {}
    for name, value in (("client_id", client_id), ("tenant_id", tenant_id), ("subscription_id", subscription_id)):
        if not isinstance(value, str) or not value:
            raise CredentialsInvalid(f"{where}: {name} is missing")
        try:
            ids[name] = str(uuid.UUID(value))
        except ValueError:
            raise CredentialsInvalid(f"{where}: {name} is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)") from None
        if len(value) != 36:
            raise CredentialsInvalid(f"{where}: {name} is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
    if not isinstance(client_secret, str) or not client_secret:
        raise CredentialsInvalid(f"{where}: client_secret is missing")
    if not _AZURE_SECRET.fullmatch(client_secret):
        raise CredentialsInvalid(f"{where}: client_secret must be 16 to 256 printable characters without spaces "
                                 f"(got {len(client_secret)} characters)")
    return AzureServicePrincipal(ids["client_id"], client_secret, ids["tenant_id"], ids["subscription_id"])


def _fields(text: str, kind: Kind) -> dict[str, Any]:
    """Lower-cased names → values, from a JSON object or ``name = value`` lines."""
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            raise CredentialsInvalid(f"reading {kind.value} credentials: looks like JSON but does not parse") from None
        if not isinstance(doc, dict):
            raise CredentialsInvalid(f"reading {kind.value} credentials: the JSON is not an object")
        if isinstance(doc.get("Credentials"), dict):  # aws sts get-session-token / assume-role output
            doc = doc["Credentials"]
        return {str(k).lower(): v for k, v in doc.items()}
    out: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        name, sep, value = line.partition("=")
        if not sep:
            raise CredentialsInvalid(f"reading {kind.value} credentials: line {number} is not `name = value`")
        out[name.strip().lower()] = value.strip().strip("'\"")
    return out


def _pick(fields: Mapping[str, Any], *names: str) -> Any:
    return next((fields[n] for n in names if fields.get(n) not in (None, "")), None)

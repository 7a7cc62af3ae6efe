"""Canary credentials: valid in shape, unique per test, easy to search for in any output."""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from controller.secrets import credentials, keys, vault

_B32 = string.ascii_uppercase + "234567"
_SECRET = string.ascii_letters + string.digits + "/+"


def random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@pytest.fixture(scope="session")
def rsa_pem() -> str:
    """One real private key per session (2048 bits, as Google issues)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture
def gcp_document(rsa_pem: str) -> Callable[..., str]:
    def make(**overrides: object) -> str:
        doc = {
            "type": "service_account",
            "project_id": "canary-project-" + random_text(string.ascii_lowercase, 6),
            "private_key_id": secrets.token_hex(20),
            "private_key": rsa_pem,
            "client_email": "deployer@canary-project.iam.gserviceaccount.com",
            "client_id": "1" + random_text(string.digits, 20),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
        doc.update(overrides)
        return json.dumps({k: v for k, v in doc.items() if v is not None}, indent=2)

    return make


@pytest.fixture
def make_aws() -> Callable[[], credentials.AwsAccessKey]:
    def make() -> credentials.AwsAccessKey:
        return credentials.aws("AKIA" + random_text(_B32, 16), random_text(_SECRET, 40))

    return make


@pytest.fixture
def make_azure() -> Callable[[], credentials.AzureServicePrincipal]:
    import uuid

    def make() -> credentials.AzureServicePrincipal:
        return credentials.azure(str(uuid.uuid4()), "azcanary~" + random_text(string.ascii_letters, 30),
                                 str(uuid.uuid4()), str(uuid.uuid4()))

    return make


@pytest.fixture
def gcp(gcp_document: Callable[..., str]) -> credentials.GcpServiceAccount:
    return credentials.gcp_from_json(gcp_document())


@pytest.fixture
def keyring() -> keys.Keyring:
    return keys.Keyring(primary=keys.MasterKey.generate(), source="test")


@pytest.fixture
def the_vault(tmp_path: Path, keyring: keys.Keyring) -> vault.Vault:
    return vault.Vault(tmp_path / "vault.sqlite3", keyring)

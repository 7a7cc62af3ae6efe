"""Recovery codes open only for their user, only unaltered, only before they expire."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, UTC

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.secrets import keys, recovery
from controller.secrets.errors import RecoveryCodeExpired, RecoveryCodeInvalid, SecretsError

SECRET = b"server-secret-for-tests-0123456789"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
STATE = {"session": "deploy", "project": "web", "spec": {"kind": "bucket", "name": "logs"}, "step": 3}


def _seal(user: str = "user-1", **kw: object) -> str:
    return recovery.seal(STATE, server_secret=SECRET, user_id=user, now=NOW, **kw)  # type: ignore[arg-type]


def test_a_code_opens_for_its_user_and_is_chat_friendly() -> None:
    code = _seal()
    assert code.startswith("cr1.") and len(code) < 300
    assert set(code[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert recovery.open_code(code, server_secret=SECRET, user_id="user-1", now=NOW + timedelta(hours=1)) == STATE
    assert recovery.expires_at(code) == NOW + recovery.DEFAULT_TTL


def test_the_state_is_not_readable_in_the_code() -> None:
    raw = base64.urlsafe_b64decode(_seal()[4:] + "==")
    assert b"deploy" not in raw and b"logs" not in raw


def test_line_breaks_a_chat_client_adds_are_ignored() -> None:
    code = _seal()
    wrapped = "\n".join(code[i:i + 40] for i in range(0, len(code), 40))
    assert recovery.open_code(f"  {wrapped}\n", server_secret=SECRET, user_id="user-1", now=NOW) == STATE


def test_another_users_code_does_not_open() -> None:
    with pytest.raises(RecoveryCodeInvalid, match="issued to another user"):
        recovery.open_code(_seal("user-1"), server_secret=SECRET, user_id="user-2", now=NOW)


def test_the_user_id_alone_derives_nothing() -> None:
    """Another server (another secret) cannot open a code even knowing the user id."""
    with pytest.raises(RecoveryCodeInvalid):
        recovery.open_code(_seal(), server_secret=b"another-server-secret-987654321", user_id="user-1", now=NOW)


def test_an_expired_code_is_refused_with_its_expiry() -> None:
    code = _seal(ttl=timedelta(minutes=30))
    assert recovery.open_code(code, server_secret=SECRET, user_id="user-1", now=NOW + timedelta(minutes=29))
    with pytest.raises(RecoveryCodeExpired, match="expired at 2025-03-01T12:30"):
        recovery.open_code(code, server_secret=SECRET, user_id="user-1", now=NOW + timedelta(minutes=30))


def test_pushing_the_expiry_forward_is_detected() -> None:
    code = _seal(ttl=timedelta(minutes=1))
    raw = bytearray(base64.urlsafe_b64decode(code[4:] + "=" * (-len(code[4:]) % 4)))
    raw[1:9] = int((NOW + timedelta(days=365)).timestamp()).to_bytes(8, "big")
    forged = "cr1." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(RecoveryCodeInvalid, match="damaged or was altered"):
        recovery.open_code(forged, server_secret=SECRET, user_id="user-1", now=NOW + timedelta(days=2))


@settings(max_examples=150, deadline=None)
@given(position=st.integers(min_value=4), replacement=st.sampled_from("AQgw_-9z"))
def test_any_changed_character_is_detected(position: int, replacement: str) -> None:
    code = _seal()
    position = 4 + position % (len(code) - 4)
    if code[position] == replacement:
        return
    tampered = code[:position] + replacement + code[position + 1:]
    with pytest.raises(RecoveryCodeInvalid):
        recovery.open_code(tampered, server_secret=SECRET, user_id="user-1", now=NOW)


@pytest.mark.parametrize(("code", "message"), [
    ("hello", "does not start with 'cr1.'"),
    ("cr1.!!!", "not base64url"),
    ("cr1.AAAA", "too short"),
    ("cr1." + "A" * 20_000, "longer than"),
])
def test_garbage_is_refused_clearly(code: str, message: str) -> None:
    with pytest.raises(RecoveryCodeInvalid, match=message):
        recovery.open_code(code, server_secret=SECRET, user_id="user-1", now=NOW)


def test_weak_server_secrets_and_missing_users_are_refused() -> None:
    with pytest.raises(SecretsError, match="at least 16 bytes"):
        recovery.seal(STATE, server_secret=b"short", user_id="u")
    with pytest.raises(SecretsError, match="user id is required"):
        recovery.seal(STATE, server_secret=SECRET, user_id="")


def test_a_server_secret_derived_from_the_master_key_is_stable_and_not_the_key() -> None:
    key = keys.MasterKey.generate()
    derived = recovery.server_secret_from_key(key)
    assert derived == recovery.server_secret_from_key(keys.MasterKey(key.material)) and derived != key.material
    code = recovery.seal(STATE, server_secret=derived, user_id="42")
    assert recovery.open_code(code, server_secret=derived, user_id="42") == STATE

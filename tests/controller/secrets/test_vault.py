"""The vault: encrypted round trips, bindings that refuse moved or altered records, rotation."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from controller.secrets import credentials, keys, vault
from controller.secrets.credentials import Kind
from controller.secrets.errors import DecryptionFailed, MasterKeyError
from controller.settings import Settings
from datetime import UTC


def _raw(v: vault.Vault, sql: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(v.path) as conn:
        rows = conn.execute(sql, params).fetchall()
    return rows


def test_each_kind_round_trips(the_vault: vault.Vault, make_aws, make_azure, gcp) -> None:  # type: ignore[no-untyped-def]
    for creds in (make_aws(), make_azure(), gcp):
        the_vault.put("111", creds)
        again = the_vault.get("111", creds.kind)
        assert again is not None and again.payload() == creds.payload()


def test_nothing_secret_is_stored_in_clear(the_vault: vault.Vault, make_aws, gcp) -> None:  # type: ignore[no-untyped-def]
    aws = make_aws()
    the_vault.put("111", aws)
    the_vault.put("111", gcp, project="web")
    data = the_vault.path.read_bytes()
    for secret in (aws.secret_access_key, aws.access_key_id, gcp.private_key.splitlines()[1]):
        assert secret.encode() not in data
    assert stat.S_IMODE(the_vault.path.stat().st_mode) == 0o600


def test_listing_shows_metadata_only(the_vault: vault.Vault, make_aws, gcp) -> None:  # type: ignore[no-untyped-def]
    aws = make_aws()
    the_vault.put("111", aws)
    the_vault.put("111", gcp, project="web")
    the_vault.put("222", make_aws())
    infos = the_vault.list_credentials("111")
    assert [(i.guild_id, i.project, i.kind) for i in infos] == [("111", None, Kind.AWS), ("111", "web", Kind.GCP)]
    assert infos[0].identity == f"AKIA…{aws.access_key_id[-4:]}"
    assert infos[0].fingerprint == credentials.fingerprint(aws)
    assert infos[0].key_id == the_vault.keyring.primary.key_id  # type: ignore[union-attr]
    shown = repr(infos)
    assert aws.secret_access_key not in shown and aws.access_key_id not in shown
    assert len(the_vault.list_credentials()) == 3


def test_listing_needs_no_key_but_reading_does(tmp_path: Path, the_vault: vault.Vault, make_aws) -> None:  # type: ignore[no-untyped-def]
    the_vault.put("111", make_aws())
    keyless = vault.Vault(the_vault.path, None)
    assert len(keyless.list_credentials()) == 1
    with pytest.raises(MasterKeyError, match="no master key is configured"):
        keyless.get("111", "aws")


def test_another_master_key_cannot_read_the_records(the_vault: vault.Vault, make_aws) -> None:  # type: ignore[no-untyped-def]
    the_vault.put("111", make_aws())
    stranger = vault.Vault(the_vault.path, keys.Keyring(keys.MasterKey.generate()))
    with pytest.raises(DecryptionFailed, match="written with master key .* which is not configured"):
        stranger.get("111", "aws")


def test_a_wrong_key_under_the_right_key_id_fails_authentication(the_vault: vault.Vault, make_aws) -> None:  # type: ignore[no-untyped-def]
    the_vault.put("111", make_aws())
    impostor = keys.MasterKey.generate()
    _raw(the_vault, "UPDATE credentials SET key_id = ?", (impostor.key_id,))
    with pytest.raises(DecryptionFailed, match="does not authenticate"):
        vault.Vault(the_vault.path, keys.Keyring(impostor)).get("111", "aws")


@pytest.mark.parametrize(("target_guild", "target_project"), [("222", ""), ("111", "web")],
                         ids=["to-another-guild", "to-a-project"])
def test_a_ciphertext_moved_to_another_row_fails_to_decrypt(the_vault: vault.Vault, make_aws, target_guild: str,
                                                            target_project: str) -> None:  # type: ignore[no-untyped-def]
    victim, attacker = make_aws(), make_aws()
    the_vault.put("111", victim)
    the_vault.put(target_guild, attacker, project=target_project or None)
    nonce, ciphertext = _raw(the_vault, "SELECT nonce, ciphertext FROM credentials WHERE guild_id = '111' "
                                        "AND project = ''")[0]
    _raw(the_vault, "UPDATE credentials SET nonce = ?, ciphertext = ? WHERE guild_id = ? AND project = ?",
         (nonce, ciphertext, target_guild, target_project))
    with pytest.raises(DecryptionFailed, match="moved from another guild, project or kind, or altered"):
        the_vault.get(target_guild, "aws", project=target_project or None)
    with pytest.raises(DecryptionFailed):
        the_vault.for_run(target_guild, target_project or None)


def test_a_single_flipped_bit_is_detected(the_vault: vault.Vault, make_azure) -> None:  # type: ignore[no-untyped-def]
    the_vault.put("111", make_azure())
    (ciphertext,) = _raw(the_vault, "SELECT ciphertext FROM credentials")[0]
    flipped = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
    _raw(the_vault, "UPDATE credentials SET ciphertext = ?", (flipped,))
    with pytest.raises(DecryptionFailed, match="does not authenticate"):
        the_vault.get("111", "azure")


def test_every_write_uses_a_fresh_nonce(the_vault: vault.Vault, make_aws) -> None:  # type: ignore[no-untyped-def]
    creds = make_aws()
    nonces = set()
    for _ in range(5):
        the_vault.put("111", creds)
        nonces.add(_raw(the_vault, "SELECT nonce FROM credentials")[0][0])
    assert len(nonces) == 5 and all(len(n) == 12 for n in nonces)


def test_a_run_gets_the_projects_own_credentials_first_then_the_guilds(the_vault: vault.Vault, make_aws,
                                                                       make_azure, gcp) -> None:  # type: ignore[no-untyped-def]
    guild_aws, project_aws, azure = make_aws(), make_aws(), make_azure()
    the_vault.put("111", guild_aws)
    the_vault.put("111", azure)
    the_vault.put("111", project_aws, project="web")
    the_vault.put("111", gcp, project="other")
    the_vault.put("222", make_aws(), project="web")
    chosen = {c.info.kind: c for c in the_vault.for_run("111", "web")}
    assert set(chosen) == {Kind.AWS, Kind.AZURE}
    assert chosen[Kind.AWS].credentials.payload() == project_aws.payload() and chosen[Kind.AWS].info.project == "web"
    assert chosen[Kind.AZURE].info.project is None
    fallback = {c.info.kind: c.credentials.payload() for c in the_vault.for_run("111", "api")}
    assert fallback == {Kind.AWS: guild_aws.payload(), Kind.AZURE: azure.payload()}
    assert the_vault.for_run("333", "web") == []


def test_replacing_keeps_created_and_moves_updated(tmp_path: Path, keyring: keys.Keyring, make_aws) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta
    times = iter([datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(3)])
    v = vault.Vault(tmp_path / "v.sqlite3", keyring, clock=lambda: next(times))
    first = v.put("111", make_aws())
    second = v.put("111", make_aws())
    assert second.created_at == first.created_at and second.updated_at > first.updated_at
    assert second.fingerprint != first.fingerprint and len(v.list_credentials()) == 1


def test_delete_removes_exactly_one_scope(the_vault: vault.Vault, make_aws) -> None:  # type: ignore[no-untyped-def]
    the_vault.put("111", make_aws())
    the_vault.put("111", make_aws(), project="web")
    assert the_vault.delete("111", "aws", project="web") is True
    assert the_vault.delete("111", "aws", project="web") is False
    assert [i.project for i in the_vault.list_credentials()] == [None]


def test_rotation_re_encrypts_everything_under_the_new_key(the_vault: vault.Vault, make_aws, make_azure, gcp) -> None:  # type: ignore[no-untyped-def]
    stored = {("111", None): make_aws(), ("222", "web"): make_azure(), ("222", None): gcp}
    for (guild, project), creds in stored.items():
        the_vault.put(guild, creds, project=project)
    old_key, new_key = the_vault.keyring.primary, keys.MasterKey.generate()  # type: ignore[union-attr]
    before = _raw(the_vault, "SELECT ciphertext FROM credentials ORDER BY guild_id, project, kind")
    assert the_vault.rotate(new_key) == 3
    assert the_vault.key_usage() == {new_key.key_id: 3}
    assert _raw(the_vault, "SELECT ciphertext FROM credentials ORDER BY guild_id, project, kind") != before
    only_new = vault.Vault(the_vault.path, keys.Keyring(new_key))
    for (guild, project), creds in stored.items():
        assert only_new.get(guild, creds.kind, project=project).payload() == creds.payload()  # type: ignore[union-attr]
    with pytest.raises(DecryptionFailed):
        vault.Vault(the_vault.path, keys.Keyring(old_key)).get("111", "aws")
    assert only_new.list_credentials()[0].fingerprint == credentials.fingerprint(stored[("111", None)])


def test_a_rotation_that_meets_a_bad_record_changes_nothing(the_vault: vault.Vault, make_aws) -> None:  # type: ignore[no-untyped-def]
    the_vault.put("111", make_aws())
    the_vault.put("222", make_aws())
    (ciphertext,) = _raw(the_vault, "SELECT ciphertext FROM credentials WHERE guild_id = '222'")[0]
    _raw(the_vault, "UPDATE credentials SET ciphertext = ? WHERE guild_id = '222'", (b"\x00" + ciphertext,))
    before = _raw(the_vault, "SELECT * FROM credentials ORDER BY guild_id")
    with pytest.raises(DecryptionFailed, match="guild 222"):
        the_vault.rotate(keys.MasterKey.generate())
    assert _raw(the_vault, "SELECT * FROM credentials ORDER BY guild_id") == before


def test_secret_values_cover_every_guild(the_vault: vault.Vault, make_aws, gcp) -> None:  # type: ignore[no-untyped-def]
    a, b = make_aws(), make_aws()
    the_vault.put("111", a)
    the_vault.put("222", b)
    the_vault.put("222", gcp, project="web")
    values = the_vault.secret_values()
    assert {a.secret_access_key, b.secret_access_key, gcp.private_key, gcp.document} <= values


def test_open_uses_the_data_dir_and_creates_the_key_only_when_asked(tmp_path: Path, make_aws) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(MasterKeyError):
        vault.Vault.open(settings, {})
    v = vault.Vault.open(settings, {}, create_key=True)
    v.put("111", make_aws())
    assert v.path == tmp_path / "data" / "vault.sqlite3" and (tmp_path / "data" / "master.key").exists()
    assert vault.Vault.open(settings, {}).get("111", "aws") is not None

"""`cloudops credentials` and `cloudops keys`: they work, and never print a secret or a key."""

from __future__ import annotations

import io
import json
import stat
import sys
from pathlib import Path

import pytest

from cloudops import cli
from controller.secrets import keys, redact, vault
from controller.settings import Settings


@pytest.fixture
def data_dir(_isolated_data_dir: Path) -> Path:
    return _isolated_data_dir


def _run(argv: list[str], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> tuple[int, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err + caplog.text


def _assert_no_secret(output: str, *secret_values: str) -> None:
    for secret in secret_values:
        for form in redact.variants(secret):
            assert form not in output, "a secret was printed"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: str, tty: bool = False) -> None:
    stream = io.TextIOWrapper(io.BytesIO(data.encode()))
    if tty:
        stream.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", stream)


def test_set_list_delete_never_echo_the_secret(tmp_path: Path, data_dir: Path, gcp, make_aws, make_azure,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch, capsys, caplog) -> None:
    aws, azure = make_aws(), make_azure()
    key_file = tmp_path / "gcp.json"
    key_file.write_text(gcp.document)
    outputs = []
    code, out = _run(["credentials", "set", "--guild", "111", "--project", "web", "--kind", "gcp",
                      "--from-file", str(key_file)], capsys, caplog)
    assert code == 0 and "stored gcp credentials for guild 111, project web" in out
    outputs.append(out)
    _stdin(monkeypatch, f"aws_access_key_id={aws.access_key_id}\naws_secret_access_key={aws.secret_access_key}\n")
    code, out = _run(["credentials", "set", "--guild", "111", "--kind", "aws", "--from-file", "-"], capsys, caplog)
    assert code == 0
    outputs.append(out)
    _stdin(monkeypatch, json.dumps(azure.payload()))
    code, out = _run(["credentials", "set", "--guild", "222", "--kind", "azure", "--from-file", "-"], capsys, caplog)
    assert code == 0
    outputs.append(out)

    code, out = _run(["credentials", "list"], capsys, caplog)
    assert code == 0 and "deployer@canary-project.iam.gserviceaccount.com" in out and azure.client_id in out
    outputs.append(out)
    code, out = _run(["credentials", "list", "--guild", "111", "--json"], capsys, caplog)
    listed = json.loads(out[:out.rindex("]") + 1])
    assert [(e["project"], e["kind"]) for e in listed] == [(None, "aws"), ("web", "gcp")]
    outputs.append(out)
    code, out = _run(["credentials", "delete", "--guild", "222", "--kind", "azure"], capsys, caplog)
    assert code == 0 and "deleted azure credentials of guild 222" in out
    code, out = _run(["credentials", "delete", "--guild", "222", "--kind", "azure"], capsys, caplog)
    assert code == 1 and "no azure credentials stored for guild 222" in out
    outputs.append(out)

    _assert_no_secret("\n".join(outputs), aws.access_key_id, aws.secret_access_key, azure.client_secret,
                      gcp.private_key, gcp.document)
    stored = vault.Vault.open(Settings(data_dir=data_dir)).get("111", "gcp", project="web")
    assert stored is not None and stored.payload() == gcp.payload()


def test_invalid_input_is_refused_without_quoting_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                     capsys, caplog) -> None:
    almost = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE"  # 39 characters
    _stdin(monkeypatch, f"aws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key={almost}\n")
    code, out = _run(["credentials", "set", "--guild", "111", "--kind", "aws", "--from-file", "-"], capsys, caplog)
    assert code == 2 and "secret_access_key must be 40 characters" in out and "got 39 characters" in out
    _assert_no_secret(out, almost)
    code, out = _run(["credentials", "set", "--guild", "111", "--kind", "gcp", "--from-file",
                      str(tmp_path / "missing.json")], capsys, caplog)
    assert code == 2 and "No such file or directory" in out


def test_a_terminal_on_stdin_is_refused(monkeypatch: pytest.MonkeyPatch, capsys, caplog) -> None:  # type: ignore[no-untyped-def]
    _stdin(monkeypatch, "", tty=True)
    code, out = _run(["credentials", "set", "--guild", "111", "--kind", "aws", "--from-file", "-"], capsys, caplog)
    assert code == 2 and "stdin is a terminal" in out


def test_the_secret_cannot_be_given_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    for option in ("--secret", "--value", "--password"):
        with pytest.raises(SystemExit) as info:
            cli.main(["credentials", "set", "--guild", "1", "--kind", "aws", "--from-file", "/dev/null", option, "x"])
        assert info.value.code == 2 and "unrecognized arguments" in capsys.readouterr().err


def test_rotate_with_a_key_file_replaces_the_key_and_keeps_every_record(data_dir: Path, make_aws, capsys,  # type: ignore[no-untyped-def]
                                                                        caplog) -> None:
    settings = Settings(data_dir=data_dir)
    creds = make_aws()
    vault.Vault.open(settings, {}, create_key=True).put("111", creds)
    old_text = (data_dir / "master.key").read_text()
    code, out = _run(["keys", "rotate"], capsys, caplog)
    new_text = (data_dir / "master.key").read_text()
    assert code == 0 and "re-encrypted 1 record(s)" in out and new_text != old_text
    assert stat.S_IMODE((data_dir / "master.key").stat().st_mode) == 0o600
    assert keys.pending_key_files(data_dir / "master.key") == []
    assert old_text.strip() not in out and new_text.strip() not in out
    after = vault.Vault.open(settings, {})
    assert after.get("111", "aws").payload() == creds.payload()  # type: ignore[union-attr]
    code, out = _run(["keys", "status"], capsys, caplog)
    assert f"records under {after.keyring.primary.key_id}: 1" in out  # type: ignore[union-attr]


def test_rotate_with_environment_keys_moves_records_to_the_new_key(tmp_path: Path, data_dir: Path, make_aws,  # type: ignore[no-untyped-def]
                                                                   monkeypatch: pytest.MonkeyPatch, capsys,
                                                                   caplog) -> None:
    settings = Settings(data_dir=data_dir)
    old, new = keys.MasterKey.generate(), keys.MasterKey.generate()
    creds = make_aws()
    vault.Vault.open(settings, {keys.ENV_KEY: old.encoded()}).put("111", creds)
    code, out = _run(["keys", "generate", "--out", str(tmp_path / "new.key")], capsys, caplog)
    assert code == 0 and stat.S_IMODE((tmp_path / "new.key").stat().st_mode) == 0o600
    assert (tmp_path / "new.key").read_text().strip() not in out
    monkeypatch.setenv(keys.ENV_KEY, new.encoded())
    monkeypatch.setenv(keys.ENV_OLD_KEYS, old.encoded())
    code, out = _run(["keys", "rotate"], capsys, caplog)
    assert code == 0 and f"re-encrypted 1 record(s) under master key {new.key_id}" in out
    assert new.encoded() not in out and old.encoded() not in out
    only_new = vault.Vault.open(settings, {keys.ENV_KEY: new.encoded()})
    assert only_new.get("111", "aws").payload() == creds.payload()  # type: ignore[union-attr]
    code, out = _run(["keys", "rotate"], capsys, caplog)
    assert code == 0 and "every record already used this key" in out


def test_status_without_a_key_says_so(capsys, caplog) -> None:  # type: ignore[no-untyped-def]
    code, out = _run(["keys", "status"], capsys, caplog)
    assert code == 0 and "not configured" in out and "records: none" in out

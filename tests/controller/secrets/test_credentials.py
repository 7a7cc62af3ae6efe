"""Parsing and validating the three credential kinds; no message ever quotes a secret."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest

from controller.secrets import credentials
from controller.secrets.credentials import Kind
from controller.secrets.errors import CredentialsInvalid

AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_a_gcp_key_file_parses_with_its_project_and_email(gcp_document: Callable[..., str]) -> None:
    text = gcp_document(project_id="my-project-123")
    creds = credentials.parse("gcp", text)
    assert isinstance(creds, credentials.GcpServiceAccount)
    assert (creds.project_id, creds.client_email) == ("my-project-123", "deployer@canary-project.iam.gserviceaccount.com")
    assert creds.document == text.strip()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"private_key": None}, "missing or empty field(s) private_key"),
        ({"client_email": None, "project_id": ""}, "missing or empty field(s) project_id, client_email"),
        ({"type": "authorized_user"}, "type is 'authorized_user', expected 'service_account'"),
        ({"project_id": "Not A Project"}, "project_id is not a Google Cloud project id"),
        ({"client_email": "nobody"}, "client_email is not an e-mail address"),
        ({"private_key": "-----BEGIN PRIVATE KEY-----\nshort\n-----END PRIVATE KEY-----\n"},
         "private_key is not a PEM-encoded private key"),
    ],
)
def test_a_broken_gcp_key_names_the_field_and_rule(gcp_document: Callable[..., str], overrides: dict,
                                                  message: str) -> None:
    with pytest.raises(CredentialsInvalid, match="reading the GCP service-account key") as info:
        credentials.parse(Kind.GCP, gcp_document(**overrides))
    assert message in str(info.value)


def test_gcp_input_that_is_not_a_json_object_is_refused() -> None:
    with pytest.raises(CredentialsInvalid, match=r"not JSON \(line 1"):
        credentials.parse("gcp", "{not json")
    with pytest.raises(CredentialsInvalid, match="not an object"):
        credentials.parse("gcp", "[1, 2]")


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"access_key_id": AWS_ID, "secret_access_key": AWS_SECRET}),
        json.dumps({"Credentials": {"AccessKeyId": AWS_ID, "SecretAccessKey": AWS_SECRET}}),
        f"[default]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n",
        f"export AWS_ACCESS_KEY_ID='{AWS_ID}'\nexport AWS_SECRET_ACCESS_KEY=\"{AWS_SECRET}\"\n",
    ],
    ids=["json", "sts-json", "credentials-file", "env-lines"],
)
def test_aws_keys_are_read_from_the_usual_formats(text: str) -> None:
    creds = credentials.parse("aws", text)
    assert isinstance(creds, credentials.AwsAccessKey)
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == (AWS_ID, AWS_SECRET, None)


def test_temporary_aws_keys_need_and_keep_their_session_token() -> None:
    asia = "ASIA" + AWS_ID[4:]
    with pytest.raises(CredentialsInvalid, match="ASIA… \\(temporary\\) access key needs its session_token"):
        credentials.aws(asia, AWS_SECRET)
    creds = credentials.aws(asia, AWS_SECRET, "FwoGZXIvYXdzEJr//////////wEaDM+token==")
    assert creds.payload()["session_token"].startswith("FwoGZXIv")


@pytest.mark.parametrize(
    ("key_id", "secret", "message"),
    [
        ("AKIA123", AWS_SECRET, "access_key_id must be AKIA or ASIA followed by 16 characters A-Z 2-7 (got 7 characters)"),
        ("XKIAIOSFODNN7EXAMPLE", AWS_SECRET, "access_key_id must be AKIA or ASIA"),
        (AWS_ID, AWS_SECRET[:-2], "secret_access_key must be 40 characters of A-Z a-z 0-9 / + (got 38 characters)"),
        (AWS_ID, AWS_SECRET[:-1] + "!", "secret_access_key must be 40 characters"),
        (AWS_ID, "", "secret_access_key is missing"),
        (None, AWS_SECRET, "access_key_id is missing"),
    ],
)
def test_malformed_aws_keys_name_the_rule_without_the_value(key_id: object, secret: str, message: str) -> None:
    with pytest.raises(CredentialsInvalid) as info:
        credentials.aws(key_id, secret)
    assert message in str(info.value)
    if secret:
        assert secret not in info.value.user_message()


def test_an_azure_principal_reads_from_az_output_plus_subscription() -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    text = json.dumps({"appId": ids[0], "password": "s3cr3t~Azure.Value_1234", "tenant": ids[1],
                       "subscription_id": ids[2], "displayName": "cloudops"})
    creds = credentials.parse("azure", text)
    assert isinstance(creds, credentials.AzureServicePrincipal)
    assert (creds.client_id, creds.tenant_id, creds.subscription_id) == tuple(ids)
    assert creds.client_secret == "s3cr3t~Azure.Value_1234"


def test_an_azure_principal_reads_from_arm_lines() -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    text = (f"ARM_CLIENT_ID={ids[0]}\nARM_CLIENT_SECRET=s3cr3t~Azure.Value_1234\n"
            f"ARM_TENANT_ID={ids[1]}\nARM_SUBSCRIPTION_ID={ids[2]}\n")
    assert credentials.parse("azure", text).payload()["subscription_id"] == ids[2]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("client_id", "not-a-uuid", "client_id is not a UUID"),
        ("tenant_id", "0" * 32, "tenant_id is not a UUID"),  # hex without dashes is not the documented shape
        ("subscription_id", "", "subscription_id is missing"),
        ("client_secret", "short", "client_secret must be 16 to 256 printable characters without spaces (got 5"),
        ("client_secret", "has a space in the middle!!", "client_secret must be 16 to 256"),
    ],
)
def test_malformed_azure_principals_name_the_field(field: str, value: str, message: str) -> None:
    args = {"client_id": str(uuid.uuid4()), "client_secret": "s3cr3t~Azure.Value_1234",
            "tenant_id": str(uuid.uuid4()), "subscription_id": str(uuid.uuid4()), field: value}
    with pytest.raises(CredentialsInvalid, match="reading the Azure service principal") as info:
        credentials.azure(**args)
    assert message in str(info.value)
    if field == "client_secret":
        assert value not in str(info.value)


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("oracle", "x", "unknown kind 'oracle'"),
        ("aws", "   \n", "input is empty"),
        ("aws", "just a line", "line 1 is not `name = value`"),
        ("aws", b"\xff\xfe\x00", "not UTF-8"),
        ("azure", "{oops", "looks like JSON but does not parse"),
        ("gcp", "x" * (credentials.MAX_INPUT + 1), "longer than"),
    ],
)
def test_unusable_input_is_refused_clearly(kind: str, text: str | bytes, message: str) -> None:
    with pytest.raises(CredentialsInvalid, match="reading") as info:
        credentials.parse(kind, text)
    assert message in str(info.value)


def test_repr_and_str_show_identity_but_never_a_secret(make_aws, make_azure, gcp) -> None:  # type: ignore[no-untyped-def]
    for creds in (make_aws(), make_azure(), gcp):
        shown = repr(creds) + str(creds) + f"{creds!r} {[creds]}"
        assert "secret hidden" in shown
        for secret in creds.secret_values():
            assert secret not in shown
        assert all(len(s) >= 16 for s in creds.secret_values())


def test_fingerprints_tell_credentials_apart_and_are_stable(make_aws) -> None:  # type: ignore[no-untyped-def]
    a, b = make_aws(), make_aws()
    again = credentials.aws(a.access_key_id, a.secret_access_key)
    assert credentials.fingerprint(a) == credentials.fingerprint(again)
    assert credentials.fingerprint(a) != credentials.fingerprint(b)
    assert a.secret_access_key not in credentials.fingerprint(a)


@pytest.mark.parametrize(("guild", "project"), [("", None), ("a/b", None), ("1" * 65, None), ("123", "Bad_Name"),
                                                ("123", "../etc"), ("123", "")])
def test_odd_guild_ids_and_project_names_are_refused(guild: str, project: str | None) -> None:
    with pytest.raises(CredentialsInvalid, match="not a valid"):
        credentials.check_scope(guild, project)


def test_payload_round_trips_through_from_payload(make_aws, make_azure, gcp) -> None:  # type: ignore[no-untyped-def]
    for creds in (make_aws(), make_azure(), gcp):
        again = credentials.from_payload(creds.kind, json.loads(json.dumps(creds.payload())))
        assert again.payload() == creds.payload() and type(again) is type(creds)

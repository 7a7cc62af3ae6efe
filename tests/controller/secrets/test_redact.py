"""Redaction: canary secrets in every encoding and position, token shapes, plans, logs."""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
import string
import time
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller.secrets import redact
from controller.secrets.redact import REDACTED, Redactor
from controller.terraform.plan_parser import parse_plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plans"
CANARY = "canary-Zx81/+Qk=secret"  # has the characters that encodings change


@pytest.mark.parametrize(
    "embed",
    [
        lambda s: s,
        lambda s: f"at the start {s}",
        lambda s: f"{s} at the end",
        lambda s: f"glued{s}glued",
        lambda s: f"twice {s} and {s}",
        lambda s: json.dumps({"config": {"value": s}}),
        lambda s: json.dumps({"nested": json.dumps({"value": s})}),
        lambda s: "https://example.com/cb?token=" + urllib.parse.quote(s, safe="") + "&x=1",
        lambda s: "form: v=" + urllib.parse.quote_plus(s),
        lambda s: "b64: " + base64.b64encode(s.encode()).decode(),
        lambda s: "b64url: " + base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
        lambda s: f"```\nError: {s!r}\n```",
        lambda s: f"line one\n{s}\nline three",
    ],
    ids=["bare", "start", "end", "glued", "twice", "json", "json-in-json", "url", "form", "base64", "base64url",
         "markdown-repr", "multiline"],
)
def test_a_vault_secret_is_masked_in_every_encoding(embed) -> None:  # type: ignore[no-untyped-def]
    text = embed(CANARY)
    out = Redactor.build([CANARY]).redact(text)
    assert REDACTED in out
    for form in redact.variants(CANARY):
        assert form not in out


def test_a_gcp_key_is_masked_whole_escaped_and_base64(gcp) -> None:  # type: ignore[no-untyped-def]
    r = Redactor.build(gcp.secret_values(), patterns=False)
    middle_line = gcp.private_key.splitlines()[5]
    texts = [
        gcp.document,
        json.dumps({"credentials": gcp.document}),  # the key JSON as a JSON string (GOOGLE_CREDENTIALS-style)
        base64.b64encode(gcp.document.encode()).decode(),
        f"private_key = {gcp.private_key}",
        json.dumps({"private_key": gcp.private_key}),
        gcp.private_key.replace("\n", "\r\n"),
    ]
    for text in texts:
        out = r.redact(text)
        assert middle_line not in out and gcp.document not in out and REDACTED in out


def test_overlapping_secrets_leave_no_tail() -> None:
    a, b = "AAAA-first-secret-BBBB", "BBBB-second-secret"
    out = Redactor.build([a, b], patterns=False).redact("x AAAA-first-secret-BBBB-second-secret y")
    assert out == f"x {REDACTED} y"


def test_a_secret_containing_another_is_masked_whole() -> None:
    out = Redactor.build(["short-secret", "a-longer-short-secret-value"], patterns=False).redact(
        "v=a-longer-short-secret-value; w=short-secret")
    assert out == f"v={REDACTED}; w={REDACTED}"


def test_too_short_literals_are_ignored() -> None:
    r = Redactor.build(["abc", "1", "", "true"], patterns=False)
    assert r.redact("abc 1 true") == f"abc 1 {REDACTED}"


TOKENS = {
    "github classic": "ghp_" + "a1B2" * 9,
    "github oauth": "gho_" + "Z" * 36,
    "github server": "ghs_" + "9" * 36,
    "github fine-grained": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV",
    "aws key id": "AKIAIOSFODNN7EXAMPLE",
    "aws temporary key id": "ASIAIOSFODNN7EXAMPLE",
    "discord bot token": "MTA4NjM0NTY3ODkwMTIzNDU2Nw.GhT1aB.abcdefghijklmnopqrstuvwxyz0123456789AB",
    "slack bot": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "slack user": "xoxp-1234567890-abcdefghij",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}


@pytest.mark.parametrize("name", sorted(TOKENS))
def test_well_known_token_shapes_are_masked_without_being_known(name: str) -> None:
    token = TOKENS[name]
    out = Redactor().redact(f"Authorization failed for {token}, retrying")
    assert token not in out and out == f"Authorization failed for {REDACTED}, retrying"


def test_an_aws_secret_next_to_its_key_id_is_masked() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    for text in (f"AKIAIOSFODNN7EXAMPLE:{secret}", f"id AKIAIOSFODNN7EXAMPLE\nkey {secret}",
                 f'{{"SecretAccessKey": "{secret}", "AccessKeyId": "ASIAIOSFODNN7EXAMPLE"}}',
                 f"aws_secret_access_key = {secret}"):
        out = Redactor().redact(text)
        assert secret not in out and "EXAMPLEKEY" not in out


def test_forty_character_strings_far_from_a_key_id_and_git_shas_are_kept() -> None:
    sha = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
    lone = "Ab" * 20
    text = f"commit {sha} AKIAIOSFODNN7EXAMPLE\n" + "." * 400 + lone
    out = Redactor().redact(text)
    assert sha in out and lone in out and "AKIAIOSFODNN7EXAMPLE" not in out


def test_private_key_blocks_are_masked_even_when_truncated(rsa_pem: str) -> None:
    r = Redactor()
    assert r.redact(f"key:\n{rsa_pem}done") == f"key:\n{REDACTED}\ndone"
    assert r.redact("log: " + rsa_pem[:300]) == f"log: {REDACTED}"
    escaped = json.dumps(rsa_pem)
    assert r.redact(escaped) == f'"{REDACTED}\\n"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter2 next", f"password={REDACTED} next"),
        ('{"password": "hunter2", "user": "bob"}', f'{{"password": "{REDACTED}", "user": "bob"}}'),
        ("DB_PASSWORD: 'pa ss'", f"DB_PASSWORD: '{REDACTED}'"),
        ("postgres://u?passwd=s3cr3t&db=x", f"postgres://u?passwd={REDACTED}&db=x"),
        ("client_secret = abcdef", f"client_secret = {REDACTED}"),
        ("password = (sensitive)", "password = (sensitive)"),
        ("token_count: 5", "token_count: 5"),
    ],
)
def test_generic_secret_assignments_keep_the_name_and_lose_the_value(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_ordinary_text_is_left_alone() -> None:
    text = "Plan: 3 to add, 0 to change, 1 to destroy. null_resource.web will be created (web:1)."
    assert Redactor.build(["unrelated-secret"]).redact(text) == text


def test_plan_sensitive_values_are_collected_and_masked() -> None:
    raw = (FIXTURES / "null" / "create.json").read_text()
    found = redact.plan_sensitive_values(parse_plan(raw))
    assert "hunter2-s3cr3t-pw" in found
    assert "web:1" not in found and "60" not in found
    assert "hunter2-s3cr3t-pw" not in Redactor.build(found).redact(raw)


def test_plan_walk_follows_masks_into_lists_maps_outputs_and_variables() -> None:
    doc = {
        "format_version": "1.2",
        "terraform_version": "1.5.7",
        "variables": {"api_key": {"value": "var-canary-1"}, "region": {"value": "eu-west-1"}},
        "configuration": {"root_module": {"variables": {"api_key": {"sensitive": True}, "region": {}}}},
        "resource_changes": [{
            "address": "x.y", "mode": "managed", "type": "x", "name": "y", "provider_name": "p",
            "change": {
                "actions": ["update"],
                "before": {"tags": {"a": "before-canary-2", "b": "plain"}, "list": ["l0", "list-canary-3"], "n": 12345},
                "after": {"tags": {"a": "after-canary-4", "b": "plain"}, "list": ["l0", "list-canary-5"], "n": 67890,
                          "flag": True},
                "after_unknown": {},
                "before_sensitive": {"tags": {"a": True}, "list": [False, True], "n": True},
                "after_sensitive": {"tags": {"a": True}, "list": [False, True], "n": True, "flag": True},
            },
        }],
        "output_changes": {"out": {"actions": ["create"], "before": None, "after": {"k": "output-canary-6"},
                                   "after_unknown": False, "after_sensitive": True, "before_sensitive": False}},
        "planned_values": {"outputs": {"out": {"sensitive": True, "value": {"k": "output-canary-6"}}}},
        "prior_state": {"values": {"outputs": {"old": {"sensitive": True, "value": "state-canary-7"}},
                                   "root_module": {"child_modules": [{"resources": [
                                       {"values": {"pw": "module-canary-8", "id": "x"},
                                        "sensitive_values": {"pw": True}}]}]}}},
    }
    found = redact.plan_sensitive_values(parse_plan(doc))
    assert found == {"var-canary-1", "before-canary-2", "list-canary-3", "12345", "after-canary-4", "list-canary-5",
                     "67890", "output-canary-6", "state-canary-7", "module-canary-8"}


def test_redact_data_and_json_mask_keys_and_values_recursively() -> None:
    r = Redactor.build([CANARY])
    data = {"a": [CANARY, {"b": f"x{CANARY}y"}], CANARY: 3, "n": None, "t": (1, CANARY)}
    assert CANARY not in json.dumps(r.redact_data(data))
    assert CANARY not in r.redact_json(json.dumps(data)) and json.loads(r.redact_json(json.dumps(data)))
    assert r.redact_json("not json " + CANARY) == f"not json {REDACTED}"


def test_the_log_filter_masks_message_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.secrets.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        redact.install_log_redaction(lambda: Redactor.build([CANARY]), logger)
        logger.warning("connecting with %s and %r", CANARY, {"k": CANARY})
        logger.warning(f"f-string {CANARY}")
        try:
            raise ValueError(f"bad credential {CANARY}")
        except ValueError:
            logger.exception("while reading")
        logger.warning("ghp token %s", TOKENS["github classic"])
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert CANARY not in output and TOKENS["github classic"] not in output
    assert output.count(REDACTED) >= 5 and "ValueError: bad credential" in output


def test_the_redactor_never_shows_its_secrets() -> None:
    r = Redactor.build([CANARY])
    assert CANARY not in repr(r) and CANARY not in str(r)


def test_large_texts_with_many_secrets_are_fast() -> None:
    literals = [secrets.token_urlsafe(24) for _ in range(300)]
    r = Redactor.build(literals)
    filler = "resource null_resource.web { triggers = { image = \"web:1\" } } # ordinary plan text\n"
    text = filler * 20_000 + literals[-1] + filler * 5_000  # ~2 MB
    started = time.perf_counter()
    out = r.redact(text)
    elapsed = time.perf_counter() - started
    assert literals[-1] not in out and out.count(REDACTED) == 1
    assert elapsed < 5.0, f"redacting 2 MB took {elapsed:.1f}s"


# --- property-based ------------------------------------------------------------------------

_canaries = st.lists(st.text(alphabet=string.ascii_letters + string.digits + "/+=-_.", min_size=12, max_size=60),
                     min_size=1, max_size=5, unique=True)
_noise = st.text(max_size=200)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(canaries=_canaries, pieces=st.lists(_noise, min_size=1, max_size=6), data=st.data())
def test_no_planted_canary_survives_in_any_position(canaries: list[str], pieces: list[str], data) -> None:  # type: ignore[no-untyped-def]
    text = ""
    for piece in pieces:
        text += piece + data.draw(st.sampled_from(canaries))
    encoding = data.draw(st.sampled_from(["plain", "json", "url", "base64"]))
    if encoding == "json":
        text = json.dumps({"log": text})
    out = Redactor.build(canaries).redact(text)
    for canary in canaries:
        assert canary not in out
        if encoding == "json":
            assert json.dumps(canary)[1:-1] not in out


@settings(max_examples=200, deadline=None)
@given(canary=st.text(min_size=8, max_size=80).filter(lambda s: s.strip() == s and len(set(s)) > 3),
       before=_noise, after=_noise)
def test_any_unicode_canary_is_masked_in_its_encodings(canary: str, before: str, after: str) -> None:
    r = Redactor.build([canary], patterns=False)
    for form in (canary, json.dumps(canary)[1:-1], urllib.parse.quote(canary, safe=""),
                 base64.b64encode(canary.encode()).decode()):
        assert form not in r.redact(before + form + after)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.one_of(_noise, st.sampled_from([*TOKENS.values(), "password=x", CANARY, "AKIA"])),
                     max_size=8).map(" ".join))
def test_redaction_is_idempotent(text: str) -> None:
    r = Redactor.build([CANARY])
    once = r.redact(text)
    assert r.redact(once) == once
    assert CANARY not in once and all(token not in once for token in TOKENS.values())

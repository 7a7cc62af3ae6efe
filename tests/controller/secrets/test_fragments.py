"""Redaction by fragments: a secret changed on its way out is still masked (issue 22, item 2).

Each case is one thing a PR could do in HCL to a secret it can read
(``upper()``, ``substr()``, ``strrev()``, a field of a JSON key,
``base64encode()`` then a cut, a display truncation), done here in Python
to a canary; the redactor must leave no run of ``FRAGMENT_LENGTH``
characters of it.
"""

from __future__ import annotations

import base64
import json
import secrets

import pytest

from controller.secrets import fragments
from controller.secrets.redact import REDACTED, Redactor

SECRET = "cAnArY" + secrets.token_hex(17)  # 40 characters, like an AWS secret


def longest_surviving_run(text: str, secret_forms: list[str]) -> int:
    """The longest piece (without whitespace) of any of ``secret_forms`` still in ``text``, case-insensitive."""
    best, lowered = 0, text.lower()
    for form in (piece for whole in secret_forms for piece in whole.split()):
        form = form.lower()
        for size in range(len(form), best, -1):
            if any(form[i:i + size] in lowered for i in range(len(form) - size + 1)):
                best = size
                break
    return best


TRANSFORMS = {
    "upper": lambda s: s.upper(),
    "lower": lambda s: s.lower(),
    "substr": lambda s: s[7:25],
    "reversed": lambda s: s[::-1],
    "reversed piece": lambda s: s[5:30][::-1],
    "base64 prefix": lambda s: base64.b64encode(s.encode()).decode()[:20],
    "base64 of a piece": lambda s: base64.b64encode(s[1:31].encode()).decode(),
    "urlsafe base64 of a piece": lambda s: base64.urlsafe_b64encode(s[2:33].encode()).decode().rstrip("="),
    "hex": lambda s: s.encode().hex(),
    "upper hex of a piece": lambda s: s[3:20].encode().hex().upper(),
    "truncated for display": lambda s: ("a long value, " * 8 + s)[:119] + "…",
    "json escaped in a document": lambda s: json.dumps({"v": "pre" + s[:30]}),
}
# What of the secret each leak carries (the rest is the attacker's padding).
CARRIED = {"truncated for display": lambda s: s[:7], "json escaped in a document": lambda s: s[:30]}


@pytest.mark.parametrize("name", TRANSFORMS)
def test_a_changed_secret_leaves_no_piece_behind(name: str) -> None:
    leaked = TRANSFORMS[name](SECRET)
    text = f"triggers = {{ value = \"{leaked}\" }} and the plan goes on"
    redacted = Redactor.build([SECRET]).redact(text)
    carried = CARRIED.get(name, lambda _s: leaked)(SECRET)
    if len(carried) >= fragments.FRAGMENT_LENGTH:
        assert REDACTED in redacted
    assert longest_surviving_run(redacted, [carried]) < fragments.FRAGMENT_LENGTH
    assert redacted.endswith("and the plan goes on")


def test_a_low_variety_stretch_between_two_fragments_of_one_token_is_masked_too() -> None:
    # hex of "c3c3c3c3" is "6333633363336333": windows of two distinct characters are no fragments of their own
    # (they would mask "00000000" everywhere); CI once drew a random canary with such a stretch and 9 survived
    secret = "cAnArY6daa5f7f5a41cb5f34a14f3c3c3cc67bad"  # the canary CI drew
    leaked = secret.encode().hex()
    redacted = Redactor.build([secret]).redact(f"value = \"{leaked}\" done")
    assert longest_surviving_run(redacted, [leaked]) < fragments.FRAGMENT_LENGTH
    assert redacted.endswith("done") and Redactor.build([secret]).redact("00000000 and 33363336") == \
        "00000000 and 33363336"  # the stretch alone, outside a token holding the secret, is left alone


def test_a_field_of_a_json_credential_is_a_secret_of_its_own(gcp_document) -> None:
    document = json.loads(gcp_document())
    redactor = Redactor.build([json.dumps(document)])
    for field in ("private_key_id", "private_key"):
        text = f"{field} = {document[field]}"
        assert document[field] not in redactor.redact(text)
    # public identifiers are left alone: a plan shows them on purpose
    assert redactor.redact(document["client_email"]) == document["client_email"]
    assert redactor.redact(document["project_id"]) == document["project_id"]


def test_a_piece_of_a_private_key_from_a_json_credential_is_masked(gcp_document) -> None:
    document = json.loads(gcp_document())
    key = document["private_key"]
    redactor = Redactor.build([json.dumps(document)])
    for leaked in (key[40:100], key.upper()[200:260], key[300:360][::-1]):
        assert longest_surviving_run(redactor.redact(f"value: {leaked} end"), [leaked]) < fragments.FRAGMENT_LENGTH


def test_a_truncated_private_key_masks_itself_and_not_the_rest_of_the_comment(rsa_pem: str) -> None:
    comment = (f"### Plan\n\n```diff\n+ triggers = {json.dumps(rsa_pem[:150])}…\n```\n\n"
               "**Policy:** passed\n\nApply with `cloudops apply`.\n")
    redacted = Redactor().redact(comment)  # no known secret: the shape alone
    assert rsa_pem[40:100] not in redacted
    assert redacted.endswith("**Policy:** passed\n\nApply with `cloudops apply`.\n")
    raw = f"key:\n{rsa_pem[:400]}\nThe plan adds 1 resource.\n"
    assert Redactor().redact(raw) == f"key:\n{REDACTED}\nThe plan adds 1 resource.\n"


@pytest.mark.parametrize("secret", ["sensitive-canary-value", "production-database-password", "admin-of-the-canary"])
def test_words_inside_a_secret_do_not_mask_ordinary_text(secret: str) -> None:
    text = ("The sensitive values of the production database are administered by the administrators; "
            "see the canary release notes.")
    assert Redactor.build([secret]).redact(text) == text


def test_commit_shas_and_run_ids_are_not_mistaken_for_fragments() -> None:
    redactor = Redactor.build([secrets.token_hex(20) for _ in range(50)])
    text = "\n".join(f"planned at {secrets.token_hex(20)} in run {secrets.token_hex(16)}" for _ in range(200))
    assert redactor.redact(text) == text


def test_a_short_secret_has_no_fragments_but_is_still_masked_whole_in_any_case() -> None:
    redactor = Redactor.build(["Pa55w0rd!"])
    assert len(redactor.fragments) == 0
    assert redactor.redact("password is PA55W0RD! ok") == f"password is {REDACTED} ok"


def test_an_ordinary_comment_passes_unchanged_with_many_secrets_known(rsa_pem: str) -> None:
    redactor = Redactor.build([rsa_pem, SECRET] + [secrets.token_hex(20) for _ in range(200)])
    comment = ("+ null_resource.web will be created\n    triggers = {\"name\": \"web\"}\n" * 800)[:65536]
    assert redactor.redact(comment) == comment

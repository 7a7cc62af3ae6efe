"""Webhook signatures are checked exactly as GitHub computes them."""

from __future__ import annotations

import pytest

from controller.errors import SignatureInvalid
from controller.webhooks import signature

# From GitHub's documentation "Validating webhook deliveries": secret
# "It's a Secret to Everybody", payload "Hello, World!".
DOC_SECRET = "It's a Secret to Everybody"
DOC_BODY = b"Hello, World!"
DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_signing_matches_githubs_documented_example() -> None:
    assert signature.sign(DOC_SECRET, DOC_BODY) == DOC_SIGNATURE


def test_a_correct_signature_is_accepted() -> None:
    signature.verify(DOC_SECRET, DOC_BODY, DOC_SIGNATURE)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no X-Hub-Signature-256"),
        ("", "no X-Hub-Signature-256"),
        ("sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "must start with"),
        ("sha256=" + "0" * 64, "does not match"),
        (DOC_SIGNATURE[:-1] + "f", "does not match"),
    ],
)
def test_missing_or_wrong_signatures_are_refused(header: str | None, reason: str) -> None:
    with pytest.raises(SignatureInvalid, match=reason):
        signature.verify(DOC_SECRET, DOC_BODY, header)


def test_a_tampered_body_is_refused() -> None:
    with pytest.raises(SignatureInvalid):
        signature.verify(DOC_SECRET, DOC_BODY + b" ", DOC_SIGNATURE)


def test_an_empty_secret_refuses_everything() -> None:
    with pytest.raises(SignatureInvalid, match="not configured"):
        signature.verify("", DOC_BODY, signature.sign("x", DOC_BODY))

"""Pieces of secrets: what redaction masks besides the whole value. Pure, no I/O.

Exact matching misses a secret that was changed on its way out: ``upper()``,
``substr()``, ``strrev()``, ``base64encode()`` then cut short, one field of a
JSON credential, a value truncated for display. Every secret therefore also
contributes its *fragments*: every window of ``FRAGMENT_LENGTH`` characters
of the secret, of its reversal, of its JSON-escaped and URL-encoded forms,
of its hex encoding and of its base64 encodings (standard and URL-safe, from
each of the three byte offsets, so that the base64 of any piece of the secret
contains windows of one of them). Matching is ASCII case-insensitive, so
``upper()``/``lower()`` and upper-case hex change nothing.

False positives. A window made only of letters and the usual word
separators (``sensitive-``, ``producti``) or with fewer than
``MIN_DISTINCT`` different characters (``00000000``, ``abababab``) is not a fragment: it
would mask ordinary words all over a comment. A window counts when it holds
a digit, mixes upper and lower case, or holds another symbol. Secrets
shorter than ``MIN_SECRET`` give no fragments (their exact forms are still
masked). Inside one token (a run of non-space characters), everything between
the first and the last fragment found is masked too, so a low-variety stretch
of a secret (``33363336`` in its hex) between two fragments does not survive.
The price: a leak shorter than ``FRAGMENT_LENGTH`` characters, or a fragment of
a secret made only of lower-case words, is not recognised.
"""

from __future__ import annotations

import base64
import json
import functools
import re
import urllib.parse
from collections.abc import Iterable

FRAGMENT_LENGTH = 8
MIN_SECRET = 12
MIN_DISTINCT = 4
_WORDY = frozenset("-_. /")
# Fields of a JSON credential (a GCP service-account key and the like) that are public identifiers,
# shown in plans on purpose; every other string field is a secret of its own.
PUBLIC_CREDENTIAL_FIELDS = frozenset({
    "type", "project_id", "client_email", "client_id", "auth_uri", "token_uri", "auth_provider_x509_cert_url",
    "client_x509_cert_url", "universe_domain", "account", "quota_project_id", "tenant_id", "subscription_id",
    "region", "username", "user",
})
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """ASCII lower case, one character for one (so positions in the folded text are positions in ``text``)."""
    return text.translate(_FOLD)


def credential_fields(secret: str) -> set[str]:
    """The secret string fields of a JSON credential (nested too); nothing for other secrets."""
    stripped = secret.strip()
    if not stripped.startswith("{"):
        return set()
    try:
        document = json.loads(stripped)
    except ValueError:
        return set()
    found: set[str] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and key not in PUBLIC_CREDENTIAL_FIELDS:
                    found.add(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def encodings(secret: str) -> set[str]:
    """The forms whose pieces may leak: the secret, reversed, escaped, hex and base64 from every offset."""
    forms = {secret, secret[::-1], json.dumps(secret)[1:-1], urllib.parse.quote(secret, safe="")}
    raw = secret.encode()
    forms.add(raw.hex())
    for offset in range(3):
        piece = raw[offset:]
        forms.add(base64.b64encode(piece).decode().rstrip("="))
        forms.add(base64.urlsafe_b64encode(piece).decode().rstrip("="))
    return forms


def is_fragment(window: str) -> bool:
    """Whether a window is distinctive enough to mask wherever it appears.

    Windows across whitespace are left out: a leak is a run of non-space characters (a PEM body's
    lines are 64 characters long), and texts are then scanned only along such runs, which keeps
    redaction of a long comment fast."""
    if len(set(window)) < MIN_DISTINCT or any(c.isspace() for c in window):
        return False
    has_digit = any(c.isdigit() for c in window)
    mixed_case = any(c.islower() for c in window) and any(c.isupper() for c in window)
    symbol = any(not c.isalnum() and c not in _WORDY for c in window)
    return has_digit or mixed_case or symbol


@functools.lru_cache(maxsize=20_000)  # the leak guard rebuilds its redactor after every plan
def windows(secret: str) -> frozenset[str]:
    """The case-folded fragments of ``secret`` (empty for a short one)."""
    if len(secret) < MIN_SECRET:
        return frozenset()
    found: set[str] = set()
    for form in encodings(secret):
        for start in range(len(form) - FRAGMENT_LENGTH + 1):
            window = form[start:start + FRAGMENT_LENGTH]
            if is_fragment(window):
                found.add(fold(window))
    return frozenset(found)


class FragmentIndex:
    """Finds where any fragment of known secrets appears in a text."""

    __slots__ = ("_windows",)

    def __init__(self, fragments: Iterable[str] = ()) -> None:
        self._windows = frozenset(fragments)

    def __len__(self) -> int:
        return len(self._windows)

    def __or__(self, other: FragmentIndex) -> FragmentIndex:
        return FragmentIndex(self._windows | other._windows)

    @classmethod
    def of(cls, secrets: Iterable[str]) -> FragmentIndex:
        found: set[str] = set()
        for secret in secrets:
            found |= windows(secret)
        return cls(found)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` of every window of ``text`` that is a known fragment (overlaps merge later)."""
        if not self._windows or len(text) < FRAGMENT_LENGTH:
            return []
        folded, known, size = fold(text), self._windows, FRAGMENT_LENGTH
        found = []
        for run in _RUN.finditer(folded):
            start, end = run.span()
            here = [(i, i + size) for i in range(start, end - size + 1) if folded[i:i + size] in known]
            if len(here) >= 2:  # what lies between two pieces of a secret inside one token is the secret too
                here.append((here[0][0], here[-1][1]))  # (a stretch like "33363336" is no fragment of its own)
            found += here
        return found


_RUN = re.compile(r"\S{%d,}" % FRAGMENT_LENGTH)

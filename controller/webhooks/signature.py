"""`X-Hub-Signature-256` verification (pure).

GitHub signs the raw request body with HMAC-SHA256 keyed by the hook's
secret and sends ``sha256=<hex>``. We compare in constant time and check
nothing else here: replay and size limits live with the receiver.
"""

from __future__ import annotations

import hashlib
import hmac

from ..errors import SignatureInvalid

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(secret: str | bytes, body: bytes) -> str:
    """The header value GitHub would send for ``body``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return _PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(secret: str | bytes, body: bytes, header_value: str | None) -> None:
    """Raise ``SignatureInvalid`` unless ``header_value`` signs ``body``."""
    if not secret:
        # A controller without a secret would accept anyone's deliveries.
        raise SignatureInvalid("webhook secret is not configured; refusing unsigned deliveries")
    if not header_value:
        raise SignatureInvalid(f"delivery has no {HEADER} header")
    if not header_value.startswith(_PREFIX):
        raise SignatureInvalid(f"{HEADER} must start with {_PREFIX!r}")
    expected = sign(secret, body)
    if not hmac.compare_digest(expected.encode(), header_value.strip().encode()):
        raise SignatureInvalid(f"{HEADER} does not match the body")

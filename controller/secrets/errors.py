"""Errors of the secrets package, all under ``CloudOpsError``.

They live here (not in ``controller/errors.py``) only to keep this package
self-contained while others edit that file; the tree is::

    CloudOpsError
    └── SecretsError                credentials, master keys, recovery codes
        ├── CredentialsInvalid      input that is not a usable credential (never quotes it)
        ├── MasterKeyError          no key, a malformed key, a key file others may read
        ├── DecryptionFailed        wrong key, a record moved to another guild, tampering
        └── RecoveryCodeInvalid     another user's code, damaged or tampered
            └── RecoveryCodeExpired
"""

from __future__ import annotations

from ..errors import CloudOpsError


class SecretsError(CloudOpsError):
    """Something about stored secrets cannot be used."""


class CredentialsInvalid(SecretsError):
    hint = "check the file you passed; `cloudops credentials set --help` lists the accepted formats"


class MasterKeyError(SecretsError):
    hint = (
        "set CLOUDOPS_MASTER_KEY (base64 of 32 random bytes) or CLOUDOPS_MASTER_KEY_FILE, "
        "or create one with `cloudops keys generate --out FILE`"
    )


class DecryptionFailed(SecretsError):
    hint = "the master key does not match the one the vault was written with (was it rotated? see `cloudops keys status`)"


class RecoveryCodeInvalid(SecretsError):
    hint = "start again with `/cloud-deploy`"


class RecoveryCodeExpired(RecoveryCodeInvalid):
    pass

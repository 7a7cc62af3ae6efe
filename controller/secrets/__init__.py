"""Secrets: the credentials vault, their injection into runs, redaction, recovery codes.

Modules, and whether they do I/O:

* ``credentials`` (pure): the three credential kinds, parsing and validation;
* ``keys``: master keys from the environment or a 0600 key file, crash-safe rotation;
* ``vault``: encrypted credential records in ``<data dir>/vault.sqlite3``;
* ``injection``: a run's environment variables and 0600 files, removed afterwards;
* ``redact`` (pure): masking secrets and token shapes in text, data and log records;
* ``recovery`` (pure): sealed, expiring, per-user session recovery codes.

Import the modules (``from controller.secrets import vault``), not their names.
"""

"""`cloudops keys status|generate|rotate`: the vault's master key.

``rotate`` with a key file generates a new key, re-encrypts every record in
one transaction and replaces the file (crash-safe, see
``controller.secrets.keys``). With ``CLOUDOPS_MASTER_KEY`` the operator owns the
key: generate one (``keys generate --out FILE``), set it as
``CLOUDOPS_MASTER_KEY`` with the old one in ``CLOUDOPS_MASTER_KEY_OLD``, then
``rotate`` re-encrypts everything under the new key. No key is ever printed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from controller.settings import Settings
from controller.secrets import keys as keys_mod
from controller.secrets import vault as vault_mod


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    status = sub.add_parser("status", help="where the key comes from, its id, and which keys the records use")
    status.set_defaults(_action=_status)
    generate = sub.add_parser("generate", help="write a new random key to a new 0600 file (never printed)")
    generate.add_argument("--out", required=True, type=Path, help="a file that does not exist yet")
    generate.set_defaults(_action=_generate)
    rotate = sub.add_parser("rotate", help="re-encrypt every stored credential under a new key")
    rotate.set_defaults(_action=_rotate)


def run(args: argparse.Namespace) -> int:
    return int(args._action(args, Settings.from_env()))


def _status(args: argparse.Namespace, settings: Settings) -> int:
    vault = vault_mod.Vault.open(settings, require_key=False)
    usage = vault.key_usage()
    if vault.keyring is None:
        print("master key: not configured (created on the first `cloudops credentials set`)")
    else:
        ring = vault.keyring
        print(f"master key: {ring.primary.key_id} from {ring.source}")
        for other in ring.others:
            print(f"also accepted: {other.key_id}")
    for key_id, count in sorted(usage.items()):
        print(f"records under {key_id}: {count}")
    if not usage:
        print("records: none")
    return 0


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    key = keys_mod.MasterKey.generate()
    keys_mod.write_key_file(args.out.expanduser(), key)
    print(f"wrote master key {key.key_id} to {args.out} (mode 0600)")
    return 0


def _rotate(args: argparse.Namespace, settings: Settings) -> int:
    vault = vault_mod.Vault.open(settings)
    assert vault.keyring is not None  # Vault.open requires a key by default
    ring = vault.keyring
    if ring.key_file is None:  # the key comes from the environment
        before = vault.key_usage()
        count = vault.rotate(ring.primary)
        print(f"re-encrypted {count} record(s) under master key {ring.primary.key_id} from the environment")
        if set(before) <= {ring.primary.key_id}:
            print(f"note: every record already used this key; to change it, `cloudops keys generate --out FILE`, set "
                  f"{keys_mod.ENV_KEY} to the new key and {keys_mod.ENV_OLD_KEYS} to the old one, then rotate again")
        elif os.environ.get(keys_mod.ENV_OLD_KEYS):
            print(f"{keys_mod.ENV_OLD_KEYS} is no longer needed and can be removed")
        return 0
    new_key = keys_mod.MasterKey.generate()
    staged = keys_mod.stage_new_key(ring.key_file, new_key)
    try:
        count = vault.rotate(new_key)
    except BaseException:
        staged.unlink(missing_ok=True)  # the transaction rolled back: no record uses the new key
        raise
    keys_mod.commit_new_key(ring.key_file, staged, in_use=set(vault.key_usage()))
    print(f"re-encrypted {count} record(s): master key {ring.primary.key_id} → {new_key.key_id} in {ring.key_file}")
    return 0

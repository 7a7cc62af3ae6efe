"""`cloudops credentials set|list|delete`: a guild's cloud credentials in the vault.

``set`` reads the secret from a file or piped stdin, never from the command
line (argv is visible in ``ps`` and shell history) and never from a terminal
(it would echo and stay in the scrollback). Nothing this command prints holds
a secret: only kind, scope, identity (service-account e-mail, masked access key
id, client id), fingerprint and key id.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from controller.settings import Settings
from controller.secrets import credentials as creds_mod
from controller.secrets import vault as vault_mod
from controller.secrets.errors import CredentialsInvalid

KINDS = [k.value for k in creds_mod.Kind]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True

    set_parser = sub.add_parser("set", help="store (or replace) credentials read from a file or stdin",
                                description="Store credentials. The secret is read from --from-file "
                                            "(a path, or - for piped stdin) and is never printed.")
    _scope(set_parser)
    set_parser.add_argument("--kind", required=True, choices=KINDS)
    set_parser.add_argument("--from-file", required=True, metavar="PATH",
                            help="gcp: the service-account key JSON; aws: JSON or ~/.aws/credentials-style lines; "
                                 "azure: JSON (client_id…, or az ad sp output + subscription_id) or ARM_*= lines; "
                                 "- reads piped stdin")
    set_parser.set_defaults(_action=_set)

    list_parser = sub.add_parser("list", help="show what is stored (metadata only, never a secret)")
    list_parser.add_argument("--guild", help="only this guild")
    list_parser.add_argument("--json", action="store_true", help="machine-readable output")
    list_parser.set_defaults(_action=_list)

    delete_parser = sub.add_parser("delete", help="remove stored credentials")
    _scope(delete_parser)
    delete_parser.add_argument("--kind", required=True, choices=KINDS)
    delete_parser.set_defaults(_action=_delete)


def run(args: argparse.Namespace) -> int:
    return int(args._action(args, Settings.from_env()))


def _scope(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--guild", required=True, help="the Discord server (guild) id")
    parser.add_argument("--project", help="only this project (default: every project of the guild)")


def _set(args: argparse.Namespace, settings: Settings) -> int:
    text = _read_secret(args.from_file, args.kind)
    creds = creds_mod.parse(args.kind, text)
    creds_mod.check_scope(args.guild, args.project)
    vault = vault_mod.Vault.open(settings, create_key=True)
    info = vault.put(args.guild, creds, project=args.project)
    print(f"stored {info.kind.value} credentials for {info.scope}: {info.identity}, "
          f"fingerprint {info.fingerprint}, key {info.key_id}")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    infos = vault_mod.Vault.open(settings, require_key=False).list_credentials(args.guild)
    if args.json:
        print(json.dumps([
            {"guild": i.guild_id, "project": i.project, "kind": i.kind.value, "identity": i.identity,
             "fingerprint": i.fingerprint, "key_id": i.key_id, "created_at": i.created_at.isoformat(),
             "updated_at": i.updated_at.isoformat()} for i in infos], indent=2))
        return 0
    if not infos:
        print("no credentials stored" + (f" for guild {args.guild}" if args.guild else ""))
        return 0
    rows = [("GUILD", "PROJECT", "KIND", "IDENTITY", "FINGERPRINT", "KEY", "UPDATED")]
    rows += [(i.guild_id, i.project or "*", i.kind.value, i.identity, i.fingerprint, i.key_id,
              i.updated_at.isoformat(timespec="seconds")) for i in infos]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def _delete(args: argparse.Namespace, settings: Settings) -> int:
    vault = vault_mod.Vault.open(settings, require_key=False)
    scope = f"guild {args.guild}" + (f", project {args.project}" if args.project else "")
    if not vault.delete(args.guild, args.kind, project=args.project):
        print(f"cloudops credentials: no {args.kind} credentials stored for {scope}", file=sys.stderr)
        return 1
    print(f"deleted {args.kind} credentials of {scope}")
    return 0


def _read_secret(source: str, kind: str) -> bytes:
    if source == "-":
        if sys.stdin.isatty():
            raise CredentialsInvalid(f"reading {kind} credentials: stdin is a terminal, which would echo the secret",
                                     hint="pipe the file in (`… --from-file - < key.json`) or pass --from-file PATH")
        data = sys.stdin.buffer.read(creds_mod.MAX_INPUT + 1)
    else:
        path = Path(source).expanduser()
        try:
            with path.open("rb") as handle:
                data = handle.read(creds_mod.MAX_INPUT + 1)
        except OSError as exc:
            raise CredentialsInvalid(f"reading {kind} credentials from {path}: {exc.strerror or exc}") from None
    return data

"""`cloudops locks`: who holds which project, for how long; `--release` frees one (operators)."""

from __future__ import annotations

import argparse

from controller.errors import ConfigError
from controller.settings import Settings
from controller.store import open_store, utc_now


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", help="only this owner/name")
    parser.add_argument("--release", metavar="REPO:PROJECT", help="release this lock whoever holds it")


def _age(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h" if days else f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def run(args: argparse.Namespace) -> int:
    with open_store(Settings.from_env()) as store:
        if args.release:
            repo, sep, project = args.release.rpartition(":")
            if not sep or not repo or not project:
                raise ConfigError(f"--release takes REPO:PROJECT, got {args.release!r}")
            released = store.unlock(repo, project)
            if released is None:
                print(f"{repo}:{project} was not locked")
                return 1
            print(f"released {repo}:{project} (held by #{released.pr_number})")
            return 0
        locks = store.list_locks(repo=args.repo)
        if not locks:
            print("no project is locked")
            return 0
        now = utc_now()
        for lock in locks:
            who = f" by {lock.user}" if lock.user else ""
            print(f"{lock.repo}:{lock.project}  held by #{lock.pr_number}{who}  for {_age(lock.age(now).total_seconds())}")
    return 0

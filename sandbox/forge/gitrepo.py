"""Git operations on the forge's bare repositories, through the git CLI.

Everything a forge does to git without a working tree: read refs, commits,
trees and diffs; write a file as a commit on a branch (a private index file,
never a checkout); merge two branches with `git merge-tree --write-tree`
(git >= 2.38) and `commit-tree`; move refs with compare-and-swap
`update-ref`. Functions are synchronous and meant to run in a worker thread.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

ZERO_SHA = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's well-known empty tree


class GitCommandError(Exception):
    """A git command exited non-zero where that is not an expected outcome."""


@dataclass(frozen=True)
class Identity:
    """Who authored or committed a commit, and when (ISO 8601 or None for now)."""

    name: str
    email: str
    date: str | None = None


def run(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run git against a bare repository with a clean, predictable environment."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    full_env.update({"GIT_DIR": str(repo), "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    full_env.update(env or {})
    proc = subprocess.run(["git", *args], input=input, capture_output=True, env=full_env)
    if check and proc.returncode != 0:
        raise GitCommandError(f"running git {' '.join(args)} in {repo}: {proc.stderr.decode(errors='replace').strip()}")
    return proc


def _out(repo: Path, *args: str, **kw: object) -> str:
    return run(repo, *args, **kw).stdout.decode(errors="replace")  # type: ignore[arg-type]


def _identity_env(author: Identity, committer: Identity) -> dict[str, str]:
    env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
           "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email}
    if author.date:
        env["GIT_AUTHOR_DATE"] = author.date
    if committer.date:
        env["GIT_COMMITTER_DATE"] = committer.date
    return env


def init_bare(repo: Path, default_branch: str) -> None:
    """Create the bare repository, accepting pushes over smart HTTP."""
    repo.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "--bare", "-q", "-b", default_branch, str(repo)], check=True, capture_output=True)
    run(repo, "config", "http.receivepack", "true")


def refs(repo: Path) -> dict[str, str]:
    """Every ref (branches and tags) and the object it points at."""
    text = _out(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    pairs = (line.split(" ", 1) for line in text.splitlines() if line)
    return dict(pairs)


def resolve(repo: Path, rev: str) -> str | None:
    """The commit a branch, tag or sha names, or None."""
    proc = run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def _utc(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def commit(repo: Path, sha: str) -> dict[str, Any]:
    """One commit's metadata: tree, parents, author, committer, message."""
    fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
    fields = _out(repo, "show", "-s", f"--format={fmt}", sha).split("\x00")
    return {
        "sha": fields[0], "tree": fields[1], "parents": fields[2].split(),
        "author": {"name": fields[3], "email": fields[4], "date": _utc(fields[5])},
        "committer": {"name": fields[6], "email": fields[7], "date": _utc(fields[8])},
        "message": fields[9].rstrip("\n"),
    }


def log(repo: Path, head: str, *exclude: str, reverse: bool = False, path: str | None = None) -> list[str]:
    """Commits reachable from head and from none of exclude (touching path), newest first unless reverse."""
    args = ["rev-list", "--topo-order"] + (["--reverse"] if reverse else []) + [head]
    args += [f"^{sha}" for sha in exclude]
    if path:
        args += ["--", path]
    return _out(repo, *args).split()


def merge_base(repo: Path, a: str, b: str) -> str | None:
    proc = run(repo, "merge-base", a, b, check=False)
    return proc.stdout.decode().strip() or None


def diff_files(repo: Path, base: str, head: str) -> list[dict[str, Any]]:
    """Changed files between two commits, with counts, blob sha and patch."""
    raw = _out(repo, "diff", "--raw", "-z", "--no-abbrev", "-M", base, head).split("\x00")
    numstat = _out(repo, "diff", "--numstat", "-z", "-M", base, head)
    counts = _parse_numstat(numstat)
    files: list[dict[str, object]] = []
    i = 0
    while i < len(raw) - 1:
        meta = raw[i].lstrip(":").split()
        status_letter = meta[4][0]
        if status_letter in "RC":
            previous, name = raw[i + 1], raw[i + 2]
            i += 3
        else:
            previous, name = None, raw[i + 1]
            i += 2
        added, deleted = counts.get(name, (0, 0))
        patch = _out(repo, "diff", "-M", base, head, "--", *([previous] if previous else []), name)
        hunk_start = patch.find("\n@@")
        entry: dict[str, object] = {
            "filename": name, "status": _STATUS.get(status_letter, "modified"),
            "additions": added, "deletions": deleted, "changes": added + deleted,
            "sha": meta[3] if status_letter != "D" else meta[2],
            "patch": patch[hunk_start + 1:].rstrip("\n") if hunk_start >= 0 else "",
        }
        if previous:
            entry["previous_filename"] = previous
        files.append(entry)
    return files


_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}


def _parse_numstat(text: str) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = {}
    parts = text.split("\x00")
    i = 0
    while i < len(parts) and parts[i]:
        added, deleted, name = parts[i].split("\t", 2)
        if name == "":  # a rename: the next two fields are old and new path
            name = parts[i + 2]
            i += 3
        else:
            i += 1
        counts[name] = (int(added) if added.isdigit() else 0, int(deleted) if deleted.isdigit() else 0)
    return counts


def read_path(repo: Path, rev: str, path: str) -> tuple[str, str, bytes] | None:
    """(object type, sha, content) of a path at a revision; None if absent.

    A tree's content is its `ls-tree` listing, so callers can list directories.
    """
    spec = f"{rev}:{path.strip('/')}" if path.strip("/") else f"{rev}^{{tree}}"
    proc = run(repo, "rev-parse", "--verify", "--quiet", spec, check=False)
    if proc.returncode != 0:
        return None
    sha = proc.stdout.decode().strip()
    kind = _out(repo, "cat-file", "-t", sha).strip()
    if kind == "tree":
        return kind, sha, run(repo, "ls-tree", "-l", "-z", sha).stdout
    return kind, sha, run(repo, "cat-file", "blob", sha).stdout


def tree_entries(repo: Path, rev: str, recursive: bool) -> tuple[str, list[dict[str, object]]] | None:
    """(tree sha, entries) of a tree, commit or ref; None if it is none of these."""
    proc = run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}", check=False)
    if proc.returncode != 0:
        return None
    sha = proc.stdout.decode().strip()
    args = ["ls-tree", "-l", "-z", "-t"] + (["-r"] if recursive else []) + [sha]
    entries = []
    for record in run(repo, *args).stdout.split(b"\x00"):
        if not record:
            continue
        meta, path = record.decode(errors="replace").split("\t", 1)
        mode, kind, entry_sha, size = meta.split()
        entries.append({"path": path, "mode": mode, "type": kind, "sha": entry_sha,
                        "size": int(size) if size.isdigit() else 0})
    return sha, entries


def write_tree_with_file(repo: Path, parent: str | None, path: str, content: bytes) -> str:
    """The tree of parent with path set to content, built in a private index."""
    blob = _out(repo, "hash-object", "-w", "--stdin", input=content).strip()
    with tempfile.TemporaryDirectory(prefix="forge-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if parent:
            run(repo, "read-tree", parent, env=env)
        run(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path.strip('/')}", env=env)
        return _out(repo, "write-tree", env=env).strip()


def commit_tree(repo: Path, tree: str, parents: list[str], message: str, author: Identity, committer: Identity) -> str:
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    return _out(repo, *args, input=message.encode(), env=_identity_env(author, committer)).strip()


def merge_tree(repo: Path, base: str, head: str) -> str | None:
    """The merged tree of two commits, or None when they conflict."""
    proc = run(repo, "merge-tree", "--write-tree", "--no-messages", base, head, check=False)
    if proc.returncode == 0:
        return proc.stdout.decode().split()[0]
    if proc.returncode == 1:
        return None
    raise GitCommandError(f"running git merge-tree {base} {head}: {proc.stderr.decode(errors='replace').strip()}")


def update_ref(repo: Path, ref: str, new: str, old: str | None = None) -> bool:
    """Move ref to new if it still points at old (ZERO_SHA: must not exist)."""
    args = ["update-ref", ref, new] + ([old] if old is not None else [])
    return run(repo, *args, check=False).returncode == 0


def delete_ref(repo: Path, ref: str) -> bool:
    return run(repo, "update-ref", "-d", ref, check=False).returncode == 0


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    return run(repo, "merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0


def changed_paths(repo: Path, sha: str) -> dict[str, list[str]]:
    """added/removed/modified paths of one commit against its first parent (for push payloads)."""
    parents = commit(repo, sha)["parents"]
    base = parents[0] if parents else EMPTY_TREE  # type: ignore[index]
    result: dict[str, list[str]] = {"added": [], "removed": [], "modified": []}
    for entry in diff_files(repo, str(base), sha):
        key = {"added": "added", "removed": "removed"}.get(str(entry["status"]), "modified")
        result[key].append(str(entry["filename"]))
    return result

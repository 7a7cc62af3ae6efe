"""``nonsensitive()`` in a pull request: refused unless the project allows it (pure).

Terraform keeps anything computed from a ``sensitive`` value sensitive, and
the plan comment shows it as ``(sensitive)``. ``nonsensitive(...)`` is the
one way to take that mark off, so in a PR it is the way to print a secret in
the plan comment. The redactor would still mask the secret's known forms and
fragments; refusing the call removes the hole instead of narrowing it. A
project that really needs it sets ``allow_nonsensitive: true`` in
``cloudops.yaml`` on the default branch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .plan_guard import GuardFinding

_CALL = re.compile(r"\bnonsensitive\s*\(")
_LINE_COMMENT = re.compile(r"^\s*(#|//)")


def nonsensitive_calls(files: Mapping[str, str]) -> list[GuardFinding]:
    """Every ``nonsensitive(`` in the project's ``.tf`` and ``.tf.json`` files, by file and line."""
    findings = []
    for name, text in sorted(files.items()):
        if not name.endswith((".tf", ".tf.json")):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if _CALL.search(line) and not _LINE_COMMENT.match(line):
                findings.append(GuardFinding(f"{name}:{number}", "nonsensitive(...) takes the sensitive mark off a "
                                                                 "value, which would print it in this comment"))
    return findings


def render_refusal(project: str, findings: Iterable[GuardFinding]) -> str:
    lines = "\n".join(f"- {finding}" for finding in findings)
    return (f"The plan of `{project}` was not started: this pull request uses `nonsensitive()`, which would show "
            f"a secret in the plan.\n\n{lines}\n\nRemove it, or have an admin set `allow_nonsensitive: true` for "
            f"`{project}` in `cloudops.yaml` on the default branch.")

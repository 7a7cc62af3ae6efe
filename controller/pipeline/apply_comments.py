"""PR comment bodies of the apply side (pure, golden-file tested)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

_FENCE = "```"


def _block(text: str) -> str:
    return f"{_FENCE}text\n{text.rstrip()}\n{_FENCE}"


def progress(project: str, run_id: str, actor: str, rendered: str) -> str:
    return (
        f"### Applying project `{project}`\n\n"
        f"Started by @{actor} · run `{run_id}`\n\n"
        f"{_block(rendered)}\n\n"
        f"Comment `cloudops cancel -p {project}` to stop it (terraform is interrupted gracefully).\n"
    )


def _outputs(outputs: Mapping[str, object]) -> str:
    if not outputs:
        return ""
    lines = "\n".join(f"| `{name}` | `{json.dumps(value, ensure_ascii=False)}` |" for name, value in sorted(outputs.items()))
    return f"\n\n| output | value |\n| --- | --- |\n{lines}"


def finished(project: str, run_id: str, rendered: str, outputs: Mapping[str, object], succeeded: bool,
             cancelled: bool, failed_resources: Sequence[str], error: str = "", *, timed_out: bool = False) -> str:
    if succeeded:
        head = f"### Applied project `{project}`"
        tail = "The project stays locked by this pull request until it is merged or closed."
    elif cancelled:
        head = f"### Apply of project `{project}` was cancelled"
        tail = ("Terraform was interrupted gracefully; what it finished is recorded in the state. "
                "The project stays locked: re-plan to see where things stand.")
    elif timed_out:
        head = f"### Apply of project `{project}` timed out"
        tail = ("Terraform was stopped at the time limit (`CLOUDOPS_APPLY_TIMEOUT`); what it finished is recorded "
                "in the state. The project stays locked: re-plan to see where things stand.")
    else:
        failed = ", ".join(f"`{r}`" for r in failed_resources) or "see the output"
        head = f"### Apply of project `{project}` failed: {failed}"
        tail = ("Resources applied before the error are kept in the state. The project stays locked: "
                "fix the cause, push, and apply the new plan.")
    detail = f"\n\n<details><summary>What terraform said</summary>\n\n{_block(error)}\n\n</details>" if error and not (succeeded or cancelled) else ""
    return f"{head}\n\nRun `{run_id}`\n\n{_block(rendered)}{_outputs(outputs)}{detail}\n\n{tail}\n"


def nothing_to_apply(project: str, sha: str) -> str:
    return f"### Nothing to apply in project `{project}`\n\nThe plan of `{sha[:12]}` has no changes.\n"


def interrupted(project: str, run_id: str, kind: str) -> str:
    return (
        f"### The {kind} of project `{project}` was interrupted\n\n"
        f"The controller stopped while run `{run_id}` was in flight. Nothing will resume it on its own, "
        f"and the project lock is kept.\n\n"
        f"**Next:** comment `cloudops plan -p {project}` to see the actual state, then apply again.\n"
    )

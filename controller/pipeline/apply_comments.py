"""PR comment bodies of the apply side (pure, golden-file tested)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

_FENCE = "```"
# The last line of a successful apply comment while the PR is open; replaced once it is merged or closed.
STAYS_LOCKED = "The project stays locked by this pull request until it is merged or closed."


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
        tail = STAYS_LOCKED
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


def _addresses(addresses: Sequence[str], limit: int = 50) -> str:
    shown = "\n".join(f"- `{a}`" for a in addresses[:limit])
    more = f"\n- … and {len(addresses) - limit} more" if len(addresses) > limit else ""
    return shown + more


def recovered_apply(project: str, run_id: str, *, applied: Sequence[str], not_applied: Sequence[str],
                    errored: Sequence[str], finished: bool, survivor: str, state: str) -> str:
    """An apply cut off by a controller crash, told as it ended: what is live now, what is not."""
    complete = finished and not not_applied and not errored
    head = (f"### Applied project `{project}` (finished while the controller restarted)" if complete
            else f"### Apply of project `{project}` was interrupted by a controller restart")
    parts = [head, f"Run `{run_id}` · {survivor}"]
    total = len(applied) + len(not_applied) + len(errored)
    parts.append(f"**Applied: {len(applied)} of {total}**" + (f"\n\n{_addresses(applied)}" if applied else ""))
    if not_applied:
        parts.append(f"**Not applied: {len(not_applied)}**\n\n{_addresses(not_applied)}")
    if errored:
        parts.append(f"**Failed or cut off: {len(errored)}**\n\n{_addresses(errored)}\n\n"
                     "Terraform may have created these and kept them as *tainted*: the next plan replaces them.")
    parts.append(state)
    if complete:
        parts.append(STAYS_LOCKED)
    else:
        parts.append(f"The project stays locked. **Next:** comment `cloudops plan -p {project}` to plan what is "
                     "left against the saved state, review it, then apply.")
    return "\n\n".join(parts) + "\n"


def replanning_after_restart(project: str, run_id: str) -> str:
    return (
        f"### The plan of project `{project}` was interrupted by a controller restart\n\n"
        f"Run `{run_id}` never finished; nothing was applied. It is planned again now; this comment is "
        f"replaced by the new plan.\n"
    )


_OPEN_TAILS = (
    STAYS_LOCKED,
    "The project stays locked: re-plan to see where things stand.",
    "The project stays locked: fix the cause, push, and apply the new plan.",
)


def after_close(body: str, *, project: str, merged: bool, merge_sha: str | None, lock_kept: bool) -> str:
    """An apply comment edited once its PR is merged or closed, so no line speaks of the open PR."""
    if merged:
        note = (f"**Merged** as `{(merge_sha or '')[:12]}`: the default branch now describes what was applied; "
                f"the lock of `{project}` is released.")
    elif lock_kept:
        note = (f"**Closed without merging**: what this pull request applied is live, but the default branch does "
                f"not describe it. The lock of `{project}` is kept (`pipeline.on_close_applied: keep_lock`).")
    else:
        note = (f"**Closed without merging**: what this pull request applied is live, but the default branch does "
                f"not describe it. The lock of `{project}` was released (`pipeline.on_close_applied: release`).")
    lines = body.rstrip("\n").split("\n")
    # Drop the open-PR tail (terraform's progress block above it stays as it was).
    for tail in _OPEN_TAILS:
        for i in range(len(lines) - 1, -1, -1):
            if tail in lines[i]:
                lines[i] = lines[i].replace(tail, "").rstrip()
    kept = "\n".join(lines).rstrip()
    kept = "\n".join(l for l in kept.split("\n") if not l.startswith("**Merged** as `") and not l.startswith("**Closed without merging**"))
    return f"{kept.rstrip()}\n\n{note}\n"


def closed_with_live_resources(project: str, number: int, applied: Mapping[str, str], lock_kept: bool,
                               unknown: bool = False) -> str:
    """Told on a PR closed unmerged after an apply: what is live, and how to end it."""
    symbols = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "forget": "forget"}
    listing = "\n".join(f"{symbols.get(action, '·')} {address}" for address, action in sorted(applied.items()))
    what = (_block(listing) if applied else
            "The controller does not know exactly which resources (the apply records none); see the apply comment.")
    lock = (f"The lock of `{project}` is **kept**, so no other pull request's plan destroys these by surprise."
            if lock_kept else f"The lock of `{project}` was **released**: the next plan of `{project}` from another "
            "pull request will show these resources as destroys.")
    return (
        f"### Closed with live resources in project `{project}`\n\n"
        f"Pull request #{number} was applied but closed without merging. Applied by it and live now"
        f"{' (at least)' if unknown else ''}:\n\n{what}\n\n{lock}\n\n"
        f"**Next**, one of:\n"
        f"- reopen this pull request and merge it, so the default branch describes what is live;\n"
        f"- open a pull request that removes these resources from `projects/{project}/` "
        f"(`cloudops rollback {project} --pr {number}` makes one) and apply it;\n"
        f"- or, once someone has dealt with them, an admin releases the lock with `cloudops unlock` on this pull "
        f"request or `cloudops locks --release REPO:{project}`.\n"
    )

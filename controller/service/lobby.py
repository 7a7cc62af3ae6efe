"""The deployment session ("lobby"): its state and how it looks.

Pure. ``Lobby`` is what the session store keeps (as JSON) and what the PR
events move on; :func:`render` turns it, with an ``Assessment`` (cost,
policy, quota), into the reply every front end shows. Button states are
decided here and only here, so Discord, the console and the tests agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from ..catalog.specs import Kind, Target
from .replies import Button, ButtonStyle, Colour, Field, Option, Reply, Select, component_id


class LobbyStatus(StrEnum):
    DRAFT = "draft"
    PLANNING = "planning"
    PLAN_READY = "plan_ready"
    PLAN_FAILED = "plan_failed"
    APPLYING = "applying"
    APPLIED = "applied"
    APPLY_FAILED = "apply_failed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


PR_OPEN = {LobbyStatus.PLANNING, LobbyStatus.PLAN_READY, LobbyStatus.PLAN_FAILED, LobbyStatus.APPLY_FAILED}
FINISHED = {LobbyStatus.APPLIED, LobbyStatus.CLOSED, LobbyStatus.CANCELLED}


@dataclass
class Draft:
    """One requested resource: its kind and typed values (JSON-safe)."""

    kind: Kind
    values: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.values.get("name", "?"))

    @property
    def key(self) -> str:
        return f"{self.kind.value}-{self.name}"


@dataclass
class PlanInfo:
    run_id: str
    head_sha: str
    add: int
    change: int
    destroy: int
    has_changes: bool
    policy_passed: bool
    cost_summary: str | None = None


@dataclass
class Lobby:
    id: str
    guild_id: str
    user_id: str
    member: str
    repo: str
    project: str
    target: Target
    region: str
    resources: list[Draft] = field(default_factory=list)
    status: LobbyStatus = LobbyStatus.DRAFT
    branch: str | None = None
    pr_number: int | None = None
    pr_url: str | None = None
    head_sha: str | None = None  # the PR head we last heard of
    plan: PlanInfo | None = None
    progress: str = ""
    result: str = ""
    last_attempt: dict[str, Any] = field(default_factory=dict)  # {kind: raw values} to prefill a retry
    # Kept from the moment the PR opened, so cost, budget and policy survive every re-render.
    assessment: dict[str, Any] = field(default_factory=dict)
    apply_on: str = "approve"  # the project's rule when the PR opened: approve | merge
    automerge: bool = False
    merged: bool = False
    merge_sha: str | None = None
    rendered: int | None = None  # terraform resources the PR's files add, to explain a larger plan
    waiting_on: int | None = None  # the PR whose project lock the last plan waited for
    replan: bool = False  # that lock was released: offer "Plan again"

    def draft(self, key: str) -> Draft | None:
        return next((d for d in self.resources if d.key == key or d.name == key), None)

    def plan_is_fresh(self) -> bool:
        return self.plan is not None and self.plan.head_sha == self.head_sha

    def to_state(self) -> dict[str, Any]:
        state = asdict(self)
        state["resources"] = [{"kind": d.kind.value, "values": d.values} for d in self.resources]
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Lobby:
        data = dict(state)
        data["target"] = Target(data["target"])
        data["status"] = LobbyStatus(data["status"])
        data["resources"] = [Draft(Kind(r["kind"]), dict(r["values"])) for r in data.get("resources", [])]
        data["plan"] = PlanInfo(**data["plan"]) if data.get("plan") else None
        return cls(**data)


@dataclass(frozen=True)
class Assessment:
    """What the lobby knows before a plan: cost and policy per pre-flight, quota from the repo."""

    costs: dict[str, str] = field(default_factory=dict)  # draft key -> "$12.34/mo"
    total: str | None = None  # None: not estimated
    cost_note: str = ""
    policy_passed: bool | None = None  # None: not checked
    policy_lines: tuple[str, ...] = ()
    quota_problems: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # drafts that no longer make a valid resource (e.g. a network removed)

    @property
    def blocks_pr(self) -> bool:
        return bool(self.quota_problems) or bool(self.problems) or self.policy_passed is False

    def to_state(self) -> dict[str, Any]:
        state = asdict(self)
        state["policy_lines"], state["quota_problems"] = list(self.policy_lines), list(self.quota_problems)
        state["problems"] = list(self.problems)
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Assessment:
        known = {f: state[f] for f in ("costs", "total", "cost_note", "policy_passed") if f in state}
        return cls(**known, policy_lines=tuple(state.get("policy_lines", ())),
                   quota_problems=tuple(state.get("quota_problems", ())), problems=tuple(state.get("problems", ())))


_STATUS_TEXT = {
    LobbyStatus.DRAFT: "Add resources, then open a pull request.",
    LobbyStatus.PLANNING: "Pull request open — planning…",
    LobbyStatus.PLAN_READY: "Plan ready.",
    LobbyStatus.PLAN_FAILED: "The plan failed.",
    LobbyStatus.APPLYING: "Applying…",
    LobbyStatus.APPLIED: "Applied.",  # see _status_line: merged or not
    LobbyStatus.APPLY_FAILED: "The apply failed.",
    LobbyStatus.CLOSED: "Pull request closed.",
    LobbyStatus.CANCELLED: "Session cancelled.",
}
_COLOURS = {
    LobbyStatus.APPLIED: Colour.SUCCESS, LobbyStatus.PLAN_FAILED: Colour.ERROR, LobbyStatus.APPLY_FAILED: Colour.ERROR,
    LobbyStatus.APPLYING: Colour.PROGRESS, LobbyStatus.PLANNING: Colour.PROGRESS, LobbyStatus.CLOSED: Colour.WARNING,
    LobbyStatus.CANCELLED: Colour.WARNING,
}


def describe(draft: Draft) -> str:
    shown = {k: v for k, v in draft.values.items() if k != "name" and v not in (None, "", [], {})}
    parts = []
    for key, value in shown.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = ", ".join(f"{s.get('name')}={s.get('cidr')}" for s in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ",".join(map(str, value))
        parts.append(f"{key}={value}")
    return " · ".join(parts)


def plan_ready(lobby: Lobby) -> bool:
    """A fresh plan of the PR's head that passed policy and changes something."""
    return (lobby.status == LobbyStatus.PLAN_READY and lobby.plan_is_fresh() and lobby.plan is not None
            and lobby.plan.policy_passed and lobby.plan.has_changes)


def buttons(lobby: Lobby, assessment: Assessment) -> tuple[Button, ...]:
    """Every button the lobby can show, enabled only when its action can succeed."""
    sid = lobby.id
    s = lobby.status
    if s == LobbyStatus.DRAFT:
        has = bool(lobby.resources)
        return (
            Button(component_id("add", sid), "Add", ButtonStyle.PRIMARY),
            Button(component_id("remove", sid), "Remove", ButtonStyle.SECONDARY, disabled=not has),
            Button(component_id("open-pr", sid), "Open pull request", ButtonStyle.SUCCESS,
                   disabled=not has or assessment.blocks_pr),
            Button(component_id("cancel", sid), "Cancel", ButtonStyle.DANGER),
        ) + ((Button(component_id("resources", sid, "0"), "All resources", ButtonStyle.SECONDARY),)
             if len(lobby.resources) > RESOURCE_FIELDS else ())
    out: list[Button] = []
    if s in (LobbyStatus.PLAN_READY, LobbyStatus.APPLY_FAILED) and not lobby.merged:
        if lobby.apply_on == "merge":  # the merge is the approval; the pipeline applies after it
            out.append(Button(component_id("merge", sid), "Merge & apply", ButtonStyle.SUCCESS,
                              disabled=not plan_ready(lobby)))
        else:
            out.append(Button(component_id("approve", sid), "Approve & apply", ButtonStyle.SUCCESS,
                              disabled=not plan_ready(lobby)))
    if lobby.replan and s in (LobbyStatus.PLANNING, LobbyStatus.PLAN_FAILED) and not lobby.merged:
        out.append(Button(component_id("plan", sid), "Plan again", ButtonStyle.PRIMARY))
    if s == LobbyStatus.APPLIED and not lobby.merged and not lobby.automerge:
        out.append(Button(component_id("merge", sid), "Merge", ButtonStyle.SUCCESS))
    if s in PR_OPEN and not lobby.merged:
        out.append(Button(component_id("close-pr", sid), "Close PR", ButtonStyle.DANGER))
    if lobby.pr_url:
        out.append(Button(component_id("link", sid), f"PR #{lobby.pr_number}", ButtonStyle.LINK, url=lobby.pr_url))
    if len(lobby.resources) > RESOURCE_FIELDS:
        out.append(Button(component_id("resources", sid, "0"), "All resources", ButtonStyle.SECONDARY))
    return tuple(out)


def kind_select(session_id: str) -> Select:
    return Select(component_id("kind", session_id), "Choose what to add",
                  tuple(Option(k.value, k.value.capitalize()) for k in Kind))


def sessions_select(session_id: str, others: list[Lobby]) -> Select:
    """Pick another of one's sessions to bring back (``/cloud-recover-session`` lists them)."""
    return Select(component_id("recover-pick", session_id), "Bring back another session",
                  tuple(Option(o.id, f"{o.id} · {o.project} · {o.status.value}"[:100],
                               ", ".join(d.key for d in o.resources)[:100] or "no resources yet") for o in others[:25]))


# Discord's limits, kept here so every front end pages alike: 25 fields and 25 select options.
RESOURCE_FIELDS = 18  # resource fields on the lobby itself; totals, policy, plan, progress follow
PAGE_FIELDS = 20  # resources per page of the "All resources" list
SELECT_OPTIONS = 25
REMOVE_SELECTS = 4  # selects per remove page (a message has five rows; one holds the page buttons)


def remove_selects(lobby: Lobby, page: int = 0) -> tuple[Select, ...]:
    """Every resource can be removed: 25 per select, four selects per page."""
    per_page = SELECT_OPTIONS * REMOVE_SELECTS
    chunk = lobby.resources[page * per_page:(page + 1) * per_page]
    return tuple(
        Select(component_id("remove-pick", lobby.id, str(page * REMOVE_SELECTS + i)),
               f"Choose what to remove ({start + 1}–{start + len(part)} of {len(lobby.resources)})",
               tuple(Option(d.key, d.key[:100], describe(d)[:100]) for d in part))
        for i, start in enumerate(range(0, len(chunk), SELECT_OPTIONS))
        for part in [chunk[start:start + SELECT_OPTIONS]]
        if part
    )


def remove_select(lobby: Lobby) -> Select:
    return remove_selects(lobby)[0]


def pages(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def resources_page(lobby: Lobby, assessment: Assessment, page: int) -> Reply:
    """One page of a large lobby's resources, with the totals that every page repeats."""
    assessment = effective(lobby, assessment)
    total_pages = pages(len(lobby.resources), PAGE_FIELDS)
    page = max(0, min(page, total_pages - 1))
    shown = lobby.resources[page * PAGE_FIELDS:(page + 1) * PAGE_FIELDS]
    fields = [_resource_field(d, assessment) for d in shown]
    fields.append(Field("Monthly cost", assessment.total or "not estimated", inline=True))
    fields.append(Field("Policy", _policy_text(lobby, assessment), inline=True))
    nav = []
    if page > 0:
        nav.append(Button(component_id("resources", lobby.id, str(page - 1)), "Previous", ButtonStyle.SECONDARY))
    if page + 1 < total_pages:
        nav.append(Button(component_id("resources", lobby.id, str(page + 1)), "Next", ButtonStyle.SECONDARY))
    return Reply(title=f"Resources of session {lobby.id} — page {page + 1}/{total_pages}",
                 description=f"{len(lobby.resources)} resources requested for {lobby.project}.",
                 fields=tuple(fields), buttons=tuple(nav), ephemeral=True)


def _resource_field(draft: Draft, assessment: Assessment) -> Field:
    cost = assessment.costs.get(draft.key)
    return Field(f"{draft.kind.value} · {draft.name}", f"{describe(draft) or 'defaults'}\n{cost or 'cost not estimated'}")


def _status_line(lobby: Lobby) -> str:
    if lobby.status == LobbyStatus.APPLIED:
        if lobby.merged:
            return "Applied and merged."
        return "Applied; merging automatically…" if lobby.automerge else "Applied; the pull request is not merged yet."
    if lobby.merged and lobby.status in (LobbyStatus.PLAN_READY, LobbyStatus.APPLYING):
        return "Merged — applying…"
    return _STATUS_TEXT[lobby.status]


def effective(lobby: Lobby, assessment: Assessment) -> Assessment:
    """The assessment given, or (for a re-render after the PR opened) the one kept in the lobby."""
    if assessment == Assessment() and lobby.assessment:
        return Assessment.from_state(lobby.assessment)
    return assessment


def render(lobby: Lobby, assessment: Assessment) -> Reply:
    assessment = effective(lobby, assessment)
    lines = [_status_line(lobby)]
    fields: list[Field] = [_resource_field(d, assessment) for d in lobby.resources[:RESOURCE_FIELDS]]
    hidden = lobby.resources[RESOURCE_FIELDS:]
    if hidden:  # a large lobby: a summary here, every resource on its pages (totals are always shown)
        kinds: dict[str, int] = {}
        for d in lobby.resources:
            kinds[d.kind.value] = kinds.get(d.kind.value, 0) + 1
        listing = ", ".join(d.name for d in hidden)
        fields.append(Field(f"… and {len(hidden)} more ({len(lobby.resources)} in all)",
                            (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + "\n" + listing)[:1000]))
    if not lobby.resources:
        lines.append("No resources yet: press **Add** (or attach a YAML/CSV file to `/cloud-deploy`).")
    total = assessment.total or "not estimated"
    fields.append(Field("Monthly cost", total + (f"\n{assessment.cost_note}" if assessment.cost_note else ""), inline=True))
    fields.append(Field("Policy", _policy_text(lobby, assessment), inline=True))
    if assessment.quota_problems:
        fields.append(Field("Quota exceeded", "\n".join(assessment.quota_problems)))
    if assessment.problems:
        fields.append(Field("Fix before opening a PR", "\n".join(assessment.problems)[:1000]))
    if lobby.plan is not None:
        p = lobby.plan
        plan_text = f"+{p.add} ~{p.change} −{p.destroy}" + ("" if lobby.plan_is_fresh() else " (stale: the PR changed)")
        if lobby.rendered is not None and p.add > lobby.rendered:
            plan_text += (f"\n{lobby.rendered} of the {p.add} to add come from this request; the other {p.add - lobby.rendered} "
                          "are already on the default branch but not in the saved state (never applied, or replaced)"
                          " — see the plan on the PR")
        if p.cost_summary:
            plan_text += f"\n{p.cost_summary}"
        fields.append(Field("Plan", plan_text))
    if lobby.progress:
        fields.append(Field("Progress", lobby.progress))
    if lobby.result:
        fields.append(Field("Result", lobby.result))
    if lobby.status == LobbyStatus.APPLIED and lobby.merged and lobby.pr_number is not None:
        lines.append(f"Now in **{lobby.project}**: " + ", ".join(f"{d.kind.value} `{d.name}`" for d in lobby.resources)
                     + f" · {assessment.total or 'cost not estimated'}"
                     + (f" · PR #{lobby.pr_number}: {lobby.pr_url}" if lobby.pr_url else ""))
        fields.append(Field("Roll back", f"`/cloud-rollback project:{lobby.project} pr:{lobby.pr_number}` opens a revert "
                                         "PR that goes through plan and approval like this one"))
    footer = f"session {lobby.id} · {lobby.repo} · {lobby.target.value}/{lobby.region}"
    return Reply(
        title=f"Deploy to {lobby.project}" + (f" — PR #{lobby.pr_number}" if lobby.pr_number else ""),
        description="\n".join(lines),
        fields=tuple(fields),
        colour=_COLOURS.get(lobby.status, Colour.INFO),
        buttons=buttons(lobby, assessment),
        footer=footer,
        session=lobby.id,
    )


def _policy_text(lobby: Lobby, assessment: Assessment) -> str:
    if lobby.plan is not None:
        return "passed" if lobby.plan.policy_passed else "denied (see the PR comment)"
    if assessment.policy_passed is None:
        return "policy not checked" + (f"\n{assessment.policy_lines[0]}" if assessment.policy_lines else "")
    head = "passed" if assessment.policy_passed else "denied"
    lines = [line for line in assessment.policy_lines if line != head]  # a clean pass says "passed" once
    return "\n".join((head, *lines))[:1000]

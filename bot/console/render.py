"""A service ``Reply`` as rich renderables, and its choices as a numbered list. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from controller.service.replies import ButtonStyle, Colour, Reply

STYLES = {Colour.INFO: "blue", Colour.SUCCESS: "green", Colour.WARNING: "yellow", Colour.ERROR: "red",
          Colour.PROGRESS: "magenta"}


@dataclass(frozen=True)
class Choice:
    number: int
    label: str
    custom_id: str
    values: tuple[str, ...] = ()
    disabled: bool = False
    url: str | None = None


def choices(reply: Reply) -> list[Choice]:
    """Select options first (each option is a choice), then buttons; numbered from 1."""
    out: list[Choice] = []
    for select in reply.selects:
        for option in select.options:
            out.append(Choice(len(out) + 1, option.label, select.id, (option.value,), select.disabled))
    for button in reply.buttons:
        if button.style == ButtonStyle.LINK:
            continue
        out.append(Choice(len(out) + 1, button.label, button.id, (), button.disabled))
    return out


def panel(reply: Reply) -> RenderableType:
    parts: list[RenderableType] = []
    if reply.description:
        parts.append(Text(reply.description))
    if reply.fields:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        for field in reply.fields:
            table.add_row(field.name, field.value)
        parts.append(table)
    links = [b for b in reply.buttons if b.style == ButtonStyle.LINK and b.url]
    for link in links:
        parts.append(Text(f"{link.label}: {link.url}", style="underline"))
    listed = choices(reply)
    if listed:
        line = Text()
        for c in listed:
            line.append(f"[{c.number}] {c.label}  ", style="dim strike" if c.disabled else "bold cyan")
        parts.append(line)
    for attachment in reply.attachments:
        parts.append(Text(f"— {attachment.filename} —", style="bold"))
        parts.append(Text(attachment.content.decode("utf-8", "replace")))
    return Panel(Group(*parts) if parts else Text(""), title=reply.title, subtitle=reply.footer or None,
                 border_style=STYLES[reply.colour], expand=False)


def pick(listed: list[Choice], typed: str) -> Choice | None:
    """A choice by number or by (the start of) its label, case-insensitive."""
    typed = typed.strip().lower()
    if typed.isdigit():
        return next((c for c in listed if c.number == int(typed)), None)
    exact = [c for c in listed if c.label.lower() == typed]
    if exact:
        return exact[0]
    starts = [c for c in listed if c.label.lower().startswith(typed)]
    return starts[0] if len(starts) == 1 else None


def progress_line(reply: Reply) -> Text:
    """An apply-progress reply as one line: ``Apply of web — PR #1  ████░░ 40%  Creating vm_api… · 2/5 · 8s elapsed``."""
    lines = [line.strip() for line in reply.description.splitlines() if line.strip()]
    out = Text(reply.title, style="bold")
    if lines:
        out.append("  " + "  ".join(lines[:1]), style=STYLES[reply.colour])
    if len(lines) > 1:
        out.append("  " + " · ".join(lines[1:]))
    return out

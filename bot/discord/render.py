"""A service ``Reply`` as a Discord embed and view. No I/O.

Limits are Discord's: 25 fields, 256-char titles and field names,
1024-char field values, 4096-char descriptions, 6,000 characters in all
per embed, five components per row, five rows, 25 options per select.
The service pages large lobbies; these guards make any reply fit anyway,
cutting the longest texts first and saying what was left out.
"""

from __future__ import annotations

import io

import discord

from controller.service.replies import ButtonStyle, Colour, Reply

COLOURS: dict[Colour, discord.Colour] = {
    Colour.INFO: discord.Colour.blurple(),
    Colour.SUCCESS: discord.Colour.green(),
    Colour.WARNING: discord.Colour.orange(),
    Colour.ERROR: discord.Colour.red(),
    Colour.PROGRESS: discord.Colour.gold(),
}
STYLES: dict[ButtonStyle, discord.ButtonStyle] = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.SUCCESS: discord.ButtonStyle.success,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
    ButtonStyle.LINK: discord.ButtonStyle.link,
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


MAX_FIELDS = 25
EMBED_TOTAL = 6000


def _fit_fields(fields: list[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """At most 25 fields: the first 24 and a last one naming what did not fit."""
    if len(fields) <= MAX_FIELDS:
        return fields
    left = fields[MAX_FIELDS - 1:]
    return fields[:MAX_FIELDS - 1] + [(f"… and {len(left)} more", _cut(", ".join(n for n, _, _ in left), 1024), False)]


def embed(reply: Reply) -> discord.Embed:
    title = _cut(reply.title, 256)
    description = _cut(reply.description, 4096)
    footer = _cut(reply.footer, 2048)
    fields = _fit_fields([(_cut(f.name, 256), _cut(f.value or "—", 1024), f.inline) for f in reply.fields])
    # One embed holds 6,000 characters in all: shorten the longest value (then the description) until it fits.
    excess = len(title) + len(description) + len(footer) + sum(len(n) + len(v) for n, v, _ in fields) - EMBED_TOTAL
    while excess > 0:
        longest = max(range(len(fields)), key=lambda i: len(fields[i][1]), default=None)
        if longest is not None and len(fields[longest][1]) > 80:
            name, value, inline = fields[longest]
            keep = max(80, len(value) - excess)
            fields[longest] = (name, _cut(value, keep), inline)
            excess -= len(value) - keep
        else:
            keep = max(0, len(description) - excess)
            excess -= len(description) - keep
            description = _cut(description, keep) if keep else ""
            if excess > 0:  # only names are left to shorten
                fields = [(_cut(n, 64), v, i) for n, v, i in fields]
            break
    out = discord.Embed(title=title, description=description or None, colour=COLOURS[reply.colour])
    for name, value, inline in fields:
        out.add_field(name=name, value=value, inline=inline)
    if footer:
        out.set_footer(text=footer)
    return out


def view(reply: Reply) -> discord.ui.View | None:
    """Buttons and selects of the reply; None when it has none. Never times out: ids route after restarts."""
    from .components import CloudButton, CloudSelect

    if not reply.buttons and not reply.selects:
        return None
    out = discord.ui.View(timeout=None)
    row = 0
    for select in reply.selects[:4]:
        out.add_item(CloudSelect.build(select, row=row))
        row += 1
    for i, button in enumerate(reply.buttons[: 5 * (5 - row)]):
        r = row + i // 5
        if button.style == ButtonStyle.LINK and button.url:
            out.add_item(discord.ui.Button(label=_cut(button.label, 80), url=button.url, style=discord.ButtonStyle.link, row=r))
        else:
            out.add_item(CloudButton.build(button, row=r))
    return out


def files(reply: Reply) -> list[discord.File]:
    return [discord.File(io.BytesIO(a.content), filename=a.filename) for a in reply.attachments]

"""A service ``Reply`` as a Discord embed and view. No I/O.

Limits are Discord's: 25 fields, 256-char titles and field names,
1024-char field values, 4096-char descriptions, five components per row,
25 options per select.
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


def embed(reply: Reply) -> discord.Embed:
    out = discord.Embed(title=_cut(reply.title, 256), description=_cut(reply.description, 4096) or None,
                        colour=COLOURS[reply.colour])
    for field in reply.fields[:25]:
        out.add_field(name=_cut(field.name, 256), value=_cut(field.value or "—", 1024), inline=field.inline)
    if reply.footer:
        out.set_footer(text=_cut(reply.footer, 2048))
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

"""Buttons, selects and modals whose ids carry the session, so a click routes after a restart.

``CloudButton``/``CloudSelect`` are ``DynamicItem``s matching
``cloudops:<action>:<session>[:<extra>]``: the bot registers them once and
any click on any lobby message, old or new, reaches
:func:`bot.discord.interactions.on_component`. Each callback only hands the
click on; deciding is the service's job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

import discord

from controller.service.commands import Command
from controller.service.replies import Button, Form, InputStyle, Select

from . import render
from .errors import answer_error

TEMPLATE = r"cloudops:(?P<action>[a-z-]+):(?P<sid>[^:]+)(?::(?P<extra>.*))?"


class CloudButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(self, item: discord.ui.Button[Any]) -> None:
        super().__init__(item)

    @classmethod
    def build(cls, button: Button, *, row: int | None = None) -> CloudButton:
        return cls(discord.ui.Button(custom_id=button.id, label=button.label[:80], style=render.STYLES[button.style],
                                     disabled=button.disabled, row=row))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: re.Match[str], /) -> CloudButton:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        from .interactions import on_component

        try:
            await on_component(interaction, self.item.custom_id or "", [])
        except Exception as exc:  # noqa: BLE001 - one handler answers every unexpected failure
            await answer_error(interaction, exc)


class CloudSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=TEMPLATE):
    def __init__(self, item: discord.ui.Select[Any]) -> None:
        super().__init__(item)

    @classmethod
    def build(cls, select: Select, *, row: int | None = None) -> CloudSelect:
        options = [discord.SelectOption(label=o.label[:100], value=o.value[:100], description=o.description[:100] or None)
                   for o in select.options[:25]]
        return cls(discord.ui.Select(custom_id=select.id, placeholder=select.placeholder[:150], options=options,
                                     disabled=select.disabled, row=row))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: re.Match[str], /) -> CloudSelect:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        from .interactions import on_component

        data = cast("Mapping[str, Any]", interaction.data or {})  # a component's data: a select has "values"
        values = list(data.get("values", []))
        try:
            await on_component(interaction, self.item.custom_id or "", values)
        except Exception as exc:  # noqa: BLE001
            await answer_error(interaction, exc)


class ResourceModal(discord.ui.Modal):
    """A kind-specific form: five text inputs at most; the service validates on submit."""

    def __init__(self, form: Form) -> None:
        super().__init__(title=form.title[:45], custom_id=form.id, timeout=600)
        self.form = form
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for spec in form.inputs[:5]:
            text: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=spec.label[:45], custom_id=spec.id, placeholder=spec.placeholder[:100] or None,
                default=spec.default or None, required=spec.required, max_length=spec.max_length,
                style=discord.TextStyle.paragraph if spec.style == InputStyle.PARAGRAPH else discord.TextStyle.short)
            self.inputs[spec.id] = text
            self.add_item(text)

    def values(self) -> dict[str, str]:
        return {name: item.value for name, item in self.inputs.items()}

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await answer_error(interaction, error)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        from .interactions import on_form

        await on_form(interaction, self.form.id, self.values())


class CredentialsModal(discord.ui.Modal):
    """The secret is typed here and goes straight to the vault; nothing echoes it."""

    def __init__(self, kind: str, project: str | None) -> None:
        super().__init__(title=f"{kind.upper()} credentials", timeout=300)
        self.kind, self.project = kind, project
        self.secret: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label="Credentials (JSON key or key=value lines)", style=discord.TextStyle.paragraph, required=True,
            max_length=4000)
        self.add_item(self.secret)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        self.secret._value = None  # type: ignore[attr-defined]
        await answer_error(interaction, error)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        from .interactions import caller_of, front_of, send

        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await front_of(interaction).chatops.run(
            caller_of(interaction), Command.CREDENTIALS, {"kind": self.kind, "project": self.project}, secret=self.secret.value)
        self.secret._value = None  # type: ignore[attr-defined]  # drop our copy of the secret
        await send(interaction, reply)

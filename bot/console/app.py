"""The console loop: read a line, run it through the service, draw the reply, offer its choices.

Input is read in a worker thread so pipeline events (plan ready, apply
progress) are drawn while the console waits; they are drawn above the
prompt line, which comes back with what was typed (:mod:`.prompt`). The
caller is fixed for the process (``--user-id``): the console is one person
at one terminal.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import IO

from rich.console import Console, RenderableType

from controller.service import commands
from controller.service.chatops import ChatOps, Upload
from controller.service.commands import Command
from controller.service.context import Caller
from controller.service.events import AlertTarget
from controller.service.replies import Reply

from . import render
from .prompt import PromptLine

HELP = "Type a command (/help lists them), a number or a choice's label, or /quit."


class ConsolePresenter:
    """Pipeline events in the terminal: lobby redraws, apply progress, admin alerts, all above the prompt."""

    def __init__(self, console: Console, line: PromptLine | None = None) -> None:
        self.console = console
        self.line = line
        self.on_lobby: Callable[[Reply], None] | None = None

    def draw(self, *renderables: RenderableType | str) -> None:
        """Print above the prompt line (when one is shown); markup in texts is not interpreted."""
        if self.line is None:
            self.console.print(*renderables, markup=False, highlight=False)
            return
        with self.line.above():
            self.console.print(*renderables, markup=False, highlight=False)

    async def show(self, ref: dict[str, str], reply: Reply) -> None:
        self.draw(render.panel(reply))
        if self.on_lobby is not None:
            self.on_lobby(reply)

    async def progress(self, ref: dict[str, str], reply: Reply, *, final: bool) -> None:
        """One line per edit (the service throttles them to one per 2 s): bar, percent, current action."""
        if final:
            self.draw(render.panel(reply))
            return
        self.draw(render.progress_line(reply))

    async def alert(self, target: AlertTarget, reply: Reply) -> None:
        self.draw(render.panel(reply))  # the person at the console is the one who reads alerts here


class ChatConsole:
    def __init__(self, chatops: ChatOps, caller: Caller, console: Console, presenter: ConsolePresenter,
                 stdin: IO[str], line: PromptLine | None = None) -> None:
        self.chatops, self.caller, self.console, self.stdin = chatops, caller, console, stdin
        self.presenter = presenter
        self.line = line or presenter.line or PromptLine(stdin, console.file, interactive=False)
        presenter.line = self.line
        self.choices: list[render.Choice] = []
        presenter.on_lobby = self._offer

    def _offer(self, reply: Reply) -> None:
        listed = render.choices(reply)
        if listed or reply.session:
            self.choices = listed

    async def readline(self, prompt: str = "> ") -> str | None:
        line = await asyncio.to_thread(self.line.ask, prompt)
        if line is not None and not self.line.interactive:
            self.console.print(line, markup=False, highlight=False)  # echo piped input so transcripts read like a session
        return line

    async def show(self, reply: Reply) -> None:
        if reply.form is not None:
            values: dict[str, str] = {}
            self.console.print(f"[bold]{reply.form.title}[/bold] (Enter keeps the value shown, leaves optional fields empty)")
            for field in reply.form.inputs:
                hint = f" [{field.placeholder}]" if field.placeholder else ""
                default = f" ({field.default})" if field.default else ""
                typed = await self.readline(f"{field.label}{'' if field.required else ' (optional)'}{hint}{default}: ")
                if typed is None:
                    return
                values[field.id] = typed or field.default
            await self.show(await self.chatops.submit(self.caller, reply.form.id, values))
            return
        self.console.print(render.panel(reply))
        if reply.private_note:
            self.console.print(reply.private_note, markup=False, highlight=False)
        if reply.session and not reply.refused:
            self.chatops.deploy.attach_message(reply.session, {"channel": "console", "message": reply.session})
        listed = render.choices(reply)
        if listed or (reply.session and not reply.refused):
            self.choices = listed

    async def handle(self, line: str) -> bool:
        """One line of input; False to stop."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        if line == "/help":
            for spec in commands.COMMANDS:
                opts = " ".join(f"{o.name}:" + ("<…>" if o.required else "[…]") for o in spec.options)
                self.console.print(f"/{spec.name} {opts}  — {spec.description}" + (" (admin)" if spec.admin else ""),
                                   markup=False, highlight=False)
            return True
        if not line.startswith("/"):
            choice = render.pick(self.choices, line)
            if choice is None:
                self.console.print(f"No choice {line!r}. {HELP}", markup=False)
            elif choice.disabled:
                self.console.print(f"{choice.label!r} is not available right now.", markup=False)
            else:
                await self.show(await self.chatops.click(self.caller, choice.custom_id, list(choice.values)))
            return True
        try:
            spec, values = commands.parse(line)
        except commands.ParseError as exc:
            self.console.print(str(exc), style="red", markup=False)
            return True
        upload, secret = None, None
        if "file" in values:
            path = Path(values.pop("file")).expanduser()
            try:
                upload = Upload(path.name, path.read_bytes())
            except OSError as exc:
                self.console.print(f"reading {path}: {exc.strerror}", style="red", markup=False)
                return True
        if spec.name == Command.CREDENTIALS:
            secret = await asyncio.to_thread(getpass.getpass, "Credentials (not shown): ") if self.stdin.isatty() \
                else await asyncio.to_thread(self.stdin.readline)
        await self.show(await self.chatops.run(self.caller, spec.name, values, upload=upload, secret=secret))
        return True

    async def loop(self) -> int:
        self.console.print(f"Cloud ChatOps console as {self.caller.display_name or self.caller.user_id}. {HELP}")
        while True:
            line = await self.readline()
            if line is None or not await self.handle(line):
                return 0

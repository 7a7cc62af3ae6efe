"""The console loop: read a line, run it through the service, draw the reply, offer its choices.

Input is read in a worker thread so pipeline events (plan ready, apply
progress) are drawn while the console waits. The caller is fixed for the
process (``--user-id``): the console is one person at one terminal.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from controller.service import commands
from controller.service.chatops import ChatOps, Upload
from controller.service.context import Caller
from controller.service.replies import Reply

from . import render

HELP = "Type a command (/help lists them), a number or a choice's label, or /quit."


class ConsolePresenter:
    """Pipeline events in the terminal: lobby redraws, a live progress bar, admin alerts."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._bars: dict[str, tuple[Progress, TaskID]] = {}
        self.on_lobby: Callable[[Reply], None] | None = None

    async def show(self, ref: dict[str, str], reply: Reply) -> None:
        self.console.print(render.panel(reply))
        if self.on_lobby is not None:
            self.on_lobby(reply)

    async def progress(self, ref: dict[str, str], reply: Reply, *, final: bool) -> None:
        key = ref.get("message", "console")
        lines = reply.description.splitlines()
        percent = next((int(w[:-1]) for line in lines[:1] for w in line.split() if w.endswith("%") and w[:-1].isdigit()), None)
        current = lines[1] if len(lines) > 1 else ""
        if not self.console.is_terminal:  # piped: one plain line per edit
            self.console.print(f"{reply.title}: {percent if percent is not None else ''}{'%' if percent is not None else ''} {current}".rstrip())
            if final:
                self.console.print(render.panel(reply))
            return
        bar = self._bars.get(key)
        if bar is None:
            progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                TimeElapsedColumn(), console=self.console)
            progress.start()
            bar = self._bars[key] = (progress, progress.add_task(reply.title, total=100))
        progress, task = bar
        progress.update(task, completed=100 if final else (percent or 0), description=current or reply.title)
        if final:
            progress.stop()
            self._bars.pop(key, None)
            self.console.print(render.panel(reply))

    async def alert(self, guild_id: str, channel: str | None, reply: Reply) -> None:
        self.console.print(render.panel(reply))


class ChatConsole:
    def __init__(self, chatops: ChatOps, caller: Caller, console: Console, presenter: ConsolePresenter,
                 stdin: IO[str]) -> None:
        self.chatops, self.caller, self.console, self.stdin = chatops, caller, console, stdin
        self.presenter = presenter
        self.choices: list[render.Choice] = []
        presenter.on_lobby = self._offer

    def _offer(self, reply: Reply) -> None:
        listed = render.choices(reply)
        if listed or reply.session:
            self.choices = listed

    async def readline(self, prompt: str = "> ") -> str | None:
        self.console.print(prompt, end="")
        line = await asyncio.to_thread(self.stdin.readline)
        if not line:
            return None
        if not self.stdin.isatty():
            self.console.print(line.rstrip("\n"))  # echo piped input so transcripts read like a session
        return line.rstrip("\n")

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
            self.console.print(reply.private_note)
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
                self.console.print(f"/{spec.name} {opts}  — {spec.description}" + (" (admin)" if spec.admin else ""))
            return True
        if not line.startswith("/"):
            choice = render.pick(self.choices, line)
            if choice is None:
                self.console.print(f"No choice {line!r}. {HELP}")
            elif choice.disabled:
                self.console.print(f"{choice.label!r} is not available right now.")
            else:
                await self.show(await self.chatops.click(self.caller, choice.custom_id, list(choice.values)))
            return True
        try:
            spec, values = commands.parse(line)
        except commands.ParseError as exc:
            self.console.print(f"[red]{exc}[/red]")
            return True
        upload, secret = None, None
        if "file" in values:
            path = Path(values.pop("file")).expanduser()
            try:
                upload = Upload(path.name, path.read_bytes())
            except OSError as exc:
                self.console.print(f"[red]reading {path}: {exc.strerror}[/red]")
                return True
        if spec.name == "cloud-credentials":
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

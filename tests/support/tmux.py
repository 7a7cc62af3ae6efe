"""A program in a real terminal: tmux runs it, send-keys types, capture-pane reads."""

from __future__ import annotations

import shlex
import subprocess
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Tmux:
    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.name = f"cloudops-{uuid.uuid4().hex[:8]}"
        # A server of its own (-L): a shared default server that is exiting after the last session closed
        # refuses the next new-session with "server exited unexpectedly".
        self._tmux = ["tmux", "-L", self.name]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        subprocess.run([*self._tmux, "new-session", "-d", "-s", self.name, "-x", "160", "-y", "60",
                        f"cd {shlex.quote(str(ROOT))} && env {exports} {command}; sleep 30"], check=True)

    def screen(self) -> str:
        return subprocess.run([*self._tmux, "capture-pane", "-p", "-S", "-400", "-t", self.name], capture_output=True,
                              text=True, check=True).stdout

    def type(self, text: str) -> None:
        self.keys(text)
        subprocess.run([*self._tmux, "send-keys", "-t", self.name, "Enter"], check=True)

    def keys(self, text: str) -> None:
        """Type ``text`` without pressing Enter (a line being edited)."""
        subprocess.run([*self._tmux, "send-keys", "-t", self.name, "-l", text], check=True)

    def last_line(self) -> str:
        lines = [line for line in self.screen().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            assert time.monotonic() < deadline, f"{text!r} never appeared:\n{screen}"
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([*self._tmux, "kill-server"], check=False)

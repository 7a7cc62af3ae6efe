"""The line the person is typing on, and printing above it.

Pipeline events (plan ready, apply progress, alerts) arrive while the
console waits for input. Printed as they come, they would land after the
prompt and whatever was half-typed, and the prompt would be gone. In a
terminal the input is read with GNU readline, which knows the typed text:
:meth:`PromptLine.above` erases the prompt line, lets the caller print, and
draws the prompt again with the typed text, where readline's cursor still
is. Piped input (tests, scripts) has no line being edited: output is
printed as it comes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

ERASE_LINE = "\r\x1b[2K"  # back to column 0, clear the whole line


def _readline_module():  # type: ignore[no-untyped-def]
    try:
        import readline
    except ImportError:  # a Python built without it: input() still works, without redraws of the typed text
        return None
    return readline


class PromptLine:
    def __init__(self, stdin: IO[str], out: IO[str], *, interactive: bool) -> None:
        self.stdin, self.out, self.interactive = stdin, out, interactive
        self._shown: str | None = None  # the prompt on screen now (readline is reading after it)
        self._lock = threading.Lock()
        self._readline = _readline_module() if interactive else None

    def ask(self, prompt: str) -> str | None:
        """One line (without its newline); None at end of input. Blocks: run it in a worker thread."""
        if not self.interactive:
            self.out.write(prompt)
            self.out.flush()
            line = self.stdin.readline()
            return line.rstrip("\n") if line else None
        if self._readline is not None:
            # Called by readline once the prompt is drawn: only then may output go "above" it.
            self._readline.set_pre_input_hook(lambda: self._show(prompt))
        else:
            self._show(prompt)
        try:
            return input(prompt)
        except EOFError:
            return None
        finally:
            with self._lock:
                self._shown = None

    def _show(self, prompt: str) -> None:
        with self._lock:
            self._shown = prompt

    def typed(self) -> str:
        return self._readline.get_line_buffer() if self._readline is not None else ""

    @contextmanager
    def above(self) -> Iterator[None]:
        """Print inside this block: the prompt line is erased first and drawn again after, typed text included."""
        with self._lock:
            prompt = self._shown
            if prompt is None:
                yield
                return
            self.out.write(ERASE_LINE)
            self.out.flush()
            try:
                yield
            finally:
                self.out.write(prompt + self.typed())
                self.out.flush()

"""Cloud ChatOps controller: everything that is not chat UI.

Pure logic (plan parsing, progress, pricing, rendering, policy input,
comment formatting, state transitions) lives in modules that do no I/O;
the edges (terraform subprocess, git, forge HTTP, the store) call them.
The controller never imports discord.py.
"""

__version__ = "0.1.0"

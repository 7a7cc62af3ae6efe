"""The terminal console: the chat commands typed as ``/cloud-deploy project:web``, replies drawn with rich.

Modals become prompts, buttons and selects become numbered choices (a
number or the label), apply progress a live bar. Works on a TTY, in tmux,
and with piped stdin (tests): nothing here assumes a terminal.
"""

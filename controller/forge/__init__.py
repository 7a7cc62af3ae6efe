"""Talking to GitHub (or the local forge) and to git.

Layers, outermost first:

* ``base``      — the ``Forge`` protocol and the value types every caller uses.
* ``github``    — its one implementation: PyGithub for the REST API, works
                  against github.com and the local forge by base URL alone.
* ``gitrepo``   — GitPython working copies: clone/fetch, commit, push, revert,
                  with the token passed per command, never stored or logged.
* ``errors``    — the one place PyGithub/GitPython exceptions become ours.
* ``markers``, ``comment_split`` — pure logic (no I/O): comment identity and
                  splitting bodies at GitHub's 65,536-character limit.
"""

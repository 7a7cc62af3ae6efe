"""The app layer: the `cloudops` command line, start-up and assembly of the pieces.

The one package that may import both the front ends (``bot``) and the
controller, and start the local forge (``sandbox``): every entry point —
serve, worker, chat, demo — is here, so nothing below it has to reach up.
"""

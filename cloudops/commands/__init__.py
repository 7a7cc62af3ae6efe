"""Thin `cloudops` subcommands: parse arguments, call the library, print."""

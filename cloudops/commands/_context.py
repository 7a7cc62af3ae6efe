"""Shared by the CLI commands that act on a configured repository."""

from __future__ import annotations

import argparse
from pathlib import Path

from cloudops import serve_config
from controller.app import ControllerConfig
from controller.errors import ConfigError


def add_repo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="controller config file (as for `cloudops serve`)")
    parser.add_argument("--repo", help="owner/name; defaults to the only configured repository")


def repo_of(args: argparse.Namespace, config: ControllerConfig) -> str:
    if args.repo:
        if args.repo not in config.repos:
            raise ConfigError(f"{args.repo} is not one of the configured repositories ({', '.join(config.repos)})")
        return args.repo
    if len(config.repos) != 1:
        raise ConfigError("several repositories are configured: choose one with --repo")
    return config.repos[0]


def load(args: argparse.Namespace) -> ControllerConfig:
    return serve_config.load(args.config)

"""`cloudops demo`: the whole product on the embedded default, start to finish."""

from __future__ import annotations

import argparse
from pathlib import Path

from cloudops.demo import main_demo


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="keep the forge, repos and state here (default: a temporary dir)")


def run(args: argparse.Namespace) -> int:
    return main_demo(args.data_dir)

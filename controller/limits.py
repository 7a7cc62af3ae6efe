"""Size and depth limits on documents we did not write: plans, cloudops.yaml, webhook JSON (pure).

Each limit is far above what real use produces and low enough that a hostile
document is refused in milliseconds instead of taking minutes and gigabytes:

* a plan document (``terraform show -json``) of at most ``max_plan_bytes()``
  (32 MiB by default, ``CLOUDOPS_MAX_PLAN_BYTES`` to change it: about 50,000
  resources, which `cloudops cost` prices in under a minute on one core);
* JSON nested at most ``MAX_PLAN_DEPTH`` levels (terraform's deepest real
  nesting is a few dozen; the parsers here recurse, so a 100,000-deep document
  must be refused before they see it);
* a ``cloudops.yaml`` of at most ``MAX_CONFIG_BYTES`` (1 MiB: thousands of
  members and projects).
"""

from __future__ import annotations

import os

DEFAULT_MAX_PLAN_BYTES = 32 * 1024 * 1024
MAX_PLAN_DEPTH = 200
MAX_CONFIG_BYTES = 1024 * 1024
PLAN_BYTES_ENV = "CLOUDOPS_MAX_PLAN_BYTES"


def max_plan_bytes() -> int:
    configured = os.environ.get(PLAN_BYTES_ENV, "").strip()
    return int(configured) if configured.isdigit() and int(configured) > 0 else DEFAULT_MAX_PLAN_BYTES


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def json_depth_exceeds(value: object, limit: int) -> bool:
    """True if decoded JSON ``value`` nests deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values() if isinstance(child, (dict, list)))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, (dict, list)))
    return False

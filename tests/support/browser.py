"""Debian's chromium driven by Playwright, as the browser tests use it (no browser download, ever).

``launch`` starts /usr/bin/chromium headless with the flags that keep it off
the network; ``shot`` saves a full-page screenshot under tests/artifacts/
(gitignored), named after the test, and returns its path.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def chromium_path() -> str:
    """The system chromium; a clear failure (not a skip) when the install script did not provide it."""
    found = CHROMIUM if CHROMIUM.exists() else (Path(p) if (p := shutil.which("chromium")) else None)
    if found is None:
        raise AssertionError("chromium is missing: run scripts/install.sh as root (it installs Debian's chromium)")
    return str(found)


async def launch(playwright):
    """``playwright`` is ``async_playwright()``'s object (the tests share the controller's event loop)."""
    return await playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS, headless=True)


async def shot(page, test_name: str, step: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{test_name}-{step}")
    path = ARTIFACTS / f"{safe}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path

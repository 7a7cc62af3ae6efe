"""Faults the forge can be told to have, for tests and load tests: slowness and outages.

``forge.faults.api_delay = 2.0`` makes every REST call answer two seconds late;
``forge.faults.api_down = True`` answers every REST call ``503`` as GitHub does
during an incident. git over HTTP is not affected (GitHub's git and API fail
separately too). Plain attributes, so a test thread may flip them at any time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

API_PREFIX = "/api/v3/"


@dataclass
class Faults:
    api_delay: float = 0.0
    api_down: bool = False
    refused: int = 0  # REST calls answered 503 so far


def make_middleware(faults: Faults):
    @web.middleware
    async def middleware(request: web.Request, handler):
        if request.path.startswith(API_PREFIX):
            if faults.api_delay:
                await asyncio.sleep(faults.api_delay)
            if faults.api_down:
                faults.refused += 1
                return web.json_response({"message": "Service Unavailable",
                                          "documentation_url": "https://www.githubstatus.com"}, status=503)
        return await handler(request)

    return middleware

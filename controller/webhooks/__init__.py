"""GitHub webhooks: verify, parse, route (pure), and the aiohttp receiver (I/O)."""

"""Everything about terraform: finding it, running it, reading what it says.

`runner` is the only module that spawns terraform. `events`, `plan` and
`progress` are pure: they read terraform's JSON and compute, with no I/O.
"""

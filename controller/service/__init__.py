"""The ChatOps service layer: every chat use case, transport-neutral.

No discord.py here (a test checks the imports). Front ends hold one
``ChatOps`` (:mod:`.chatops`), call ``run``/``click``/``submit`` and render
the ``Reply`` (:mod:`.replies`) they get back; they implement ``Presenter``
(:mod:`.events`) so that pipeline events edit their messages. The apply
side is reached only through ``PipelineGateway`` (:mod:`.gateway`).

Pure modules: replies, forms, bulk, lobby, assess, config_edit, commands,
throttle. I/O: context (via its collaborators), guilds (SQLite), repos (git),
and the use case modules deploy, queries, admin, events through them.
"""

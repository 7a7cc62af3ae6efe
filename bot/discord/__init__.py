"""The Discord front end (discord.py 2.x): app commands, components, modals, a presenter.

Layout, after python-discord/bot: one package per feature (``deploy``,
``queries``, ``admin``), each with ``setup`` in ``__init__`` and a thin
``_cog`` that defers, calls the service and renders. ``render`` turns a
``Reply`` into an embed and a view (pure); ``components`` holds the
restart-proof buttons/selects and the modals; ``presenter`` edits messages
when pipeline events arrive; ``app`` builds and runs the bot.
"""

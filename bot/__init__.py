"""Chat front ends: discord.py cogs, views, modals and the terminal console.

No business rules here: every decision is made by controller.service.
"""

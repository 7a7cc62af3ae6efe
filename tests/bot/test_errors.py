"""One error handler: an unexpected failure answers privately with a reference id that is in the log."""

from __future__ import annotations

import logging
import re

import pytest
from discord import app_commands

from bot.discord.components import CloudButton
from controller.service.replies import Button, ButtonStyle

from .conftest import FakeInteraction, doubles

REFERENCE = re.compile(r"reference `([0-9a-f]{8})`")


def interaction(bot, channel, *, done: bool = False) -> FakeInteraction:
    inter = FakeInteraction(bot, doubles.USER_ID, channel)
    inter.response.is_done.return_value = done
    return inter


async def test_the_command_tree_answers_an_unexpected_error_ephemerally_with_a_logged_reference(
        bot, channel, caplog: pytest.LogCaptureFixture) -> None:
    inter = interaction(bot, channel)
    error = app_commands.CommandInvokeError(bot.tree.get_command("cloud-status"), RuntimeError("boom"))
    with caplog.at_level(logging.ERROR):
        await bot.tree.on_error(inter, error)
    sent = inter.response.send_message.await_args
    reference = REFERENCE.search(sent.args[0]).group(1)
    assert sent.kwargs["ephemeral"] is True and "boom" not in sent.args[0]
    record = next(r for r in caplog.records if reference in r.getMessage())
    assert record.exc_info and "boom" in str(record.exc_info[1])


async def test_after_a_defer_the_answer_is_a_follow_up(bot, channel) -> None:
    inter = interaction(bot, channel, done=True)
    await bot.tree.on_error(inter, app_commands.AppCommandError("late"))
    assert REFERENCE.search(inter.followup.send.await_args.args[0])
    assert inter.followup.send.await_args.kwargs["ephemeral"] is True and not inter.response.send_message.called


async def test_a_button_whose_service_fails_does_not_leave_the_user_thinking(bot, channel, monkeypatch) -> None:
    async def broken(*args, **kwargs):
        raise KeyError("unexpected")

    monkeypatch.setattr(bot.cloudops.chatops, "click", broken)
    button = CloudButton.build(Button("cloudops:show:s1", "Show", ButtonStyle.PRIMARY))
    inter = interaction(bot, channel, done=True)  # the click was deferred before the service ran
    await button.callback(inter)
    assert REFERENCE.search(inter.followup.send.await_args.args[0])

"""PR comments become commands, replies with usage, or nothing."""

from __future__ import annotations

import pytest

from controller.pipeline.comment_parser import USAGE, Command, Ignore, Reply, Verb, parse_comment


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("cloudops plan", Command(Verb.PLAN)),
        ("cloudops plan -p web", Command(Verb.PLAN, "web")),
        ("cloudops apply --project web-prod", Command(Verb.APPLY, "web-prod")),
        ("cloudops apply --project=db-1", Command(Verb.APPLY, "db-1")),
        ("  CloudOps   unlock  ", Command(Verb.UNLOCK)),
        ("cloudops cancel", Command(Verb.CANCEL)),
        ("cloudops approve_policies -p web", Command(Verb.APPROVE_POLICIES, "web")),
        ("cloudops help", Command(Verb.HELP)),
        ("/cloudops plan", Command(Verb.PLAN)),
        ("cloudops apply\n\nLooks good, shipping it.", Command(Verb.APPLY)),
        ("\n\ncloudops plan -p web\n", Command(Verb.PLAN, "web")),
    ],
)
def test_commands_are_understood(body: str, expected: Command) -> None:
    assert parse_comment(body) == expected


@pytest.mark.parametrize(
    "body",
    ["LGTM", "", "   ", "please run cloudops plan", "cloudopsplan", "atlantis plan"],
)
def test_comments_not_for_us_are_ignored(body: str) -> None:
    assert isinstance(parse_comment(body), Ignore)


def test_comments_by_the_bot_itself_are_ignored() -> None:
    result = parse_comment("cloudops apply", author="CloudOps-Bot", bot_login="cloudops-bot")
    assert result == Ignore("comment written by the bot itself")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("cloudops", "no command given"),
        ("cloudops deploy", "unknown command 'deploy'"),
        ("cloudops plan -p", "-p needs a project name"),
        ("cloudops plan -p web -p db", "only once"),
        ("cloudops plan -p ../etc", "is not a project name"),
        ("cloudops plan -p db_1", "is not a project name"),  # cloudops.yaml's rule: no underscores
        ("cloudops plan -p 'web; rm -rf /'", "is not a project name"),
        ("cloudops unlock -p web", "unexpected argument '-p'"),
        ("cloudops plan --force", "unexpected argument '--force'"),
        ('cloudops plan -p "web', "cannot be split"),
    ],
)
def test_malformed_commands_get_a_reply_naming_the_problem(body: str, problem: str) -> None:
    result = parse_comment(body)
    assert isinstance(result, Reply)
    assert problem in result.problem
    rendered = result.render()
    assert USAGE in rendered and problem in rendered

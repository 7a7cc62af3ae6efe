"""GitHub's own documented examples validate against the extracted schemas.

Why: a schema mangled by extraction (a lost ``$ref``, a ``nullable`` read the
wrong way) would make the forge contract tests pass or fail for the wrong
reason. GitHub's examples are the independent witness. Where an example
predates a field GitHub later made required, the drift is listed here
exactly, so a new or vanished mismatch fails the test.
"""

from __future__ import annotations

import pytest

import cloudops_contract as contract

# schema file → the "path: message" violations GitHub's own example has.
KNOWN_EXAMPLE_DRIFT: dict[str, set[str]] = {
    "rest/get.repos.200.json": {
        "source: 'language' is a required property",
        "(root): 'language' is a required property",
    },
    "rest/get.repos.pulls.200.json": {"0/requested_teams/0: 'type' is a required property"},
    "rest/get.repos.pulls.pull_number.200.json": {"requested_teams/0: 'type' is a required property"},
    "rest/post.repos.pulls.201.json": {"requested_teams/0: 'type' is a required property"},
    "rest/post.user.repos.201.json": {"(root): 'has_discussions' is a required property"},
    # The second example (a semantic search) elides its items as the string '...'.
    "rest/get.search.issues.200.json": {"items/0: '...' is not of type 'object'"},
}
# GET /app/installations: the description inlines `account` as allOf[simple-user, enterprise],
# which no account satisfies (see test_forge_contract's QUIRKY_ACCOUNT_SCHEMA).
ACCOUNT_QUIRK = "rest/get.app.installations.200.json"

# Webhook examples older than fields GitHub later made required: (file, example index) → violations.
OLD_WEBHOOK_EXAMPLES: dict[tuple[str, int], int] = {
    ("webhooks/pull_request_review.submitted.json", 0): 18,  # draft, auto_merge, repository.topics, …
    ("webhooks/check_run.created.json", 0): 5,  # repository.is_template, topics, visibility, …
    ("webhooks/merge_group.checks_requested.json", 0): 5,  # the same five repository fields
    ("webhooks/installation.deleted.json", 0): 2,  # installation.suspended_at / suspended_by
    ("webhooks/installation_repositories.added.json", 0): 3,  # those two and requester
    ("webhooks/pull_request_review_comment.created.json", 0): 23,  # the five repository fields, head and base, …
}
# Events GitHub documents no example for.
NO_GITHUB_EXAMPLE = {"webhooks/merge_group.destroyed.json", "webhooks/issues.closed.json"}

REST_FILES = sorted(p.relative_to(contract.SCHEMAS).as_posix() for p in (contract.SCHEMAS / "rest").glob("*.json"))
WEBHOOK_FILES = sorted(p.relative_to(contract.SCHEMAS).as_posix() for p in (contract.SCHEMAS / "webhooks").glob("*.json"))


@pytest.mark.parametrize("schema", REST_FILES)
def test_githubs_rest_examples_validate_apart_from_listed_drift(schema: str) -> None:
    found: set[str] = set()
    for example in contract.schema_file(schema)["examples"]:
        found.update(contract.violations(schema, example))
    if schema == ACCOUNT_QUIRK:
        assert len(found) == 1 and next(iter(found)).startswith("0/account: ")
        return
    assert found == KNOWN_EXAMPLE_DRIFT.get(schema, set())


def test_most_rest_schemas_have_an_example_to_check() -> None:
    without = [s for s in REST_FILES if not contract.schema_file(s)["examples"]]
    assert set(without) <= {
        "rest/error.basic-error.json",
        "rest/error.validation-error.json",
        "rest/get.repos.404.json",
        "rest/post.repos.pulls.422.json",
        "rest/post.repos.check-runs.check_run_id.rerequest.201.json",  # GitHub's example is `null`
    }


@pytest.mark.parametrize("schema", WEBHOOK_FILES)
def test_githubs_webhook_examples_validate(schema: str) -> None:
    examples = contract.schema_file(schema)["examples"]
    if schema in NO_GITHUB_EXAMPLE:
        assert not examples  # a new example appeared: check it instead
        return
    assert examples, f"no GitHub example for {schema}"
    problems = {i: contract.violations(schema, e) for i, e in enumerate(examples)}
    for (name, index), count in OLD_WEBHOOK_EXAMPLES.items():
        if name == schema:
            assert len(problems.pop(index)) == count  # the newer examples are clean
    assert problems == {i: [] for i in problems}


def test_the_extraction_notes_its_sources_and_licences() -> None:
    source = (contract.SCHEMAS / "SOURCE.md").read_text()
    for package in ("@octokit/openapi", "@octokit/webhooks-schemas", "@octokit/webhooks-examples"):
        assert package in source
    assert "MIT" in source and "ghes-" in source

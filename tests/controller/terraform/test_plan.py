"""A `terraform show -json` document becomes a typed plan whose counts match terraform's.

`null/` fixtures were written by Terraform 1.0.3 here, each with the
`change_summary` terraform printed; `real/` ones come from public
repositories (see tests/fixtures/plans/SOURCES.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controller.errors import PlanDocumentError
from controller.terraform import plan as tfplan
from controller.terraform.events import ChangeSummary, parse_event
from controller.terraform.plan import Action
from controller.terraform.plan_parser import parse_plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plans"
GENERATED = ["create", "changes", "noop", "destroy", "failing"]
REAL = sorted((FIXTURES / "real").glob("*.json"))
SECRET = "hunter2-s3cr3t-pw"


def generated(name: str) -> tfplan.Plan:
    return parse_plan((FIXTURES / "null" / f"{name}.json").read_text())


def terraform_summary(name: str) -> ChangeSummary:
    lines = (FIXTURES / "null" / f"{name}.plan.jsonl").read_text().splitlines()
    summaries = [e for e in map(parse_event, lines) if isinstance(e, ChangeSummary)]
    assert len(summaries) == 1
    return summaries[0]


def doc_with(actions: list[str], **change: object) -> dict:
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": [
            {
                "address": "aws_instance.web",
                "mode": "managed",
                "type": "aws_instance",
                "name": "web",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": actions, "before": None, "after": None, **change},
            }
        ],
    }


@pytest.mark.parametrize("name", GENERATED)
def test_summary_equals_terraforms_own_change_summary(name: str) -> None:
    plan, summary = generated(name), terraform_summary(name)
    ours = plan.summary()
    assert (ours.add, ours.change, ours.remove) == (summary.add, summary.change, summary.remove)
    assert ours.line() == summary.message


def test_a_replace_is_one_change_but_one_add_and_one_destroy_in_terraforms_summary() -> None:
    plan = generated("changes")
    counts = plan.counts()
    assert (counts.add, counts.change, counts.destroy, counts.replace) == (1, 0, 2, 2)
    assert counts.no_op == 2 and counts.read == 1
    assert counts.total == 5
    assert (plan.summary().add, plan.summary().remove) == (3, 4)


def test_replace_keeps_the_order_terraform_chose() -> None:
    plan = generated("changes")
    web, cache = plan.resource("null_resource.web"), plan.resource("null_resource.cache")
    assert web is not None and cache is not None
    assert web.action is Action.REPLACE and web.actions == ("delete", "create") and not web.create_before_destroy
    assert cache.action is Action.REPLACE and cache.actions == ("create", "delete") and cache.create_before_destroy
    assert web.action_reason == "replace_because_cannot_update"


@pytest.mark.parametrize("actions", [["delete", "create"], ["create", "delete"]])
def test_replace_in_either_order_counts_once(actions: list[str]) -> None:
    plan = parse_plan(doc_with(actions))
    assert plan.counts().replace == 1 and plan.counts().total == 1
    assert (plan.summary().add, plan.summary().change, plan.summary().remove) == (1, 0, 1)


def test_data_sources_are_read_not_changed() -> None:
    plan = generated("create")
    endpoint = plan.resource("data.null_data_source.endpoint")
    assert endpoint is not None and endpoint.is_data and endpoint.action is Action.READ
    assert not endpoint.is_change
    assert plan.counts().read == 1
    assert "data.null_data_source.endpoint" not in {rc.address for rc in plan.changes()}
    assert plan.summary().add == 6


def test_resource_fields_are_parsed() -> None:
    plan = parse_plan((FIXTURES / "real" / "null_1.0_terraform-json_110_basic.json").read_text())
    module_foo = plan.resource("module.foo.null_resource.foo")
    baz = plan.resource("null_resource.baz[2]")
    assert module_foo is not None and baz is not None
    assert module_foo.module_address == "module.foo" and module_foo.mode == "managed"
    assert (baz.type, baz.name, baz.index) == ("null_resource", "baz", 2)
    assert baz.provider_name == "registry.terraform.io/hashicorp/null"
    assert plan.format_version == "1.0" and plan.terraform_version == "1.1.0-dev"


def test_update_in_place_is_a_change() -> None:
    plan = parse_plan((FIXTURES / "real" / "google_0.1_terraform-validator_project_update.json").read_bytes())
    (project,) = plan.changes()
    assert project.action is Action.UPDATE
    assert project.before["name"] == "My Project" and project.after["name"] == "My New Project"
    assert (plan.summary().add, plan.summary().change, plan.summary().remove) == (0, 1, 0)


def test_a_plan_with_no_changes_has_none() -> None:
    plan = generated("noop")
    assert plan.changes() == () and plan.counts().total == 0 and plan.counts().no_op == 5
    assert not plan.has_changes


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_every_real_document_parses(path: Path) -> None:
    doc = json.loads(path.read_text())
    plan = parse_plan(doc)
    assert plan.format_version == doc["format_version"]
    assert len(plan.resource_changes) == len(doc.get("resource_changes", []))
    for rc in plan.resource_changes:
        json.dumps(rc.masked_before()), json.dumps(rc.masked_after())  # plain JSON, no proxies
    assert plan.document() == doc


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("aws_0.1_infracost_small_terraform.json", (5, 0, 0)),
        ("azurerm_0.2_infracost_azure_firewall.json", (11, 0, 0)),
        ("google_0.1_terraform-validator_storage_bucket.json", (1, 0, 0)),
        ("aws_1.1_checkov_create_delete.json", (1, 0, 1)),
        ("null_1.2_terraform-json_action_reason.json", (1, 0, 1)),
        ("aws_1.2_checkov_no_resource_changes.json", (0, 0, 0)),
        ("aws_1.2_checkov_forget_action.json", (0, 0, 0)),
    ],
)
def test_real_documents_summaries(name: str, expected: tuple[int, int, int]) -> None:
    summary = parse_plan((FIXTURES / "real" / name).read_text()).summary()
    assert (summary.add, summary.change, summary.remove) == expected


def test_format_1x_fields_are_kept_and_forget_is_its_own_action() -> None:
    plan = parse_plan((FIXTURES / "real" / "aws_1.2_checkov_forget_action.json").read_text())
    assert (plan.timestamp, plan.applyable, plan.complete, plan.errored) == ("2026-07-10T10:06:44Z", True, True, False)
    (bucket,) = plan.resource_changes
    assert bucket.action is Action.FORGET and not bucket.is_change
    assert bucket.action_reason == "delete_because_no_resource_config"
    assert plan.counts().forget == 1
    assert plan.summary().line() == "Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget."


def test_unknown_fields_are_ignored() -> None:
    doc = doc_with(["create"], importing={"id": "i-123"}, generated_config="x")
    doc.update(relevant_attributes=[{"resource": "aws_instance.web", "attribute": ["ami"]}], checks=[], brand_new={})
    doc["resource_changes"][0]["previous_address"] = "aws_instance.old"
    plan = parse_plan(json.dumps(doc))
    (web,) = plan.resource_changes
    assert web.importing["id"] == "i-123" and web.previous_address == "aws_instance.old"
    assert plan.relevant_attributes[0]["attribute"] == ("ami",)


def test_the_plan_is_read_only() -> None:
    plan = generated("changes")
    web = plan.resource("null_resource.web")
    assert web is not None
    with pytest.raises(TypeError):
        web.after["triggers"]["image"] = "evil"  # type: ignore[index]
    with pytest.raises(AttributeError):
        web.address = "x"  # type: ignore[misc]
    copy = plan.document()
    copy["resource_changes"].clear()
    assert len(plan.document()["resource_changes"]) == len(plan.resource_changes)


class TestSensitiveValues:
    def test_sensitive_attributes_are_masked(self) -> None:
        db = generated("create").resource("null_resource.db")
        assert db is not None and db.has_sensitive
        assert db.after["triggers"]["password"] == SECRET  # terraform wrote it in clear text
        assert db.masked_after() == {"triggers": {"password": tfplan.SENSITIVE, "version": "13"}, "id": tfplan.UNKNOWN}

    def test_sensitive_outputs_are_masked(self) -> None:
        plan = generated("changes")
        outputs = {o.name: o for o in plan.output_changes}
        assert outputs["db_password"].sensitive
        assert outputs["db_password"].masked_before() == outputs["db_password"].masked_after() == tfplan.SENSITIVE
        assert outputs["queue"].masked_after() == "jobs"
        assert outputs["web_id"].action is Action.UPDATE and outputs["web_id"].masked_after() == tfplan.UNKNOWN

    def test_outputs_declared_sensitive_are_masked_without_per_change_flags(self) -> None:
        doc = json.loads((FIXTURES / "real" / "null_1.0_terraform-json_110_basic.json").read_text())
        for change in doc["output_changes"].values():
            change.pop("before_sensitive"), change.pop("after_sensitive")
        outputs = {o.name: o for o in parse_plan(doc).output_changes}
        assert outputs["foo"].masked_after() == tfplan.SENSITIVE and outputs["string"].masked_after() == "foo"

    def test_sensitive_variables_are_masked(self) -> None:
        assert generated("create").masked_variables() == {"db_password": tfplan.SENSITIVE}

    @pytest.mark.parametrize("name", GENERATED)
    def test_the_secret_appears_in_no_masked_view(self, name: str) -> None:
        plan = generated(name)
        views = [rc.masked_before() for rc in plan.resource_changes] + [rc.masked_after() for rc in plan.resource_changes]
        views += [o.masked_before() for o in plan.output_changes] + [o.masked_after() for o in plan.output_changes]
        views += [plan.masked_variables()]
        assert SECRET not in json.dumps(views)

    def test_masks_follow_lists_and_nested_blocks(self) -> None:
        value = {"rules": [{"token": "t1", "name": "a"}, {"token": "t2", "name": "b"}], "whole": {"k": "v"}}
        mask = {"rules": [{"token": True}, {}], "whole": True}
        assert tfplan.mask_sensitive(value, mask) == {
            "rules": [{"token": tfplan.SENSITIVE, "name": "a"}, {"token": "t2", "name": "b"}],
            "whole": tfplan.SENSITIVE,
        }

    def test_a_sensitive_unknown_is_still_sensitive(self) -> None:
        masked = tfplan.mask_sensitive({}, {"password": True}, unknown={"password": True, "id": True})
        assert masked == {"password": tfplan.SENSITIVE, "id": tfplan.UNKNOWN}


class TestNotAPlan:
    @pytest.mark.parametrize(
        ("source", "says"),
        [
            ("{not json", "not JSON"),
            ("[1, 2]", "expected a JSON object, got list"),
            (42, "expected a JSON object, got int"),
            ({"terraform_version": "1.0.3", "resource_changes": []}, "no format_version"),
            ({"version": 4, "lineage": "abc", "resources": []}, "raw state file"),
            ({"format_version": "1.0", "terraform_version": "1.0.3", "values": {"root_module": {}}}, "state document"),
            ({"format_version": "1.0"}, "not a plan"),
            ({"format_version": "2.0", "resource_changes": []}, "format_version 2.0 is not supported"),
            ({"format_version": "1.0", "resource_changes": {}}, "resource_changes must be a list"),
            ({"format_version": "1.0", "resource_changes": [{"change": {}}]}, "resource_changes[0]"),
            (doc_with(["create", "update"]), "unknown action list ['create', 'update']"),
            (doc_with("create"), "must be a list of strings"),  # type: ignore[arg-type]
        ],
    )
    def test_rejected_with_a_clear_message(self, source: object, says: str) -> None:
        with pytest.raises(PlanDocumentError) as caught:
            parse_plan(source)  # type: ignore[arg-type]
        assert says in str(caught.value)
        assert str(caught.value).startswith("reading the plan document: ")
        assert "show -json" in caught.value.user_message()

    def test_a_state_file_on_disk_is_not_a_plan(self) -> None:
        state = {"format_version": "0.2", "terraform_version": "1.0.3", "values": {"outputs": {}, "root_module": {}}}
        with pytest.raises(PlanDocumentError, match="state document"):
            parse_plan(json.dumps(state).encode())


TF100_DRIFT = FIXTURES / "written" / "null_0.2_tf1.0.0_drift_without_address.json"


def test_terraform_1_0_0_drift_without_address_gets_the_address_terraform_would_have_written() -> None:
    plan = parse_plan(TF100_DRIFT.read_text())
    assert [rc.address for rc in plan.resource_drift] == [
        "null_resource.web[0]", 'module.db.null_resource.replica["eu"]', "data.null_data_source.lookup",
    ]
    # The derived address is the one the same resource has in resource_changes.
    assert {rc.address for rc in plan.resource_changes} <= {rc.address for rc in plan.resource_drift}


def test_a_change_without_address_or_parts_to_derive_one_is_still_refused() -> None:
    doc = json.loads(TF100_DRIFT.read_text())
    del doc["resource_drift"][0]["name"]
    with pytest.raises(PlanDocumentError, match=r"resource_drift\[0\].*nor type and name"):
        parse_plan(doc)

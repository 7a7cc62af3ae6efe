"""Blast radius read from plan fixtures: deletions, replacements, public endpoints, databases."""

from __future__ import annotations

from pathlib import Path

from controller.cost import narrative
from controller.cost.blast import blast_radius
from controller.cost.estimate import estimate
from controller.terraform.plan import Action
from controller.terraform.plan_parser import parse_plan

from .conftest import change

PLANS = Path(__file__).parents[2] / "fixtures" / "plans"
SECRET = "hunter2-s3cr3t-pw"


def load(name: str):
    return parse_plan((PLANS / name).read_text(encoding="utf-8"))


def test_deletions_and_replacements_come_from_the_null_changes_fixture():
    b = blast_radius(load("null/changes.json"))
    assert set(b.deletions) == {"null_resource.legacy", "null_resource.worker[1]"}
    assert set(b.replacements) == {"null_resource.cache", "null_resource.web"}
    assert b.public == () and b.databases == ()


def test_a_destroy_plan_lists_every_deleted_resource():
    plan = load("null/destroy.json")
    assert len(blast_radius(plan).deletions) == plan.counts().destroy == 5


def test_an_elastic_ip_in_a_real_aws_plan_is_public():
    assert blast_radius(load("real/aws_0.1_infracost_small_terraform.json")).public == ("aws_eip.nat_eip",)


def test_noop_plan_is_calm():
    assert blast_radius(load("null/noop.json")).calm


def test_public_endpoints_databases_at_risk_and_deleted_public_resources(make_plan):
    open_fw = {"direction": "INGRESS", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp"}]}
    closed_fw = {"direction": "INGRESS", "source_ranges": ["10.0.0.0/8"], "allow": [{"protocol": "tcp"}]}
    vm = {"machine_type": "e2-small", "zone": "us-central1-a", "network_interface": [{"access_config": [{}]}]}
    private_vm = {**vm, "network_interface": [{"access_config": []}]}
    plan = make_plan(
        change("google_compute_firewall.open", "create", None, open_fw),
        change("google_compute_firewall.closed", "create", None, closed_fw),
        change("google_compute_instance.web", "create", None, vm),
        change("google_compute_instance.internal", "create", None, private_vm),
        change("google_compute_instance.gone", "delete", vm, None),
        change("aws_db_instance.orders", "replace", {"instance_class": "db.t3.micro"},
               {"instance_class": "db.t3.small", "publicly_accessible": True}),
        change("google_sql_database_instance.ledger", "update", {"settings": [{"tier": "db-g1-small"}]},
               {"settings": [{"tier": "db-g1-small"}]}),
        change("null_resource.database_main", "delete", {"triggers": {"cloudops_kind": "database"}}, None),
    )
    b = blast_radius(plan)
    assert b.public == ("google_compute_firewall.open", "google_compute_instance.web", "aws_db_instance.orders")
    assert b.databases == (("aws_db_instance.orders", Action.REPLACE), ("google_sql_database_instance.ledger", Action.UPDATE),
                           ("null_resource.database_main", Action.DELETE))
    assert b.databases_at_risk == ("aws_db_instance.orders", "null_resource.database_main")
    text = narrative.blast_text(narrative.tell(plan, estimate(plan)))
    assert "`aws_db_instance.orders`, `null_resource.database_main`: deleted or replaced" in text
    assert "Facing the internet (3)" in text


def test_sensitive_values_never_reach_the_narrative():
    plan = load("null/create.json")
    assert SECRET in (PLANS / "null/create.json").read_text()  # the fixture does hold it
    story = narrative.tell(plan, estimate(plan))
    assert SECRET not in narrative.markdown(story) + narrative.short(story)

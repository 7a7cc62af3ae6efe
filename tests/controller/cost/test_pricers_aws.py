"""EBS snapshots (controller/cost/pricers_aws.py); instances, volumes and databases are tested with their cases."""

from __future__ import annotations

from decimal import Decimal as D

from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc, with_refs


def test_an_ebs_snapshot_is_priced_at_its_volumes_size_as_an_upper_bound():
    # Infracost's ebs_snapshot_test: a 10 GB gp2 volume's snapshot, $0.50 in us-east-1 (EBS feed: $0.05 per GB-month)
    doc = plan_doc(change("aws_ebs_volume.v", "create", None, {"availability_zone": "us-east-1a", "size": 10}),
                   change("aws_ebs_snapshot.s", "create", None, {}), providers={"aws": {"region": "us-east-1"}})
    plan = parse_plan(with_refs(doc, {"aws_ebs_snapshot.s": {"volume_id": ["aws_ebs_volume.v.id", "aws_ebs_volume.v"]}}))
    row = next(r for r in estimate(plan).resources if r.address == "aws_ebs_snapshot.s")
    assert row.after.monthly == D("0.50") and "upper bound" in row.after.components[0].name
    alone = estimate(parse_plan(plan_doc(change("aws_ebs_snapshot.s", "create", None, {}),
                                         providers={"aws": {"region": "us-east-1"}}))).resources[0]
    assert alone.status is Status.NOT_PRICED and "size not known" in alone.reason

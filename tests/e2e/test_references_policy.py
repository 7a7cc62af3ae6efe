"""The `references` policy on real plans: a VM naming a network the project will not have is denied."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from controller.app import ControllerApp
from controller.catalog.render import render_resource
from controller.catalog.specs import NetworkSpec, SubnetSpec, Target, VmSpec

from .harness import Workbench, git, make_infra_repo, settle

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

CONFIG = textwrap.dedent(
    """\
    version: 1
    projects:
      web: {target: local, region: local-1}   # no policy set: references is always on
      db: {target: local, region: local-1}
    members:
      admin: {role: admin, github: cloudops-admin}
    """
)
COMMON = {"project": "web", "target": Target.LOCAL, "region": "local-1", "requested_by": "test"}


def rendered(spec) -> dict[str, str]:
    filename, text = render_resource(spec)
    return {f"projects/web/{filename}": text}


@pytest.fixture
def bench(forge, tmp_path: Path) -> Workbench:
    files = {"cloudops.yaml": CONFIG,
             **rendered(NetworkSpec(name="main", cidr="10.0.0.0/16", subnets=(SubnetSpec(name="app", cidr="10.0.1.0/24"),),
                                    **COMMON)),
             **rendered(VmSpec(name="base", size="small", network="main", subnet="app", **COMMON))}
    return make_infra_repo(forge, tmp_path, files=files)


def policy_state(bench: Workbench, number: int) -> str:
    return bench.statuses(bench.head_sha(number))["cloudops/policy — web"][0]


async def test_a_reference_to_a_network_the_project_lacks_is_denied_and_one_it_has_passes(
        forge, bench: Workbench, controller: ControllerApp) -> None:
    ghost = bench.open_pr("ghost", "VM on a misspelled network",
                          rendered(VmSpec(name="api", size="small", network="mian", **COMMON)))
    fine = bench.open_pr("fine", "VM on main/app", rendered(VmSpec(name="web2", size="small", network="main", subnet="app",
                                                                    **COMMON)))
    await settle(forge, controller)
    denied = bench.comments_with(ghost, "plan:web")[0]
    assert "vm null_resource.vm_api uses network mian, which the project does not have after this change " \
           "(its networks: main)" in denied
    assert policy_state(bench, ghost) == "failure"
    bench.repo.get_pull(ghost).edit(state="closed")  # frees the project lock for the next plan
    await settle(forge, controller)
    bench.repo.get_issue(fine).create_comment("cloudops plan -p web")
    await settle(forge, controller)
    assert policy_state(bench, fine) == "success"


async def test_removing_a_network_that_an_unchanged_vm_still_uses_is_denied(forge, bench: Workbench,
                                                                           controller: ControllerApp) -> None:
    git(bench.clone, "fetch", "-q", "origin")
    git(bench.clone, "checkout", "-q", "-B", "drop", "origin/main")
    git(bench.clone, "rm", "-q", "projects/web/network-main.tf")
    git(bench.clone, "commit", "-q", "-m", "Drop the network")
    git(bench.clone, "push", "-q", "origin", "drop")
    number = bench.repo.create_pull(title="Drop the network", body="", head="drop", base="main").number
    await settle(forge, controller)
    comment = bench.comments_with(number, "plan:web")[0]
    assert "vm null_resource.vm_base uses network main, which the project does not have after this change " \
           "(its networks: none)" in comment

"""Two web replicas and two workers on one PostgreSQL: every PR planned and applied exactly once,
deliveries that reach both replicas processed once, a killed worker's apply reported by the rest."""

from __future__ import annotations

import os
import signal
import textwrap
import time
from pathlib import Path

import pytest

from controller.store import RunKind, RunStatus, open_store
from tests.support import postgres

from .harness import VERSIONS, Workbench, as_reviewer, make_infra_repo, null_resources, register_hook, slow_resource
from .replicas import Balancer, Fleet, wait_until

# 50 PRs on 10 projects, as issue 18 asks (about 200 s here); a smaller run is one command away:
#   CLOUDOPS_E2E_PRS=4 CLOUDOPS_E2E_PROJECTS=2 .venv/bin/python -m pytest tests/e2e/test_replicas.py -k two_replicas
PR_COUNT = int(os.environ.get("CLOUDOPS_E2E_PRS", "50"))
PROJECTS = [f"p{i}" for i in range(int(os.environ.get("CLOUDOPS_E2E_PROJECTS", "10")))]
pytestmark = [pytest.mark.terraform, pytest.mark.slow, pytest.mark.timeout(max(600, 60 * PR_COUNT))]
SLEEP = "sleep 53"  # a marker, so the test can clean up the provisioner a killed worker orphaned


def _config(projects: list[str]) -> str:
    entries = "".join(f"  {p}:\n    target: local\n    region: local-1\n    apply_on: approve\n" for p in projects)
    return textwrap.dedent("""\
        version: 1
        projects:
        """) + entries + textwrap.dedent("""\
        members:
          admin:
            role: admin
            github: cloudops-admin
          rita:
            role: admin
            github: rita
        """)


@pytest.fixture
def database_url():
    url = postgres.fresh_schema_url()
    yield url
    postgres.drop_schema(url)


@pytest.fixture
def fleet_bench(forge, tmp_path: Path) -> Workbench:
    files = {"cloudops.yaml": _config(PROJECTS)}
    for p in PROJECTS:
        files[f"projects/{p}/versions.tf"] = VERSIONS
        files[f"projects/{p}/main.tf"] = null_resources(f"{p}_base")
    return make_infra_repo(forge, tmp_path, files)


def test_two_replicas_and_two_workers_apply_every_pr_exactly_once(forge, fleet_bench: Workbench,
                                                                  database_url: str, tmp_path: Path) -> None:
    bench = fleet_bench
    fleet = Fleet(forge=forge, full_name=bench.full_name, database_url=database_url, root=tmp_path / "fleet")
    balancer = Balancer([w.url for w in fleet.webs], duplicate_every=3)
    try:
        register_hook(bench, balancer.url)
        prs: dict[int, str] = {}
        branches: dict[int, int] = {}
        for i in range(PR_COUNT):  # several PRs per project: each waits for the one before to merge
            project = PROJECTS[i % len(PROJECTS)]
            number = bench.open_pr(f"change-{i}", f"Change {i}",
                                   {f"projects/{project}/pr{i}.tf": null_resources(f"{project}_pr{i}")})
            prs[number] = project
            branches[number] = i
        reviewer = as_reviewer(forge).get_repo(bench.full_name)
        pending = dict(prs)
        asked: dict[int, str] = {}  # PR -> the last command the reviewer commented
        plan_asked: dict[int, str] = {}  # PR -> its plan comment when `cloudops plan` was last asked for
        deadline = time.monotonic() + max(480, 45 * PR_COUNT)
        # One PR per project holds its lock at a time: approve a planned PR, merge it once applied, then
        # ask the next PR of that project for a fresh plan (as a reviewer would after "locked by #N").
        while pending and time.monotonic() < deadline:
            for number, project in list(pending.items()):
                plans = bench.comments_with(number, f"plan:{project}")
                if not plans:
                    continue
                # Only a plan of the current head may be approved (a push re-plans; the old comment stays till then).
                current = bench.head_sha(number)[:12] in plans[0]
                status = _apply_state(database_url, bench.full_name, number)
                if status is RunStatus.SUCCEEDED:
                    bench.repo.get_pull(number).merge()
                    del pending[number]
                    continue
                refused = bench.comments_with(number, f"apply:{project}")
                if asked.get(number) == "apply" and refused and "undiverged" in refused[0]:
                    # The other PR of the project merged first: bring this branch up to date, as its author would.
                    bench.merge_base_into(f"change-{branches[number]}")
                    asked[number] = "updated"
                elif "to add" in plans[0] and current and asked.get(number) != "apply":
                    reviewer.get_issue(number).create_comment(f"cloudops apply -p {project}")
                    asked[number] = "apply"
                elif "to add" not in plans[0] and not _locked_by_other(database_url, bench.full_name, project, number) \
                        and (asked.get(number) != "plan" or plan_asked.get(number) != plans[0]):
                    # Asked again only once the comment moved (e.g. "locked by #N" for another holder, since freed).
                    reviewer.get_issue(number).create_comment(f"cloudops plan -p {project}")
                    asked[number] = "plan"
                    plan_asked[number] = plans[0]
            time.sleep(1)
        assert not pending, f"not applied: {pending}\n" + "\n".join(
            f"#{n}: {c.body[:300]}" for n in pending for c in bench.repo.get_issue(n).get_comments()) + fleet.logs()[-3000:]

        with open_store(database_url) as store:
            runs = store.list_runs(repo=bench.full_name, limit=1000)
            for number in prs:
                applies = [r for r in runs if r.pr_number == number and r.kind is RunKind.APPLY
                           and r.status is RunStatus.SUCCEEDED]
                assert len(applies) == 1, f"PR #{number}: {len(applies)} successful applies"
            # The only failures are plans told "locked by #N" while another PR held the project.
            assert not [r for r in runs if r.status is RunStatus.INTERRUPTED]
            assert all((r.error or "").startswith("locked by #") for r in runs if r.status is RunStatus.FAILED)
            assert store.list_locks(repo=bench.full_name) == []
        duplicated = {d for d, _ in balancer.sent if sum(1 for x, _ in balancer.sent if x == d) > 1}
        assert duplicated, "the balancer sent no delivery to both replicas"
        with open_store(database_url) as store:
            for delivery in duplicated:
                assert store.get_delivery(delivery) is not None  # recorded once (the id is the key)
        # A worker that ran a job has fetched the repo (run directories live outside the data dir and are removed).
        workers_used = {w.data_dir.name for w in fleet.workers if "repos" in {p.name for p in w.data_dir.iterdir()}}
        assert len(workers_used) == 2, "both workers should have run jobs"
    finally:
        balancer.close()
        fleet.stop()


def _locked_by_other(database_url: str, repo: str, project: str, number: int) -> bool:
    with open_store(database_url) as store:
        lock = store.get_lock(repo, project)
    return lock is not None and lock.pr_number != number


def _apply_state(database_url: str, repo: str, number: int) -> RunStatus | None:
    with open_store(database_url) as store:
        applies = [r for r in store.list_runs(repo=repo, pr_number=number) if r.kind is RunKind.APPLY]
    return applies[0].status if applies else None


def test_a_worker_killed_mid_apply_is_reported_by_the_survivor_and_the_next_job_runs(
        forge, fleet_bench: Workbench, database_url: str, tmp_path: Path) -> None:
    import subprocess

    bench = fleet_bench
    fleet = Fleet(forge=forge, full_name=bench.full_name, database_url=database_url, root=tmp_path / "fleet",
                  webs=1, workers=1)
    try:
        register_hook(bench, fleet.webs[0].url)
        number = bench.open_pr("slow", "Slow", {"projects/p0/slow.tf": slow_resource("p0_slow", SLEEP)})
        wait_until(lambda: bench.comments_with(number, "plan:p0"), 120, "plan comment")
        as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops apply -p p0")
        wait_until(lambda: any("Applying project" in c for c in bench.comments_with(number, "apply:p0")), 120,
                   "apply started")
        doomed = fleet.workers[0]
        doomed.proc.send_signal(signal.SIGKILL)
        doomed.proc.wait(10)
        fleet.add_worker("survivor")
        body = wait_until(lambda: next((c for c in bench.comments_with(number, "apply:p0") if "was interrupted" in c), None),
                          120, "interrupted notice")
        assert "p0" in body
        with open_store(database_url) as store:
            applies = [r for r in store.list_runs(repo=bench.full_name, pr_number=number) if r.kind is RunKind.APPLY]
            assert [r.status for r in applies] == [RunStatus.INTERRUPTED]
            assert "worker" in (applies[0].error or "")
        # The lane is free again: a re-plan of the same project runs on the survivor.
        as_reviewer(forge).get_repo(bench.full_name).get_issue(number).create_comment("cloudops plan -p p0")
        wait_until(lambda: (fleet.workers[-1].data_dir / "repos").is_dir(), 120, "survivor ran a job")
    finally:
        fleet.stop()
        subprocess.run(["pkill", "-f", SLEEP], check=False)

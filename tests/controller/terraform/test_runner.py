"""TerraformRunner against the real terraform binary and the bundled null provider."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from controller.errors import (
    ApplyFailed,
    ConfigError,
    InitFailed,
    PlanFailed,
    ShowFailed,
    TerraformCancelled,
    TerraformError,
    TerraformNotFound,
    TerraformTimeout,
)
from controller.settings import Settings
from controller.terraform import events as ev
from controller.terraform import workspace
from controller.terraform.runner import TerraformRunner
from controller.terraform.toolchain import Toolchain

pytestmark = pytest.mark.terraform

Project = Callable[..., Path]

THREE_RESOURCES = """
resource "null_resource" "many" {
  count = 2
}
resource "null_resource" "one" {
  triggers = { size = "small" }
}
output "public" {
  value = "visible"
}
output "secret" {
  value     = "hidden-value"
  sensitive = true
}
"""

# The provisioner says it started, then blocks; it is found by its working directory (its pid as it
# sees it is a sandbox's own when terraform runs under bubblewrap).
BLOCKING = """
resource "null_resource" "blocker" {
  provisioner "local-exec" {
    command = "echo $$ > blocker.pid; exec sleep 30"
  }
}
"""


def live_group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def sleepers_in(workdir: Path) -> list[int]:
    """Host pids of live `sleep` processes whose working directory is ``workdir``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "sleep" \
                    and os.readlink(entry / "cwd") == str(workdir.resolve()) and alive(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def sleeper_in(workdir: Path) -> int:
    for _ in range(50):
        if found := sleepers_in(workdir):
            return found[0]
        import time
        time.sleep(0.1)
    raise AssertionError(f"no sleep process runs in {workdir}")


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] not in ("Z", "X")


def pgid_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rfind(")") + 2 :].split()[2])


async def wait_for_file(path: Path, task: asyncio.Task[object]) -> None:
    """Until the provisioner has written ``path`` (or the task ended, which fails the test)."""
    while not path.exists():
        assert not task.done(), f"terraform finished before writing {path.name}: {task}"
        await asyncio.sleep(0.05)
    while not path.read_text().strip():
        await asyncio.sleep(0.05)


async def planned(runner: TerraformRunner, workdir: Path) -> Path:
    await runner.init(workdir)
    plan_file = workdir / "run.tfplan"
    await runner.plan(workdir, plan_file)
    return plan_file


class TestPlan:
    async def test_counts_equal_terraforms_change_summary(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project(THREE_RESOURCES)
        await runner.init(workdir)
        result = await runner.plan(workdir, workdir / "run.tfplan")
        summary = result.change_summary
        assert summary is not None and (summary.add, summary.change, summary.remove) == (3, 0, 0)
        assert len([c for c in result.planned_changes if c.action == "create"]) == summary.add
        assert result.has_changes and result.exit_code == 2 and (workdir / "run.tfplan").is_file()

    async def test_show_plan_returns_the_plan_document(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project(THREE_RESOURCES)
        plan_file = await planned(runner, workdir)
        document = await runner.show_plan(workdir, plan_file)
        addresses = sorted(c["address"] for c in document["resource_changes"])
        assert addresses == ["null_resource.many[0]", "null_resource.many[1]", "null_resource.one"]

    async def test_a_destroy_plan_counts_what_exists(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project(THREE_RESOURCES)
        await runner.apply(workdir, await planned(runner, workdir))
        result = await runner.plan(workdir, workdir / "destroy.tfplan", destroy=True)
        assert result.destroy and result.change_summary is not None
        assert (result.change_summary.add, result.change_summary.remove) == (0, 3)
        assert {c.action for c in result.planned_changes} == {"delete"}

    async def test_a_plan_without_changes_says_so(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project("")
        await runner.init(workdir)
        result = await runner.plan(workdir, workdir / "run.tfplan")
        assert not result.has_changes and result.exit_code == 0

    async def test_an_hcl_error_is_a_plan_failure_with_file_and_line(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project('resource "null_resource" "x" {\n  bogus = 1\n}\n')
        await runner.init(workdir)
        with pytest.raises(PlanFailed) as caught:
            await runner.plan(workdir, workdir / "run.tfplan")
        (diagnostic,) = caught.value.diagnostics
        assert diagnostic.filename == "main.tf" and diagnostic.line == 10  # 8 lines of provider block first
        assert "Unsupported argument (main.tf:10)" in str(caught.value)

    async def test_a_syntax_error_fails_init_with_file_and_line(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project('resource "null_resource" "x" {\n  triggers = \n}\n')
        with pytest.raises(InitFailed) as caught:
            await runner.init(workdir)
        assert any(d.location() == "main.tf:10" for d in caught.value.diagnostics), caught.value.diagnostics
        assert "main.tf:10" in str(caught.value)

    async def test_a_provider_missing_from_the_mirror_fails_init_without_the_network(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        workdir = make_project(
            'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n', with_provider=False
        )
        with pytest.raises(InitFailed, match="hashicorp/aws"):
            await runner.init(workdir, timeout=30)


class TestApply:
    async def test_events_arrive_in_order_while_terraform_runs(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project(
            """
            resource "null_resource" "first" {}
            resource "null_resource" "slow" {
              depends_on = [null_resource.first]
              provisioner "local-exec" {
                command = "sleep 2 && touch slow.done"
              }
            }
            """
        )
        plan_file = await planned(runner, workdir)
        received: list[tuple[ev.TerraformEvent, bool]] = []

        async def on_event(event: ev.TerraformEvent) -> None:  # async callbacks are awaited
            received.append((event, (workdir / "slow.done").exists()))

        result = await runner.apply(workdir, plan_file, on_event=on_event)
        assert [e for e, _ in received] == list(result.events)
        kinds = [(e.type, getattr(e, "resource", None) and e.resource.addr) for e, _ in received]
        slow_start = kinds.index(("apply_start", "null_resource.slow"))
        assert kinds.index(("apply_start", "null_resource.first")) < kinds.index(("apply_complete", "null_resource.first")) < slow_start
        assert slow_start < kinds.index(("apply_complete", "null_resource.slow"))
        # Seen while the provisioner still ran, so before terraform exited.
        assert received[slow_start][1] is False and (workdir / "slow.done").exists()
        assert isinstance(received[-1][0], (ev.OutputsEvent, ev.ChangeSummary))
        assert result.change_summary is not None and result.change_summary.add == 2
        assert result.applied == ("null_resource.first", "null_resource.slow")

    async def test_only_non_sensitive_outputs_are_returned(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project(THREE_RESOURCES)
        result = await runner.apply(workdir, await planned(runner, workdir), on_event=lambda event: None)
        assert result.outputs == {"public": "visible"}
        assert "hidden-value" not in repr(result.outputs)

    async def test_a_failing_local_exec_names_the_resource_and_keeps_partial_state(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        workdir = make_project(
            """
            resource "null_resource" "ok" {
              count = 2
            }
            resource "null_resource" "bad" {
              depends_on = [null_resource.ok]
              provisioner "local-exec" {
                command = "exit 3"
              }
            }
            """
        )
        plan_file = await planned(runner, workdir)
        with pytest.raises(ApplyFailed) as caught:
            await runner.apply(workdir, plan_file)
        assert caught.value.failed_resources == ["null_resource.bad"]
        assert "null_resource.bad" in str(caught.value) and "exit status 3" in str(caught.value)
        assert any(d.location().startswith("main.tf:") for d in caught.value.diagnostics)
        state = json.loads((workdir / "terraform.tfstate").read_text())
        kept = {r["name"]: len(r["instances"]) for r in state["resources"]}
        assert kept["ok"] == 2

    async def test_apply_needs_a_saved_plan_file(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project(THREE_RESOURCES)
        await runner.init(workdir)
        with pytest.raises(ApplyFailed, match="does not exist"):
            await runner.apply(workdir, workdir / "never-planned.tfplan")
        assert not (workdir / "terraform.tfstate").exists()

    async def test_an_exception_in_on_event_stops_terraform_and_propagates(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        workdir = make_project(BLOCKING)
        plan_file = await planned(runner, workdir)

        def on_event(event: ev.TerraformEvent) -> None:
            if event.type == "provision_start":
                raise RuntimeError("listener broke")

        with pytest.raises(RuntimeError, match="listener broke"):
            await runner.apply(workdir, plan_file, on_event=on_event)
        assert sleepers_in(workdir) == []


class TestStopping:
    async def test_cancelling_the_task_mid_apply_leaves_no_process_behind(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        workdir = make_project(BLOCKING)
        task = asyncio.ensure_future(runner.apply(workdir, await planned(runner, workdir)))
        await wait_for_file(workdir / "blocker.pid", task)
        sleeper = sleeper_in(workdir)
        pgid = pgid_of(sleeper)
        assert pgid != os.getpgid(0)  # terraform runs in its own group
        assert sleeper in live_group_members(pgid)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert live_group_members(pgid) == []

    async def test_the_cancel_event_stops_terraform_and_raises_cancelled(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        workdir = make_project(BLOCKING)
        cancel = asyncio.Event()
        task = asyncio.ensure_future(runner.apply(workdir, await planned(runner, workdir), cancel=cancel))
        await wait_for_file(workdir / "blocker.pid", task)
        pgid = pgid_of(sleeper_in(workdir))
        cancel.set()
        with pytest.raises(TerraformCancelled):
            await task
        assert live_group_members(pgid) == []

    async def test_a_timeout_stops_terraform_and_leaves_nothing_behind(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        workdir = make_project(BLOCKING)
        plan_file = await planned(runner, workdir)
        task = asyncio.ensure_future(runner.apply(workdir, plan_file, timeout=4))
        await wait_for_file(workdir / "blocker.pid", task)
        sleeper = sleeper_in(workdir)
        pgid = pgid_of(sleeper)
        with pytest.raises(TerraformTimeout, match="no result after 4s"):
            await task
        assert live_group_members(pgid) == [] and not alive(sleeper)


class TestFailuresToStart:
    async def test_a_binary_gone_missing_is_terraform_not_found(
        self, toolchain: Toolchain, tf_settings: Settings, make_project: Project
    ) -> None:
        gone = TerraformRunner(dataclasses.replace(toolchain, binary=Path("/nonexistent/terraform")), tf_settings)
        with pytest.raises(TerraformNotFound, match="/nonexistent/terraform"):
            await gone.init(make_project(""))

    async def test_a_missing_working_directory_is_named(self, runner: TerraformRunner, tmp_path: Path) -> None:
        with pytest.raises(TerraformError, match="working directory .*gone does not exist"):
            await runner.init(tmp_path / "gone")

    async def test_an_unreadable_plan_file_reports_terraforms_stderr(self, runner: TerraformRunner, make_project: Project) -> None:
        workdir = make_project(THREE_RESOURCES)
        await runner.init(workdir)
        (workdir / "garbage.tfplan").write_text("not a plan")
        with pytest.raises(ShowFailed) as caught:
            await runner.show_plan(workdir, workdir / "garbage.tfplan")
        # Terraform's own explanation (stderr, or its diagnostic in newer versions) reaches the message.
        assert "garbage.tfplan" in str(caught.value) and "State read error" in str(caught.value)


class TestWorkspace:
    async def test_a_run_works_in_its_own_copy_and_cleans_up(
        self, runner: TerraformRunner, make_project: Project, tmp_path: Path
    ) -> None:
        project = make_project(THREE_RESOURCES)
        (project / ".terraform").mkdir()
        settings = Settings(data_dir=tmp_path / "data")
        ws = workspace.create_workspace(settings, "pr-7.plan-1", project)
        assert ws.workdir == settings.runs_dir / "pr-7.plan-1" and not (ws.workdir / ".terraform").exists()
        await runner.init(ws.workdir)
        await runner.plan(ws.workdir, ws.plan_file)
        assert workspace.open_workspace(settings, "pr-7.plan-1").plan_file.is_file()
        assert not list(project.glob("*.tfplan"))  # the project itself is untouched
        ws.cleanup()
        assert not ws.workdir.exists()

    @pytest.mark.parametrize("run_id", ["../escape", "", "a/b", ".hidden"])
    def test_run_ids_cannot_escape_the_runs_dir(self, run_id: str, tmp_path: Path) -> None:
        with pytest.raises(ConfigError):
            workspace.create_workspace(Settings(data_dir=tmp_path), run_id, tmp_path)

    def test_a_run_id_is_used_once(self, tmp_path: Path, make_project: Project) -> None:
        project = make_project("")
        workspace.create_workspace(Settings(data_dir=tmp_path), "r1", project)
        with pytest.raises(ConfigError, match="already exists"):
            workspace.create_workspace(Settings(data_dir=tmp_path), "r1", project)


class TestProcessRecord:
    async def test_on_start_gets_the_pid_of_the_process_group_before_any_output(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        workdir = make_project(THREE_RESOURCES)
        seen: list[tuple[int, int]] = []
        events_seen: list[object] = []

        def on_start(pid: int) -> None:
            seen.append((pid, len(events_seen)))
            assert pgid_of(pid) == pid  # its own session: the pid is the group to signal

        await runner.init(workdir)
        await runner.plan(workdir, workdir / "run.tfplan", on_start=on_start, on_event=events_seen.append)
        assert len(seen) == 1 and seen[0][1] == 0 and events_seen

    async def test_the_event_log_in_the_run_dir_holds_what_terraform_printed(
        self, runner: TerraformRunner, make_project: Project
    ) -> None:
        from controller.terraform.output_log import log_paths, read_event_log

        workdir = make_project(THREE_RESOURCES)
        result = await runner.apply(workdir, await planned(runner, workdir))
        logged = read_event_log(workdir, "apply")
        assert [type(e) for e in logged] == [type(e) for e in result.events]
        out, _ = log_paths(workdir, "apply")
        assert out.stat().st_mode & 0o077 == 0  # private: plan output may name values

    async def test_terraform_outlives_a_killed_controller_and_finishes(
        self, runner: TerraformRunner, make_project: Project, tmp_path: Path
    ) -> None:
        """The output is a file, not a pipe: a dead reader does not kill terraform with SIGPIPE mid-apply."""
        import signal
        import subprocess
        import sys

        from controller.terraform.output_log import read_event_log

        workdir = make_project(
            'resource "null_resource" "slow" {\n  provisioner "local-exec" {\n'
            '    command = "echo started > started.txt; sleep 2; echo done > finished.txt"\n  }\n}\n'
        )
        plan_file = await planned(runner, workdir)
        script = (
            "import asyncio, sys\n"
            "from pathlib import Path\n"
            "from controller.terraform.runner import TerraformRunner\n"
            "from controller.terraform.toolchain import Toolchain\n"
            "from controller.settings import Settings\n"
            "import pickle\n"
            "runner = pickle.loads(bytes.fromhex(sys.argv[1]))\n"
            "asyncio.run(runner.apply(Path(sys.argv[2]), Path(sys.argv[3]), on_event=lambda e: print(type(e).__name__, flush=True)))\n"
        )
        import pickle

        controller = subprocess.Popen([sys.executable, "-c", script, pickle.dumps(runner).hex(), str(workdir), str(plan_file)],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=Path(__file__).parents[3])
        while not (workdir / "started.txt").exists():
            assert controller.poll() is None, "the controller process ended before the provisioner started"
            await asyncio.sleep(0.05)
        controller.send_signal(signal.SIGKILL)
        controller.wait(10)
        for _ in range(200):
            if (workdir / "finished.txt").exists() and any(type(e).__name__ == "ChangeSummary" for e in read_event_log(workdir, "apply")):
                break
            await asyncio.sleep(0.1)
        assert (workdir / "finished.txt").read_text().strip() == "done"
        assert any(type(e).__name__ == "ApplyComplete" for e in read_event_log(workdir, "apply"))
        assert '"null_resource"' in (workdir / "terraform.tfstate").read_text()

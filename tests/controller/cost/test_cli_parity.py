"""`cloudops cost` as people use `infracost breakdown/diff`: stdin, several files, usage file, diff, fast start."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from controller.cli import main

from .conftest import change, plan_doc

ROOT = Path(__file__).resolve().parents[3]
VM = {"machine_type": "e2-standard-2", "zone": "us-central1-a"}


def _write(tmp_path: Path, name: str, *changes) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(plan_doc(*changes)))
    return path


def test_dash_reads_the_plan_from_standard_input(monkeypatch, capsys):
    doc = plan_doc(change("google_compute_instance.web", "create", None, VM))
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(doc)))
    assert main(["cost", "-", "--format", "summary"]) == 0
    assert "+$49.32/month" in capsys.readouterr().out


def test_several_files_are_one_estimate_with_a_project_per_file(tmp_path, capsys):
    a = _write(tmp_path, "shop.json", change("google_compute_instance.web", "create", None, VM))
    b = _write(tmp_path, "blog.json", change("google_compute_instance.web", "create", None, VM))
    assert main(["cost", str(a), str(b), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"]["delta"] == "98.64"
    assert [p["project"] for p in doc["projects"]] == ["blog", "shop"]


def test_usage_file_option_prices_usage(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    doc = plan_doc(change("aws_sqs_queue.q", "create", None, {}))
    doc["configuration"]["provider_config"] = {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}}
    plan.write_text(json.dumps(doc))
    usage = tmp_path / "usage.yml"
    usage.write_text("resource_usage:\n  aws_sqs_queue.q:\n    monthly_requests: 10000000\n")
    assert main(["cost", str(plan), "--usage-file", str(usage), "--format", "summary"]) == 0
    assert "+$4.00/month" in capsys.readouterr().out


def test_a_bad_usage_file_exits_2_and_names_it(tmp_path, capsys):
    plan = _write(tmp_path, "plan.json", change("google_compute_instance.web", "create", None, VM))
    usage = tmp_path / "usage.yml"
    usage.write_text("resource_usage: 3\n")
    assert main(["cost", str(plan), "--usage-file", str(usage)]) == 2
    assert "usage.yml" in capsys.readouterr().err


def test_diff_compares_to_a_baseline_written_by_cloudops_cost_json(tmp_path, capsys):
    old = _write(tmp_path, "old.json", change("google_compute_instance.web", "create", None, VM))
    assert main(["cost", str(old), "--format", "json"]) == 0
    baseline = tmp_path / "baseline.json"
    baseline.write_text(capsys.readouterr().out)
    bigger = {**VM, "machine_type": "e2-standard-4"}
    new = _write(tmp_path, "new.json", change("google_compute_instance.web", "update", VM, bigger),
                 change("google_bigtable_instance.b", "create", None, {"name": "b"}))
    assert main(["cost", "diff", str(new), "--compare-to", str(baseline), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"] == {"baseline": "49.32", "current": "98.24", "delta": "48.92", "complete": False}
    assert doc["not_priced"] == ["google_bigtable_instance.b"]
    assert main(["cost", "diff", str(new), "--compare-to", str(baseline)]) == 0
    assert capsys.readouterr().out.startswith("Monthly cost increased by $48.92 for what is priced; 1 resource not priced")


def test_diff_reads_an_infracost_json_baseline(tmp_path, capsys):
    baseline = tmp_path / "infracost.json"
    baseline.write_text(json.dumps({"version": "0.2", "projects": [{"breakdown": {"resources": [
        {"name": "google_compute_instance.web", "monthlyCost": "40.00"}]}}]}))
    plan = _write(tmp_path, "plan.json", change("google_compute_instance.web", "create", None, VM))
    assert main(["cost", "diff", str(plan), "--compare-to", str(baseline), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["baseline_source"] == "infracost" and doc["total"]["delta"] == "9.32"


@pytest.mark.parametrize("argv,message", [
    (["cost", "diff", "PLAN"], "needs --compare-to"),
    (["cost", "PLAN", "--compare-to", "B"], "goes with `cloudops cost diff"),
])
def test_diff_options_are_checked(tmp_path, capsys, argv, message):
    plan = _write(tmp_path, "plan.json", change("google_compute_instance.web", "create", None, VM))
    argv = [str(plan) if a == "PLAN" else a for a in argv]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_baseline_that_is_not_a_breakdown_is_refused(tmp_path, capsys):
    plan = _write(tmp_path, "plan.json", change("google_compute_instance.web", "create", None, VM))
    bad = tmp_path / "b.json"
    bad.write_text('{"hello": 1}')
    assert main(["cost", "diff", str(plan), "--compare-to", str(bad)]) == 2
    assert "neither a cloudops nor an Infracost JSON breakdown" in capsys.readouterr().err


def _modules_after(*argv: str) -> set[str]:
    code = ("import sys, contextlib, io\nfrom controller import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        cli.main(sys.argv[1:])\n    except SystemExit:\n        pass\n"
            "print('\\n'.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(out.stdout.split())


def test_cloudops_help_imports_no_command_module():
    loaded = _modules_after("--help")
    assert not {m for m in loaded if m.startswith("controller.") and m not in ("controller.cli", "controller.errors")}
    assert "asyncio" not in loaded and "yaml" not in loaded


def test_cloudops_cost_help_imports_only_the_cost_command():
    loaded = _modules_after("cost", "--help")
    assert "controller.commands.cost" in loaded
    assert not {m for m in loaded if m.startswith(("controller.pipeline", "controller.service", "controller.policy",
                                                   "controller.cost.", "sandbox"))}

"""Rendering: every kind on every target renders, round-trips and matches its golden file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from controller.catalog import examples, hcl, render
from controller.catalog.specs import Kind, Target

from .conftest import FIXTURES, GOLDEN, TARGETS, rendered_example

KINDS = [k.value for k in Kind]


def _key(spec):
    return (spec.kind.value, spec.name)


@pytest.mark.parametrize("target", TARGETS)
def test_every_kind_renders_and_round_trips(target: str) -> None:
    specs = examples.example_specs(target)
    assert sorted(s.kind.value for s in specs) == sorted(KINDS)
    files = rendered_example(target)
    back = sorted(render.read_specs(files), key=_key)
    assert back == sorted((render.normalized(s) for s in specs), key=_key)


@pytest.mark.parametrize("target", TARGETS)
def test_rendering_is_byte_for_byte_deterministic(target: str) -> None:
    assert rendered_example(target) == rendered_example(target)


@pytest.mark.parametrize("target", TARGETS)
def test_one_file_per_resource_plus_versions(target: str) -> None:
    files = rendered_example(target)
    expected = {s.filename for s in examples.example_specs(target)} | {"versions.tf"}
    if target == "azure":
        expected.add("resource-group.tf")
    assert set(files) == expected


@pytest.mark.parametrize("target", TARGETS)
def test_rendered_files_match_golden_files(target: str) -> None:
    files = rendered_example(target)
    golden_dir = GOLDEN / target
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden_dir, ignore_errors=True)
        golden_dir.mkdir(parents=True)
        for name, text in files.items():
            (golden_dir / name).write_text(text, encoding="utf-8")
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in sorted(golden_dir.glob("*.tf"))}
    assert files == on_disk, "rendering changed: review, then regenerate with UPDATE_GOLDEN=1"


def _required() -> dict:
    return yaml.safe_load((FIXTURES / "required_arguments.yaml").read_text())


@pytest.mark.parametrize("target", TARGETS)
def test_every_resource_has_its_documented_required_arguments(target: str) -> None:
    schema = _required()
    for name, text in rendered_example(target).items():
        for type_, local, body in hcl.resources(hcl.loads(text)):
            assert type_ in schema, f"{name}: {type_} has no entry in required_arguments.yaml"
            rules = schema[type_]
            missing = [arg for arg in rules.get("required", []) if arg not in body]
            assert not missing, f"{type_}.{local} lacks {missing}"
            for options in rules.get("one_of", []):
                assert any(o in body for o in options), f"{type_}.{local} needs one of {options}"
            for block_name, args in rules.get("nested", {}).items():
                inner = hcl.first_block(body, block_name)
                assert all(a in inner for a in args), f"{type_}.{local}.{block_name} lacks one of {args}"


LABEL_KEYS = {"labels", "tags", "user_labels", "resource_labels", "triggers"}


@pytest.mark.parametrize("target", ["gcp", "aws", "azure"])
def test_primary_resources_carry_the_standard_labels(target: str) -> None:
    from controller.catalog import targets

    primary = targets.module(target).PRIMARY
    for text in rendered_example(target).values():
        for type_, _local, body in hcl.resources(hcl.loads(text)):
            if type_ not in primary:
                continue
            labels = hcl.literal_map(body.get("labels") or body.get("tags") or body.get("resource_labels")
                                     or hcl.first_block(body, "settings").get("user_labels"))
            if type_ == "google_compute_network":
                labels = dict(pair.split("=") for pair in hcl.unquote(body["description"]).split("; ")[1].split())
            assert labels["managed-by"] == "cloudops"
            assert labels["requested-by"] == "alice"
            assert labels["project"] == "shop"


def test_local_triggers_carry_the_whole_spec() -> None:
    files = rendered_example("local")
    body = hcl.resources(hcl.loads(files["vm-web.tf"]))[0][2]
    triggers = hcl.literal_map(body["triggers"])
    assert triggers | {} == triggers
    assert {k: triggers[k] for k in ("cloudops_kind", "cloudops_target", "size", "region", "price_profile", "label_team")} == {
        "cloudops_kind": "vm", "cloudops_target": "local", "size": "small", "region": "local-1",
        "price_profile": "gcp/e2-small", "label_team": "storefront",
    }
    assert hcl.unquote(hcl.first_block(body, "provisioner")['"local-exec"']["command"]) == "sleep 1"


def test_the_local_provisioning_delay_is_configurable() -> None:
    spec = examples.starter_specs()[0]
    _, text = render.render_resource(spec, render.RenderOptions(local_delay_seconds=2))
    assert 'command = "sleep 2"' in text


def test_the_template_example_project_is_exactly_what_the_renderer_writes() -> None:
    template = Path(__file__).parents[3] / "repo_template" / "projects" / "example"
    files = render.render_project("example", "local", "local-1", examples.starter_specs())
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in sorted(template.glob("*.tf"))}
    assert files == on_disk
    kinds = sorted(s.kind.value for s in render.read_specs(on_disk))
    assert kinds == ["bucket", "database", "vm"]


def test_string_literals_escape_template_sequences() -> None:
    assert hcl.string('a"b${c}%{d}') == '"a\\"b$${c}%%{d}"'
    assert hcl.unquote(hcl.string('a"b${c}%{d}')) == 'a"b${c}%{d}'


def test_golden_files_are_what_terraform_fmt_leaves_alone() -> None:
    from controller.settings import Settings
    from controller.terraform.toolchain import find_terraform

    binary = find_terraform(Settings.from_env()).path  # the toolchain is a dependency: missing is a failure
    result = subprocess.run([str(binary), "fmt", "-check", "-recursive", "-diff", str(GOLDEN)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


VARIANTS = {
    "gcp": dict(size="e2-micro", tier="db-f1-micro", engine="mysql", version="8.0", storage_class="ARCHIVE"),
    "aws": dict(size="m6i.large", tier="db.m5.large", engine="mysql", version="8.0", storage_class="STANDARD"),
    "azure": dict(size="Standard_B1s", tier="GP_Standard_D2ds_v4", engine="mysql", version="8.0.21", storage_class="Hot"),
    "local": dict(size="xlarge", tier="large", engine="mysql", version="8.0", storage_class="archive"),
}


@pytest.mark.parametrize("target", TARGETS)
def test_variants_without_networks_round_trip_too(target: str) -> None:
    from controller.catalog.specs import BucketSpec, ClusterSpec, DatabaseSpec, VmSpec

    v = VARIANTS[target]
    region = examples.example_specs(target)[0].region
    common = dict(project="shop", target=Target(target), region=region, requested_by="bob")
    specs = [
        VmSpec(name="solo", size=v["size"], **common),
        DatabaseSpec(name="legacy", engine=v["engine"], version=v["version"], tier=v["tier"], storage_gb=100, **common),
        BucketSpec(name="coldstore2024", storage_class=v["storage_class"], versioning=False, **common),
    ]
    if target != "aws":
        specs.append(ClusterSpec(name="tiny", node_size=v["size"], node_count=1, version="1.31", **common))
    files = render.render_project("shop", target, region, specs)
    back = sorted(render.read_specs(files), key=_key)
    assert back == sorted((render.normalized(s) for s in specs), key=_key)

"""A PR cannot make terraform run foreign code at plan time; hostile HCL is refused before init."""

from __future__ import annotations

import pytest

from controller.pipeline.plan_guard import check_project, normalize_source

VERSIONS = 'terraform {\n  required_providers {\n    null = { source = "hashicorp/null", version = "2.1.2" }\n  }\n}\n'


def problems(files: dict[str, str]) -> list[str]:
    return [str(f) for f in check_project(files)]


def test_a_catalog_style_project_passes() -> None:
    files = {"versions.tf": VERSIONS, "main.tf": 'resource "null_resource" "a" {\n  provisioner "local-exec" {\n    command = "sleep 1"\n  }\n}\n'}
    assert problems(files) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"main.tf": 'data "external" "x" {\n  program = ["sh", "-c", "env"]\n}\n'}, 'data "external" runs a program'),
        ({"v.tf": 'terraform {\n  required_providers {\n    evil = { source = "evilcorp/evil" }\n  }\n}\n'},
         "registry.terraform.io/evilcorp/evil is not on the allowlist"),
        ({"main.tf": 'resource "docker_container" "x" {\n  name = "y"\n}\n'}, "implied registry.terraform.io/hashicorp/docker"),
        ({"main.tf": 'provider "kubernetes" {\n}\n'}, "'kubernetes'"),
        ({"main.tf": 'module "m" {\n  source = "git::https://example.com/evil.git"\n}\n'}, "only modules inside the project"),
        ({"main.tf": 'module "m" {\n  source = "./../other-project"\n}\n'}, "only modules inside the project"),
        ({".terraform.lock.hcl": 'provider "registry.terraform.io/evilcorp/evil" {\n  version = "1.0.0"\n}\n'},
         "locks provider registry.terraform.io/evilcorp/evil"),
        ({"main.tf": 'resource "null_resource" "a" {'}, "cannot be read as HCL"),
    ],
)
def test_hostile_projects_are_refused_naming_the_problem(files: dict[str, str], expected: str) -> None:
    found = problems(files)
    assert any(expected in p for p in found), found


def test_a_renamed_local_name_cannot_hide_a_foreign_source() -> None:
    files = {"v.tf": 'terraform {\n  required_providers {\n    null = { source = "evilcorp/null" }\n  }\n}\n',
             "main.tf": 'resource "null_resource" "a" {\n}\n'}
    assert any("evilcorp/null" in p for p in problems(files))


def test_local_modules_inside_the_project_are_allowed() -> None:
    files = {"versions.tf": VERSIONS, "main.tf": 'module "net" {\n  source = "./modules/net"\n}\n',
             "modules/net/main.tf": 'resource "null_resource" "n" {\n}\n'}
    assert problems(files) == []


@pytest.mark.parametrize(
    ("source", "normalized"),
    [("hashicorp/null", "registry.terraform.io/hashicorp/null"), ("null", "registry.terraform.io/hashicorp/null"),
     ("Registry.Terraform.io/HashiCorp/AWS", "registry.terraform.io/hashicorp/aws")],
)
def test_provider_sources_normalize_as_terraform_does(source: str, normalized: str) -> None:
    assert normalize_source(source) == normalized

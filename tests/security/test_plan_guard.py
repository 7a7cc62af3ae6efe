"""A PR cannot make terraform run foreign code at plan time; hostile HCL is refused before init."""

from __future__ import annotations

import json

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


# --- issue 21.1/21.4, 22.7: file reads, JSON syntax, symlinks, backends -----------------------------------------

READ = 'resource "null_resource" "r" {{\n  triggers = {{ v = {} }}\n}}\n'


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('file("${path.module}/../../state.key")', "uses '..'"),
        ('file("/etc/hostname")', "is an absolute path"),
        ('filebase64("~/.ssh/id_rsa")', "names a home directory"),
        ('filesha256("${path.root}/../x")', "uses '..'"),
        ('fileexists("/var/lib/cloudops/master.key") ? "y" : "n"', "is an absolute path"),
        ('templatefile(var.t, {})', "the path is computed"),
        ('file("${path.module}/${var.name}")', "only a literal path may follow the path prefix"),
        ('file(join("/", ["..", "x"]))', "the path is computed"),
        ('upper(file("C:/Windows/win.ini"))', "is an absolute path"),
        ('fileset(path.module, "../**")', "may only list files inside the project"),
        ('"${file("/proc/self/environ")}"', "is an absolute path"),
    ],
)
def test_a_file_function_reaching_outside_the_project_is_refused_with_file_and_line(expression: str, expected: str) -> None:
    found = problems({"versions.tf": VERSIONS, "main.tf": READ.format(expression)})
    assert any(p.startswith("main.tf:2: ") and expected in p for p in found), found


@pytest.mark.parametrize("expression", ['file("${path.module}/files/a.txt")', 'file("files/a.txt")',
                                        'filemd5("${path.root}/x")', '[for f in fileset(path.module, "files/*") : f]',
                                        '"file(s) are read elsewhere"'])
def test_literal_paths_inside_the_project_are_allowed(expression: str) -> None:
    assert problems({"versions.tf": VERSIONS, "main.tf": READ.format(expression)}) == []


def test_a_template_that_reads_outside_the_project_is_refused() -> None:
    files = {"versions.tf": VERSIONS, "main.tf": READ.format('templatefile("${path.module}/t.tftpl", {})'),
             "t.tftpl": "line one\n${file(\"/data/state.key\")}\n"}
    assert problems(files) == ["t.tftpl:2: file(\"/data/state.key\") may only read files inside the project: "
                               "'/data/state.key' is an absolute path, outside the project"]


def test_the_json_syntax_is_guarded_like_native_syntax() -> None:
    sneaky = json.dumps({"data": {"external": {"x": {"program": ["sh"]}}},
                         "module": {"m": {"source": "git::https://example.com/x.git"}},
                         "resource": {"null_resource": {"a": {"triggers": {"v": '${file("/etc/passwd")}'}}}}})
    found = problems({"versions.tf": VERSIONS, "sneaky.tf.json": sneaky})
    assert any('data "external" runs a program' in p for p in found)
    assert any("only modules inside the project" in p for p in found)
    assert any("file(\"/etc/passwd\")" in p for p in found)
    assert any("implied registry.terraform.io/hashicorp/external" in p for p in found)


def test_a_json_file_that_is_not_json_is_refused() -> None:
    assert any("cannot be read as JSON" in p for p in problems({"x.tf.json": "{not json"}))


@pytest.mark.parametrize(
    ("links", "escaping"),
    [({"a": "/etc/passwd"}, ["a"]), ({"a": "../x"}, ["a"]), ({"d": ".", "e": "d/.."}, ["e"]),
     ({"loop": "loop"}, ["loop"]), ({"m/a": "../main.tf", "m/b": "a", "ok": "m/b"}, []),
     ({"m/up": "../../x"}, ["m/up"])],
)
def test_symlinks_are_resolved_as_the_kernel_would_and_refused_when_they_leave(links: dict, escaping: list) -> None:
    found = check_project({"versions.tf": VERSIONS}, symlinks=links)
    assert sorted(f.file for f in found) == escaping


@pytest.mark.parametrize(
    ("hcl", "expected"),
    [('terraform {\n  backend "local" {\n    path = "/var/lib/x.tfstate"\n  }\n}\n', 'backend "local" is given the path'),
     ('terraform {\n  backend "local" {\n    workspace_dir = "../../ws"\n  }\n}\n', "'../../ws'"),
     ('terraform {\n  backend "http" {\n    address = "http://169.254.169.254/"\n  }\n}\n', 'backend "http" is not allowed'),
     ('data "terraform_remote_state" "o" {\n  backend = "local"\n  config = { path = "../x/terraform.tfstate" }\n}\n',
      'data "terraform_remote_state" is given the path'),
     ('provider "aws" {\n  shared_credentials_files = ["/root/.aws/credentials"]\n}\n', 'provider "aws" is given the path')],
)
def test_backends_remote_state_and_providers_may_not_be_given_host_paths(hcl: str, expected: str) -> None:
    found = problems({"versions.tf": VERSIONS, "main.tf": hcl})
    assert any(expected in p for p in found), found


def test_a_remote_backend_and_builtin_data_sources_are_allowed() -> None:
    hcl = ('terraform {\n  backend "s3" {\n    bucket = "state"\n    key = "web/terraform.tfstate"\n  }\n}\n'
           'data "terraform_remote_state" "o" {\n  backend = "s3"\n  config = { bucket = "b", key = "k" }\n}\n')
    assert problems({"versions.tf": VERSIONS, "main.tf": hcl}) == []

"""Reading a repo: hand-written HCL lists without error; counts are conservative; bad files are reported."""

from __future__ import annotations

from pathlib import Path

from controller.catalog import examples, reader, render
from controller.catalog.specs import Kind

from .conftest import FIXTURES

HAND = FIXTURES / "handwritten"


def by_address(inv: reader.ProjectInventory) -> dict[str, reader.FoundResource]:
    return {r.address: r for r in inv.resources}


def test_modules_for_each_dynamic_blocks_and_aliases_are_listed_as_unmanaged() -> None:
    inv = reader.read_project(HAND / "network")
    found = by_address(inv)
    assert inv.problems == []
    assert found["module.vpc"].notes[0] == "module source terraform-aws-modules/vpc/aws"
    assert found["module.vpc"].line == 19
    assert found["aws_subnet.extra"].instances is None
    assert "dynamic blocks" in found["aws_security_group.web"].notes
    assert "provider = aws.replica" in found["aws_s3_bucket.logs"].notes
    assert not any(r.managed for r in inv.resources)


def test_counts_are_conservative() -> None:
    counts = reader.read_project(HAND / "platform").counts()
    assert counts["vm"] == reader.KindCount(minimum=4, exact=False)  # count = 3, plus a conditional count
    assert counts["bucket"] == reader.KindCount(minimum=2, exact=True)
    assert counts["database"] == reader.KindCount(minimum=1, exact=True)
    assert str(counts["unknown"]) == "at least 1 (unknown)"


def test_a_file_in_cloudops_style_is_managed_and_hand_written_ones_are_not() -> None:
    found = by_address(reader.read_project(HAND / "platform"))
    assert found["google_storage_bucket.bucket_exports"].managed
    assert found["google_storage_bucket.bucket_exports"].attributes["storage_class"] == "NEARLINE"
    assert not found["google_compute_instance.worker"].managed
    assert found["google_compute_instance.worker"].instances == 3


def test_a_parse_error_is_reported_with_file_and_line_and_the_rest_is_read() -> None:
    inv = reader.read_project(HAND / "broken")
    assert [(p.file, p.line) for p in inv.problems] == [("bad.tf", 3)]
    assert str(inv.problems[0]).startswith("bad.tf:3: parsing HCL")
    assert [r.address for r in inv.resources] == ["null_resource.vm_ok"]


def test_rendered_projects_read_as_managed_with_exact_counts(tmp_path: Path) -> None:
    for target in ("gcp", "aws", "azure", "local"):
        specs = examples.example_specs(target)
        render.write_project(tmp_path, target, target, specs[0].region,
                             [s.__class__(**{**s.__dict__, "project": target}) for s in specs])
    inventories = {inv.project: inv for inv in reader.read_repo(tmp_path)}
    assert set(inventories) == {"gcp", "aws", "azure", "local"}
    for inv in inventories.values():
        counts = inv.counts()
        assert {k: (c.minimum, c.exact) for k, c in counts.items()} == {k.value: (1, True) for k in Kind}
        primaries = [r for r in inv.resources if r.kind]
        assert all(r.managed for r in primaries)


def test_the_template_example_counts_one_of_each_kind() -> None:
    template = Path(__file__).parents[3] / "repo_template"
    (inv,) = reader.read_repo(template)
    assert {k: c.minimum for k, c in inv.counts().items()} == {"bucket": 1, "database": 1, "vm": 1}


def test_unreadable_bytes_are_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "junk.tf").write_bytes(b"\xff\xfe\x00resource")
    (tmp_path / "odd.tf").write_text('resource "x" {\n}\n')
    inv = reader.read_project(tmp_path)
    assert {p.file for p in inv.problems} >= {"junk.tf"}

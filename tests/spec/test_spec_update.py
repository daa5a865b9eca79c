"""Spec bumps: `tajo-brevo spec update` / `make update-spec`, in a temp copy of the project."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from spec_fixtures import FIXTURES
from tajo_brevo import _cli_spec
from tajo_brevo._cli_errors import CliError
from tajo_brevo.cli import main
from tajo_brevo.spec import SpecPaths, build_effective, check_lock, load_yaml
from tajo_brevo.spec import update as update_module
from tajo_brevo.spec.update import (
    GENERATOR_ARGS,
    SpecUpdateError,
    regenerate,
    update_spec,
    write_changelog_entry,
)

FIXTURE = {f.name: f for f in FIXTURES}
TODAY = dt.date(2026, 11, 22)


@pytest.fixture()
def project(root: Path, tmp_path: Path) -> SpecPaths:
    work = tmp_path / "proj"
    ignore = shutil.ignore_patterns("__pycache__", ".ruff_cache")
    for name in ("openapi", "generated"):
        shutil.copytree(root / name, work / name, ignore=ignore)
    shutil.copy(root / "Makefile", work / "Makefile")
    (work / ".venv").symlink_to(root / ".venv")
    return SpecPaths(work)


def snapshot(paths: SpecPaths) -> dict[str, str]:
    return {
        str(p.relative_to(paths.root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(paths.root.rglob("*"))
        if p.is_file() and ".venv" not in p.parts and "__pycache__" not in p.parts
    }


def write_spec(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.fixture()
def pin(project: SpecPaths) -> dict[str, Any]:
    doc: dict[str, Any] = load_yaml(project.pin)
    return doc


def test_update_with_a_new_optional_field_regenerates_everything(
    project: SpecPaths, pin: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = FIXTURE["new_optional_request_field"].build(pin)
    old_version = pin["info"]["version"]
    new["info"]["version"] = f"{old_version}-tajo-fixture"
    spec = write_spec(tmp_path / "new.yml", new)
    pin_bytes = project.pin.read_bytes()
    args = ["spec", "--root", str(project.root), "update", str(spec), "--no-tests"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "non-breaking: `request body application/json: tajoFixtureTier`: optional" in out

    assert project.pin.read_bytes() == spec.read_bytes()
    assert check_lock(project) == []
    effective = load_yaml(project.effective)
    assert "tajoFixtureTier" in effective["components"]["schemas"]["CreateContact"]["properties"]
    model = (project.generated / "models" / "create_contact.py").read_text()
    assert "tajo_fixture_tier: str | Unset = UNSET" in model
    assert not (project.generated / ".ruff_cache").exists()
    assert not list(project.root.glob(".spec-update-*"))

    changelog = project.changelog.read_text()
    assert changelog.startswith("# Changelog\n\n## Unreleased\n\n### Brevo spec bump (")
    title = pin["info"]["title"]
    assert (
        f"{title} {old_version} (sha256 {hashlib.sha256(pin_bytes).hexdigest()[:12]})" in changelog
    )
    assert f"-> {title} {old_version}-tajo-fixture (sha256 " in changelog
    assert "Upstream changes: 0 breaking, 1 non-breaking" in changelog
    assert (
        "- `POST /contacts` (createContact) `request body application/json: tajoFixtureTier`: "
        "optional property added" in changelog
    )
    # What make check-generated runs first: the effective spec is pin + corrections.
    text, report = build_effective(project)
    assert not report.stale
    assert text == project.effective.read_text()


def test_an_invalid_spec_changes_nothing(
    project: SpecPaths, pin: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(project)
    broken = FIXTURE["new_operation"].build(pin)
    broken["paths"]["/contacts/tajo-fixture"]["post"]["parameters"] = [
        {"name": "dryRun"}
    ]  # no `in`
    spec = write_spec(tmp_path / "broken.yml", broken)
    # Bad input: exit 2, as `spec diff` gives for the same file.
    assert main(["spec", "--root", str(project.root), "update", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tajo-brevo spec update: {spec}: invalid OpenAPI document")
    assert len(err.splitlines()) == 1
    not_yaml = tmp_path / "not.yml"
    not_yaml.write_text("openapi: [unclosed\n")
    with pytest.raises(SpecUpdateError, match="is not YAML or JSON"):
        update_spec(project, not_yaml)
    assert snapshot(project) == before


def test_stale_corrections_are_refused_unless_allowed(
    project: SpecPaths, pin: dict[str, Any], tmp_path: Path
) -> None:
    new = FIXTURE["new_optional_response_field"].build(pin)
    # Upstream now documents listFolders' 400 exactly as the correction does ...
    new["paths"]["/contacts/folders"]["get"]["responses"]["400"] = {
        "description": "Bad request",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }
    spec = write_spec(tmp_path / "new.yml", new)
    # ... and drops the import operation that several corrections target.
    gone = {**new, "paths": {k: v for k, v in new["paths"].items() if k != "/contacts/import"}}
    gone_spec = write_spec(tmp_path / "gone.yml", gone)
    before = snapshot(project)
    with pytest.raises(SpecUpdateError) as info:
        update_spec(project, gone_spec)
    message = str(info.value)
    assert "(listFolders 400): changes nothing" in message
    assert "inline import 202 body becomes CreatedProcessId): target" in message
    assert "matches nothing" in message
    assert "Nothing was changed" in message
    assert snapshot(project) == before

    result = update_spec(project, spec, allow_stale=True, today=TODAY)
    assert result.changed
    assert [d for _, _, d in result.corrections.no_op] == ["listFolders 400"]
    assert project.pin.read_bytes() == spec.read_bytes()
    assert "Corrections that no longer apply" in project.changelog.read_text()
    assert "### Brevo spec bump (2026-11-22)" in project.changelog.read_text()
    assert "tajo_fixture_points" in (project.generated / "models" / "contact.py").read_text()
    # The stale action keeps the build red until someone removes it.
    with pytest.raises(ValueError, match="stale corrections"):
        build_effective(project)


def test_corrections_that_break_the_new_spec_change_nothing(
    project: SpecPaths, pin: dict[str, Any], tmp_path: Path
) -> None:
    overlay = load_yaml(project.corrections)
    overlay["actions"].append(
        {"target": "$.info", "description": "breaks it", "update": {"version": [3]}}
    )
    project.corrections.write_text(yaml.safe_dump(overlay, sort_keys=False))
    before = snapshot(project)
    spec = write_spec(tmp_path / "new.yml", FIXTURE["new_operation"].build(pin))
    with pytest.raises(SpecUpdateError, match=r"with openapi/corrections\.yml applied it is not"):
        update_spec(project, spec)
    assert snapshot(project) == before


def fake_generator(effective: Path, output: Path, config: Path) -> None:
    output.mkdir(parents=True)
    (output / "__init__.py").write_text("# fake\n")


def test_a_failure_while_writing_restores_every_file(
    project: SpecPaths, pin: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_lock(paths: SpecPaths) -> None:
        paths.lock.write_text("half-written")
        raise OSError("disk full")

    monkeypatch.setattr(update_module, "generate_client", fake_generator)
    monkeypatch.setattr(update_module, "write_lock", failing_lock)
    before = snapshot(project)
    spec = write_spec(tmp_path / "new.yml", FIXTURE["new_operation"].build(pin))
    with pytest.raises(SpecUpdateError, match="writing the update failed, nothing was changed"):
        update_spec(project, spec)
    assert snapshot(project) == before
    assert not project.changelog.exists()
    assert not list(project.root.glob(".spec-update-*"))


def test_a_generator_failure_changes_nothing(
    project: SpecPaths, pin: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_generator(effective: Path, output: Path, config: Path) -> None:
        output.mkdir(parents=True)
        raise SpecUpdateError("openapi-python-client failed:\nboom")

    monkeypatch.setattr(update_module, "generate_client", broken_generator)
    before = snapshot(project)
    spec = write_spec(tmp_path / "new.yml", FIXTURE["new_operation"].build(pin))
    with pytest.raises(SpecUpdateError, match="boom"):
        update_spec(project, spec)
    assert snapshot(project) == before
    assert not list(project.root.glob(".spec-update-*"))


def test_the_pinned_spec_itself_is_a_no_op(project: SpecPaths) -> None:
    before = snapshot(project)
    result = update_spec(project, project.pin)
    assert not result.changed
    assert result.upstream.changes == []
    assert snapshot(project) == before


def test_spec_generate_is_make_generate(project: SpecPaths) -> None:
    # Regenerating the committed state changes no byte; a lost file comes back.
    before = snapshot(project)
    (project.generated / "models" / "create_folder_response_201.py").unlink()
    assert main(["spec", "--root", str(project.root), "generate"]) == 0
    assert snapshot(project) == before
    assert not regenerate(project).stale


def test_makefile_generator_args_match_the_python_ones(root: Path) -> None:
    makefile = (root / "Makefile").read_text()
    gen_args = re.search(r"^GEN_ARGS := (.*)$", makefile, re.M)
    assert gen_args is not None
    args = gen_args.group(1).split()
    config_at = args.index("--config")
    assert args[config_at + 1] == "openapi/generator.yml"
    assert tuple(args[:config_at] + args[config_at + 2 :]) == GENERATOR_ARGS


def test_make_update_spec_needs_a_spec_and_refuses_an_invalid_one(
    project: SpecPaths, tmp_path: Path
) -> None:
    make = ["make", "-s", "-o", ".venv/.installed", "update-spec"]
    # Under `make update-spec SPEC=...` the outer make passes SPEC down through MAKEFLAGS.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env.pop("SPEC", None)
    result = subprocess.run(
        make, cwd=project.root, capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode != 0
    assert "usage: make update-spec SPEC=" in result.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text("openapi: 3.1.0\npaths: {}\n")
    before = snapshot(project)
    result = subprocess.run(
        [*make, f"SPEC={bad}"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode != 0
    assert "invalid OpenAPI document" in result.stderr
    assert snapshot(project) == before


def test_run_tests_reports_a_failing_suite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Makefile").write_text("test:\n\t@exit 3\n")
    with pytest.raises(CliError, match="the bump is written but the tests fail") as failed:
        _cli_spec._run_tests(tmp_path)
    assert failed.value.code == 1
    (tmp_path / "Makefile").write_text("test:\n\t@true\n")
    assert _cli_spec._run_tests(tmp_path) == 0


def test_changelog_entries_go_on_top_of_unreleased(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    write_changelog_entry(path, "### first\n\n- a\n")
    write_changelog_entry(path, "### second\n")
    assert path.read_text() == ("# Changelog\n\n## Unreleased\n\n### second\n\n### first\n\n- a\n")
    path.write_text("# Changelog\n\n## 0.1.0\n\n- old\n")
    write_changelog_entry(path, "### bump\n")
    assert path.read_text() == "# Changelog\n\n## Unreleased\n\n### bump\n\n## 0.1.0\n\n- old\n"

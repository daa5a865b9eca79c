"""Several upstream files make one pin: merge, conflicts, lock, `make update-spec SPEC="..."`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from spec_fixtures.split_by_tag import split_by_tag
from tajo_brevo.cli import main
from tajo_brevo.spec import SpecPaths, check_lock, load_yaml, read_lock
from tajo_brevo.spec.diff import diff_specs
from tajo_brevo.spec.merge import MergeError, dump_merged, merge_specs, read_sources
from tajo_brevo.spec.update import SpecUpdateError, update_spec

FIXTURES = Path(__file__).parent / "spec_fixtures"
SPLIT = FIXTURES / "split"
CONFLICTS = FIXTURES / "split_conflicts"
SPLIT_FILES = sorted(SPLIT.iterdir())


def test_split_files_merge_into_one_spec_with_every_path_component_and_tag() -> None:
    merged = merge_specs(read_sources(SPLIT_FILES))
    assert list(merged["paths"]) == ["/contacts", "/contacts/folders", "/contacts/lists"]
    # /contacts is spread over two files: GET from one, POST from the other.
    assert merged["paths"]["/contacts"]["get"]["operationId"] == "listContacts"
    assert merged["paths"]["/contacts"]["post"]["operationId"] == "createContact"
    schemas = merged["components"]["schemas"]
    assert list(schemas) == ["Contact", "Error", "ListPage"]  # shared ones once, sorted
    assert list(merged["components"]["parameters"]) == ["Limit"]
    assert [t["name"] for t in merged["tags"]] == ["Contacts", "Folders", "Lists"]
    assert merged["servers"] == [{"url": "https://api.example.test/v3"}]
    assert merged["security"] == [{"apiKey": []}]
    assert merged["info"]["x-tajo-merged-from"] == [p.name for p in SPLIT_FILES]
    assert merged["info"]["title"] == (
        "Fixture Contacts API + Fixture Lists API + Fixture Folders API"
    )
    assert merged["externalDocs"] == {"url": "https://docs.example.test/contacts"}


def test_the_merge_does_not_depend_on_the_order_of_the_files() -> None:
    forward = read_sources(SPLIT_FILES)
    backward = read_sources(list(reversed(SPLIT_FILES)))
    assert dump_merged(merge_specs(forward), forward) == dump_merged(
        merge_specs(list(reversed(backward))), backward
    )
    # A directory gives the same files.
    assert [s.name for s in read_sources([SPLIT])] == [p.name for p in SPLIT_FILES]


def test_the_merged_document_names_its_sources_and_reads_back() -> None:
    sources = read_sources(SPLIT_FILES)
    text = dump_merged(merge_specs(sources), sources).decode()
    for source in sources:
        assert f"{source.name} sha256 {source.sha256}" in text
    assert yaml.safe_load(text) == merge_specs(sources)


def test_a_component_defined_differently_in_two_files_is_an_error_naming_both() -> None:
    sources = read_sources([*SPLIT_FILES, CONFLICTS / "folders-other-error.yml"])
    with pytest.raises(MergeError) as error:
        merge_specs(sources)
    message = str(error.value)
    assert "components/schemas/Error" in message
    assert "a-contacts.yml" in message and "folders-other-error.yml" in message


def test_an_operation_defined_differently_in_two_files_is_an_error_naming_both() -> None:
    sources = read_sources([SPLIT / "a-contacts.yml", CONFLICTS / "lists-other-list-contacts.yml"])
    with pytest.raises(MergeError) as error:
        merge_specs(sources)
    message = str(error.value)
    assert "paths[/contacts]/get" in message
    assert "a-contacts.yml" in message and "lists-other-list-contacts.yml" in message


def test_a_missing_file_or_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(MergeError, match="no such file"):
        read_sources([tmp_path / "nope.yml"])
    with pytest.raises(MergeError, match=r"no \.yml"):
        read_sources([tmp_path])


@pytest.fixture()
def project(root: Path, tmp_path: Path) -> SpecPaths:
    work = tmp_path / "proj"
    ignore = shutil.ignore_patterns("__pycache__", ".ruff_cache")
    for name in ("openapi", "generated"):
        shutil.copytree(root / name, work / name, ignore=ignore)
    shutil.copy(root / "Makefile", work / "Makefile")
    (work / ".venv").symlink_to(root / ".venv")
    return SpecPaths(work)


def _write_split(pin: dict[str, Any], directory: Path) -> list[Path]:
    directory.mkdir()
    written = []
    for name, doc in split_by_tag(pin).items():
        path = directory / name
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written


def test_update_from_the_pin_split_by_tag_gives_the_same_api_and_locks_every_file(
    project: SpecPaths, tmp_path: Path
) -> None:
    pin = load_yaml(project.pin)
    files = _write_split(pin, tmp_path / "upstream")
    assert len(files) == 5
    old_effective = load_yaml(project.effective)
    result = update_spec(project, files)
    assert result.changed
    # Same 18 operations, same schemas: nothing changed for a client, corrections re-applied.
    assert result.upstream.changes == []
    assert result.effective.changes == []
    assert not result.corrections.stale
    assert diff_specs(old_effective, load_yaml(project.effective)).changes == []
    lock = read_lock(project)
    import hashlib

    assert lock["sources"] == [
        {"path": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in sorted(files, key=lambda p: p.name)
    ]
    assert check_lock(project) == []
    entry = result.changelog_entry
    assert "Merged from" in entry and all(p.name in entry for p in files)


def test_update_refuses_conflicting_files_and_changes_nothing(
    project: SpecPaths, tmp_path: Path
) -> None:
    pin = load_yaml(project.pin)
    files = _write_split(pin, tmp_path / "upstream")
    clash = yaml.safe_load(files[0].read_text())
    first_schema = next(iter(clash["components"]["schemas"]))
    clash["components"]["schemas"][first_schema] = {"type": "string"}
    other = tmp_path / "zz-other.yml"
    other.write_text(yaml.safe_dump(clash), encoding="utf-8")
    before = {p: p.read_bytes() for p in (project.pin, project.effective, project.lock)}
    with pytest.raises(SpecUpdateError) as error:
        update_spec(project, [*files, other])
    assert f"components/schemas/{first_schema}" in str(error.value)
    assert files[0].name in str(error.value) and "zz-other.yml" in str(error.value)
    assert {p: p.read_bytes() for p in before} == before


def test_cli_and_make_take_several_files(
    project: SpecPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin = load_yaml(project.pin)
    files = _write_split(pin, tmp_path / "upstream")
    code = main(["spec", "--root", str(project.root), "update", *map(str, files), "--no-tests"])
    assert code == 0, capsys.readouterr().err
    assert [s["path"] for s in read_lock(project)["sources"]] == sorted(p.name for p in files)
    # make passes SPEC="a b c" on as separate paths; an invalid one is refused by name.
    bad = tmp_path / "broken.yml"
    bad.write_text("openapi: 3.1.0\npaths: 12\n", encoding="utf-8")
    spec = " ".join([*map(str, files), str(bad)])
    make = ["make", "-s", "-o", ".venv/.installed", "update-spec", f"SPEC={spec}"]
    result = subprocess.run(make, cwd=project.root, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "broken.yml" in result.stderr
    assert json.loads(project.lock.read_text())["sources"] == read_lock(project)["sources"]

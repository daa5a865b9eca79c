"""tajo_brevo.contract.completeness: a spec bump that adds a response or operation fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from _specs import EFFECTIVE
from tajo_brevo.contract.completeness import check, documented_pairs
from test_client_respx import HANDLED


def _write(doc: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "bumped.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_effective_spec_documents_22_operations(effective_doc: dict[str, Any]) -> None:
    pairs = documented_pairs(EFFECTIVE)
    # The pinned 18 + getProcess, getProcesses, getContactsFromList,
    # requestContactExport (corrections).
    assert len({p.operation_id for p in pairs}) == 22
    assert any(p.operation_id == "createContact" and p.status == "204" for p in pairs)
    assert all(p.method in {"get", "post", "put", "delete"} for p in pairs)


def test_bumped_spec_with_a_new_operation_is_incomplete(
    effective_doc: dict[str, Any], tmp_path: Path
) -> None:
    bumped = dict(effective_doc, paths=dict(effective_doc["paths"]))
    bumped["paths"]["/contacts/doubleOptinConfirmation"] = {
        "post": {
            "operationId": "createDoiContact",
            "responses": {"201": {"description": "created"}, "400": {"description": "bad"}},
        }
    }
    report = check(_write(bumped, tmp_path), HANDLED)
    assert not report.ok
    assert [(p.operation_id, p.status) for p in report.missing] == [
        ("createDoiContact", "201"),
        ("createDoiContact", "400"),
    ]
    assert "createDoiContact 201 (POST /contacts/doubleOptinConfirmation)" in report.format()


def test_bumped_spec_with_a_new_status_is_incomplete(
    effective_doc: dict[str, Any], tmp_path: Path
) -> None:
    bumped = yaml.safe_load(yaml.safe_dump(effective_doc))
    bumped["paths"]["/contacts/{identifier}"]["put"]["responses"]["409"] = {"description": "x"}
    report = check(_write(bumped, tmp_path), HANDLED)
    assert [(p.operation_id, p.status) for p in report.missing] == [("updateContact", "409")]


def test_a_handled_pair_the_spec_dropped_is_reported(
    effective_doc: dict[str, Any], tmp_path: Path
) -> None:
    bumped = yaml.safe_load(yaml.safe_dump(effective_doc))
    del bumped["paths"]["/contacts"]["post"]["responses"]["204"]
    report = check(_write(bumped, tmp_path), HANDLED)
    assert report.missing == ()
    assert report.unknown == (("createContact", "204"),)
    assert "not in the spec: createContact 204" in report.format()


def test_not_an_openapi_document_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.yml"
    path.write_text("just: text\n")
    with pytest.raises(ValueError, match="not an OpenAPI document"):
        documented_pairs(path)

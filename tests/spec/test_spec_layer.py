"""The spec layer: the pin, the corrections overlay, the effective spec, the lock."""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from tajo_brevo.spec import (
    SpecPaths,
    apply_corrections,
    build_effective,
    check_lock,
    load_yaml,
    validate_overlay,
)

METHODS = ("get", "put", "post", "delete", "patch")


def operations(doc: dict) -> dict[str, tuple[str, str, dict]]:
    return {
        op["operationId"]: (path, method, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


@pytest.fixture(scope="module")
def paths(root: Path) -> SpecPaths:
    return SpecPaths(root)


@pytest.fixture(scope="module")
def effective(paths: SpecPaths) -> dict:
    return load_yaml(paths.effective)


@pytest.fixture(scope="module")
def pin(paths: SpecPaths) -> dict:
    return load_yaml(paths.pin)


def test_a_single_file_pin_is_the_upstream_file_byte_for_byte(paths: SpecPaths) -> None:
    lock = json.loads(paths.lock.read_text())
    pinned = hashlib.sha256(paths.pin.read_bytes()).hexdigest()
    if len(lock["sources"]) == 1:  # several upstream files are merged: no single original
        assert lock["sources"][0]["sha256"] == pinned


def test_lock_records_upstream_hashes_and_generator(paths: SpecPaths) -> None:
    lock = json.loads(paths.lock.read_text())
    assert lock["upstream"] == {
        "repository": "api-evangelist/brevo",
        "path": "openapi/brevo-contacts-openapi.yml",
    }
    assert lock["pin"]["sha256"] == hashlib.sha256(paths.pin.read_bytes()).hexdigest()
    assert lock["effective"]["sha256"] == hashlib.sha256(paths.effective.read_bytes()).hexdigest()
    assert lock["generator"] == {"name": "openapi-python-client", "version": "0.29.1"}
    assert check_lock(paths) == []


def test_check_lock_reports_an_edited_pin(paths: SpecPaths, tmp_path: Path) -> None:
    shutil.copytree(paths.root / "openapi", tmp_path / "openapi")
    edited = SpecPaths(tmp_path)
    edited.pin.write_bytes(edited.pin.read_bytes() + b"\n# edited\n")
    problems = check_lock(edited)
    assert len(problems) == 1
    assert "brevo-contacts.yml" in problems[0]


def test_effective_spec_is_pin_plus_corrections(paths: SpecPaths) -> None:
    text, report = build_effective(paths)
    assert not report.stale
    assert paths.effective.read_text() == text


def test_effective_spec_keeps_all_18_operations(pin: dict, effective: dict) -> None:
    assert len(operations(pin)) == 18
    # Plus the production operations the corrections add (FACTS: Processes, More reads).
    added = {"getProcess", "getProcesses", "getContactsFromList", "requestContactExport"}
    assert set(operations(effective)) == set(operations(pin)) | added


def test_create_contact_documents_204_for_an_upsert_update(pin: dict, effective: dict) -> None:
    assert "204" not in operations(pin)["createContact"][2]["responses"]
    responses = operations(effective)["createContact"][2]["responses"]
    assert "204" in responses
    assert "content" not in responses["204"]
    created = responses["201"]["content"]["application/json"]["schema"]
    # brevo-python 5.1.0 CreateContactResponse: the id is optional.
    assert "id" not in created.get("required", [])
    assert created["properties"]["id"]["type"] == "integer"


def test_each_create_answers_its_own_201_schema(effective: dict) -> None:
    # A schema shared by the three creates made schemathesis' link inference treat a new
    # contact's or folder's id as a list id (it names a response's resource after its $ref).
    ops = operations(effective)
    schemas = [
        ops[op_id][2]["responses"]["201"]["content"]["application/json"]["schema"]
        for op_id in ("createContact", "createContactList", "createFolder")
    ]
    for schema in schemas:
        assert "$ref" not in schema
    # brevo-python 5.1.0: CreateListResponse and CreateFolderResponse require the id,
    # CreateContactResponse does not.
    assert [s.get("required", []) for s in schemas] == [[], ["id"], ["id"]]
    assert "CreatedId" not in effective["components"]["schemas"]


def test_every_operation_documents_429_and_rate_limit_headers(effective: dict) -> None:
    headers = {"x-sib-ratelimit-limit", "x-sib-ratelimit-remaining", "x-sib-ratelimit-reset"}
    too_many = effective["components"]["responses"]["TooManyRequests"]
    assert set(too_many["headers"]) == headers
    for op_id, (_, _, op) in operations(effective).items():
        assert op["responses"]["429"] == {"$ref": "#/components/responses/TooManyRequests"}, op_id
        for status, response in op["responses"].items():
            if status != "429":
                assert set(response["headers"]) == headers, (op_id, status)


@pytest.mark.parametrize(
    ("op_id", "maximum", "default"),
    [("listContacts", 1000, 50), ("listContactLists", 50, 10), ("listFolders", 50, 10)],
)
def test_limit_maxima_per_endpoint(effective: dict, op_id: str, maximum: int, default: int) -> None:
    params = effective["components"]["parameters"]
    op = operations(effective)[op_id][2]
    refs = [p["$ref"].rsplit("/", 1)[1] for p in op["parameters"] if "$ref" in p]
    limit = next(params[r] for r in refs if params[r]["name"] == "limit")
    assert limit["schema"]["maximum"] == maximum
    assert limit["schema"]["default"] == default


def test_list_membership_changes_are_capped_at_150(effective: dict) -> None:
    for name in ("AddContactsToList", "RemoveContactsFromList"):
        schema = effective["components"]["schemas"][name]
        assert schema["properties"]["emails"]["maxItems"] == 150
        assert schema["properties"]["ids"]["maxItems"] == 150


def test_every_operation_documents_400(pin: dict, effective: dict) -> None:
    for op_id in ("listContactLists", "listFolders", "listContactAttributes"):
        assert "400" not in operations(pin)[op_id][2]["responses"]
    for op_id, (_, _, op) in operations(effective).items():
        schema = op["responses"]["400"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, op_id


def test_delete_contact_may_return_405_and_errors_carry_metadata(effective: dict) -> None:
    assert "405" in operations(effective)["deleteContact"][2]["responses"]
    error = effective["components"]["schemas"]["ErrorResponse"]
    assert error["properties"]["metadata"]["type"] == "object"
    assert error["required"] == ["code", "message"]


def test_repeated_inline_schemas_become_named_components(effective: dict) -> None:
    text = json.dumps(effective)
    # The category enum is defined once and referenced elsewhere.
    assert text.count('"calculated"') == 1
    for name in (
        "AttributeCategory",
        "AttributeType",
        "CreateFolder",
        "ListMembershipResult",
        "CreatedProcessId",
        "ContactAttribute",
        "Folder",
    ):
        assert name in effective["components"]["schemas"]


def test_every_correction_cites_its_source(paths: SpecPaths) -> None:
    text = paths.corrections.read_text()
    blocks = re.split(r"\n  - target:", text.split("actions:", 1)[1])
    # Each action or group of actions is preceded by a comment naming its source.
    cited = [b for b in blocks if re.search(r"Production Brevo:|brevo-python|swagger", b)]
    assert len(cited) >= 8


def test_overlay_is_valid_overlay_1_0(paths: SpecPaths) -> None:
    overlay = load_yaml(paths.corrections)
    assert overlay["overlay"] == "1.0.0"
    validate_overlay(overlay)
    broken = copy.deepcopy(overlay)
    broken["actions"][0].pop("target")
    with pytest.raises(ValueError, match=r"Overlay 1\.0"):
        validate_overlay(broken)


def test_stale_corrections_are_reported(pin: dict) -> None:
    overlay = {
        "overlay": "1.0.0",
        "info": {"title": "t", "version": "1"},
        "actions": [
            {"target": "$.paths['/gone'].get", "description": "gone", "update": {"x": 1}},
            {
                "target": "$.paths['/contacts'].get",
                "description": "same",
                "update": {"operationId": "listContacts"},
            },
            {
                "target": "$.paths['/contacts'].get.parameters[0]",
                "description": "index",
                "update": {"$ref": "#/components/parameters/offsetParam"},
            },
        ],
    }
    doc, report = apply_corrections(pin, overlay)
    assert [a[2] for a in report.unmatched] == ["gone"]
    assert [a[2] for a in report.no_op] == ["same"]
    assert doc["paths"]["/contacts"]["get"]["parameters"][0]["$ref"].endswith("offsetParam")
    assert pin["paths"]["/contacts"]["get"]["parameters"][0]["$ref"].endswith("limitParam")


# --- the generated client -------------------------------------------------------------


def test_every_operation_has_a_generated_module_with_sync_and_async(effective: dict) -> None:
    for op_id, (_, _, op) in operations(effective).items():
        tag = op["tags"][0].lower().replace(" ", "_")
        tag = {"import": "import_"}.get(tag, tag)
        module_name = re.sub(r"(?<!^)(?=[A-Z])", "_", op_id).lower()
        module = importlib.import_module(f"brevo_contacts.api.{tag}.{module_name}")
        for fn in ("sync_detailed", "asyncio_detailed", "sync", "asyncio"):
            assert callable(getattr(module, fn)), (op_id, fn)


def test_generated_client_sends_the_api_key_header() -> None:
    from brevo_contacts import AuthenticatedClient
    from brevo_contacts.api.contacts import get_contact_info

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"code": "document_not_found", "message": "nope"})

    client = AuthenticatedClient(
        base_url="http://127.0.0.1/v3", token="k-123", prefix="", auth_header_name="api-key"
    )
    client.set_httpx_client(
        httpx.Client(
            base_url="http://127.0.0.1/v3",
            headers={"api-key": "k-123"},
            transport=httpx.MockTransport(handler),
        )
    )
    response = get_contact_info.sync_detailed("a@example.com", client=client)
    assert response.status_code == 404
    assert seen[0].headers["api-key"] == "k-123"
    assert seen[0].url.path == "/v3/contacts/a@example.com"


def test_generated_create_contact_documents_the_204() -> None:
    from brevo_contacts.api.contacts import create_contact

    source = Path(create_contact.__file__).read_text()
    assert "response.status_code == 204" in source


@pytest.mark.parametrize(
    ("relative", "edit"),
    [
        ("models/create_folder_response_201.py", "append"),
        # The api/ modules are what the adapter calls: a hand edit there changes requests.
        ("api/contacts/create_contact.py", "append"),
        ("api/contact_lists/get_contact_list.py", "replace"),
        ("api/contacts/hand_written.py", "add"),
    ],
)
def test_check_generated_fails_when_a_generated_file_is_edited(
    root: Path, tmp_path: Path, relative: str, edit: str
) -> None:
    work = tmp_path / "proj"
    for name in ("openapi", "generated"):
        shutil.copytree(root / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "Makefile", work / "Makefile")
    venv = root / ".venv"
    (work / ".venv").symlink_to(venv)
    target = work / "generated" / "brevo_contacts" / relative
    original = target.read_text() if target.exists() else None
    if edit == "append":
        target.write_text(f"{original}\n# hand edit\n")
    elif edit == "replace":
        assert original is not None and "/contacts/lists/" in original
        target.write_text(original.replace("/contacts/lists/", "/contacts/list/", 1))
    else:
        assert original is None
        target.write_text("def helper() -> None: ...\n")
    make = ["make", "-s", "-o", ".venv/.installed", "check-generated"]
    result = subprocess.run(make, cwd=work, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "never edit it by hand" in result.stderr
    if original is None:
        target.unlink()
    else:
        target.write_text(original)
    result = subprocess.run(make, cwd=work, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_rate_limit_headers_are_never_negative(effective: dict) -> None:
    for name in ("XSibRatelimitLimit", "XSibRatelimitRemaining", "XSibRatelimitReset"):
        assert effective["components"]["headers"][name]["schema"]["minimum"] == 0

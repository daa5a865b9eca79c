"""Rebuild the production-shapes corpus from the official Python SDK's response types.

    make production-shapes SDK=5.1.0
    (= python tests/client/production_shapes/refresh.py --sdk 5.1.0 [--wheel PATH])

Downloads ``brevo-python==SDK`` (``pip download --no-deps``, or the wheel given), imports
its pydantic response types straight from the wheel, and writes, for each operation the
project uses, bodies built from the type: ``full`` (every field, optional ones included,
one body per alternative of an enum or a union: each attribute type, process status,
emails or ids) and ``minimal`` (required fields only). Field values are realistic where
the wrapper checks them (emails, date-times, URLs). ``manifest.json`` names the SDK version
and type of every body; the hand-written bodies of ``documented/`` (shapes seen in Brevo's
published examples, not derivable from the types) are kept as they are.

Run it when a new SDK version is published, then run ``tests/client/test_production_shapes.py``:
a shape the generated client or the wrapper can't take fails there, naming its file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
BODIES = HERE / "sdk"
DOCUMENTED = HERE / "documented"

#: (operationId, status, SDK module, type): every read and write response the project's
#: wrapper and generated client use. 204 answers (update, delete) and the body-less 201
#: of createContactAttribute carry no body.
RESPONSES: list[tuple[str, int, str, str]] = [
    ("listContacts", 200, "brevo.types.get_contacts", "GetContacts"),
    ("getContactsFromList", 200, "brevo.types.get_contacts", "GetContacts"),
    (
        "getContactInfo",
        200,
        "brevo.contacts.types.get_contact_info_response",
        "GetContactInfoResponse",
    ),
    ("createContact", 201, "brevo.contacts.types.create_contact_response", "CreateContactResponse"),
    ("listContactLists", 200, "brevo.contacts.types.get_lists_response", "GetListsResponse"),
    ("getContactList", 200, "brevo.contacts.types.get_list_response", "GetListResponse"),
    ("createContactList", 201, "brevo.contacts.types.create_list_response", "CreateListResponse"),
    ("addContactsToList", 201, "brevo.types.post_contact_info", "PostContactInfo"),
    ("removeContactsFromList", 201, "brevo.types.post_contact_info", "PostContactInfo"),
    (
        "listContactAttributes",
        200,
        "brevo.contacts.types.get_attributes_response",
        "GetAttributesResponse",
    ),
    ("listFolders", 200, "brevo.contacts.types.get_folders_response", "GetFoldersResponse"),
    ("createFolder", 201, "brevo.contacts.types.create_folder_response", "CreateFolderResponse"),
    (
        "importContacts",
        202,
        "brevo.contacts.types.import_contacts_response",
        "ImportContactsResponse",
    ),
    ("getProcess", 200, "brevo.process.types.get_process_response", "GetProcessResponse"),
    ("getProcesses", 200, "brevo.process.types.get_processes_response", "GetProcessesResponse"),
]

EMAIL = "member@example.com"
#: What a membership answer lists under failure: not the member it lists under success.
FAILED_EMAIL = "failed@example.com"
FAILED_ID = 8
DATETIME = "2026-01-02T03:04:05.000Z"
URL = "https://example.com/report.csv"
#: String fields whose values the wrapper reads as emails.
_EMAIL_FIELDS = frozenset({"email", "success", "failure"})


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and hasattr(tp, "model_fields")


def _scalar(tp: Any, name: str) -> list[Any]:
    if tp is bool:
        return [True]
    if tp is int:
        return [FAILED_ID if name == "failure" else 7]
    if tp is float:
        return [1.5]
    if tp is str:
        lowered = name.lower()
        if lowered == "failure":
            return [FAILED_EMAIL]
        if lowered in _EMAIL_FIELDS:
            return [EMAIL]
        if lowered.endswith("at") or "time" in lowered or "date" in lowered:
            return [DATETIME]
        if "url" in lowered or lowered.startswith(("invalid_", "duplicate_")):
            return [URL]
        return [f"{name}-value"]
    return [f"{name}-value"]  # typing.Any and anything else: a string Brevo could send


def samples(tp: Any, name: str, *, full: bool) -> list[Any]:
    """Values of type ``tp`` covering its alternatives (every literal, every union member)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return samples(args[0], name, full=full)
    if origin is typing.Literal:
        return list(args)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        literal = [a for a in members if typing.get_origin(a) is typing.Literal]
        if literal:  # Fern's open enums: Union[Literal[...], Any]: the listed values
            return [v for a in literal for v in typing.get_args(a)]
        out: list[Any] = []
        for member in members:
            out.extend(samples(member, name, full=full))
        return out
    if origin in (list, typing.List, typing.Sequence):  # noqa: UP006
        items = samples(args[0], name, full=full) if args else []
        # Objects of one list differ by id and name, as an account's do.
        for index, item in enumerate(items):
            if isinstance(item, dict):
                if isinstance(item.get("id"), int):
                    item["id"] = item["id"] + index
                if isinstance(item.get("name"), str):
                    item["name"] = f"{item['name']}-{index}"
        return [items]
    if origin in (dict, typing.Dict, typing.Mapping):  # noqa: UP006
        return [{"NOTE": samples(args[1], "note", full=full)[0]} if args else {}]
    if _is_model(tp):
        return _model_samples(tp, full=full)
    return _scalar(tp, name)


def _model_samples(model: Any, *, full: bool) -> list[dict[str, Any]]:
    fields: list[tuple[str, list[Any]]] = []
    for field_name, info in model.model_fields.items():
        if not full and not info.is_required():
            continue
        key = info.alias or field_name
        fields.append((key, samples(info.annotation, key, full=full)))
    if not fields:
        # A free-form object (attributes, statistics): one attribute Brevo could hold.
        return [{"NOTE": "note-value"}] if "Attributes" in model.__name__ else [{}]
    width = max(len(values) for _, values in fields)
    return [{key: values[i % len(values)] for key, values in fields} for i in range(width)]


def bodies(model: Any) -> Iterator[tuple[str, Any]]:
    """(variant, body) of one response type."""
    for index, body in enumerate(_model_samples(model, full=True)):
        yield f"full.{index}", body
    yield "minimal", _model_samples(model, full=False)[0]


def _wheel(version: str, given: str | None, scratch: Path) -> Path:
    if given:
        return Path(given)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--dest",
            str(scratch),
            f"brevo-python=={version}",
        ],
        check=True,
    )
    return next(scratch.glob("brevo_python-*.whl"))


def refresh(version: str, wheel: str | None = None) -> list[dict[str, Any]]:
    """Rewrite ``sdk/`` and ``manifest.json``; return the manifest's entries."""
    with tempfile.TemporaryDirectory() as scratch:
        path = _wheel(version, wheel, Path(scratch))
        sys.path.insert(0, str(path))  # a wheel is importable as a zip
        try:
            entries = _write(version)
        finally:
            sys.path.remove(str(path))
    return entries


def _write(version: str) -> list[dict[str, Any]]:
    sdk = f"brevo-python {version}"
    BODIES.mkdir(exist_ok=True)
    for old in BODIES.glob("*.json"):
        old.unlink()
    entries: list[dict[str, Any]] = []
    for operation, status, module, type_name in RESPONSES:
        model = getattr(importlib.import_module(module), type_name)
        for variant, body in bodies(model):
            file = BODIES / f"{operation}.{variant}.json"
            file.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
            entries.append(
                {
                    "file": str(file.relative_to(HERE)),
                    "operation": operation,
                    "status": status,
                    "source": f"{sdk} {module}.{type_name}",
                    "variant": variant,
                }
            )
    previous = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    documented = [e for e in previous.get("entries", []) if e["file"].startswith("documented/")]
    MANIFEST.write_text(json.dumps({"sdk": sdk, "entries": entries + documented}, indent=2) + "\n")
    return entries + documented


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk", required=True, help="brevo-python version, e.g. 5.1.0")
    parser.add_argument("--wheel", help="a downloaded brevo-python wheel (skips pip download)")
    args = parser.parse_args(argv)
    entries = refresh(args.sdk, args.wheel)
    print(f"wrote {len(entries)} corpus entries for brevo-python {args.sdk} in {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

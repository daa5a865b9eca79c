"""What the mock does for each operation: one handler per operationId, on the account state.

A handler gets the request as the spec validation left it (typed path, query and body)
and answers ``(status, result)``; the app (``_app``) has already routed, authenticated,
rate-limited and validated the request. :func:`handle_extra` serves the folder routes
production has and the pinned spec lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ._state import INT64_MAX, MockAPIError, MockState
from ._validation import ValidatedRequest, parse_json

__all__ = ["HANDLERS", "Handler", "handle_extra"]


Handler = Callable[[MockState, ValidatedRequest], tuple[int, Any]]


def _page(req: ValidatedRequest, default_limit: int) -> tuple[int, int, str]:
    limit = req.query.get("limit")
    offset = req.query.get("offset")
    sort = req.query.get("sort") or "desc"
    return (
        default_limit if limit is None else int(limit),
        0 if offset is None else int(offset),
        str(sort),
    )


def _since(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise MockAPIError(
                400, "invalid_parameter", "modifiedSince: not an ISO 8601 date-time"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _int_list(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in (value if isinstance(value, list | tuple) else [value])]


def _list_contacts(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    limit, offset, sort = _page(req, 50)
    return 200, state.list_contacts(
        limit=limit,
        offset=offset,
        sort=sort,
        modified_since=_since(req.query.get("modifiedSince")),
        list_ids=_int_list(req.query.get("listIds")),
        ids=_int_list(req.query.get("ids")),
    )


def _list_members(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    limit, offset, sort = _page(req, 50)
    return 200, state.list_members(
        int(req.path["listId"]),
        limit=limit,
        offset=offset,
        sort=sort,
        modified_since=_since(req.query.get("modifiedSince")),
    )


def _get_process(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 200, state.get_process(int(req.path["processId"]))


def _list_processes(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    limit, offset, sort = _page(req, 10)
    return 200, state.list_processes(limit=limit, offset=offset, sort=sort)


def _create_contact(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    status, new_id = state.create_contact(req.body)
    return (201, {"id": new_id}) if status == 201 else (204, None)


def _get_contact(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 200, state.get_contact(str(req.path["identifier"]))


def _update_contact(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    state.update_contact(str(req.path["identifier"]), req.body)
    return 204, None


def _delete_contact(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    state.delete_contact(str(req.path["identifier"]))
    return 204, None


def _list_lists(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    limit, offset, sort = _page(req, 10)
    return 200, state.list_lists(limit=limit, offset=offset, sort=sort)


def _create_list(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 201, {"id": state.create_list(req.body["name"], req.body["folderId"])}


def _get_list(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 200, state.get_list(int(req.path["listId"]))


def _update_list(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    state.update_list(int(req.path["listId"]), req.body)
    return 204, None


def _delete_list(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    state.delete_list(int(req.path["listId"]))
    return 204, None


def _add_members(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 201, state.change_members(int(req.path["listId"]), req.body, add=True)


def _remove_members(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 201, state.change_members(int(req.path["listId"]), req.body, add=False)


def _list_attributes(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 200, state.list_attributes()


def _create_attribute(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    state.create_attribute(
        str(req.path["attributeCategory"]), str(req.path["attributeName"]), req.body
    )
    return 201, None


def _delete_attribute(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    state.delete_attribute(str(req.path["attributeCategory"]), str(req.path["attributeName"]))
    return 204, None


def _list_folders(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    limit, offset, sort = _page(req, 10)
    return 200, state.list_folders(limit=limit, offset=offset, sort=sort)


def _create_folder(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 201, {"id": state.create_folder(req.body["name"])}


def _import(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    return 202, {"processId": state.import_contacts(req.body, root_url=req.root_url)}


def _export(state: MockState, req: ValidatedRequest) -> tuple[int, Any]:
    process_id = state.request_contact_export(req.body, root_url=req.root_url)
    return (200, {}) if process_id is None else (202, {"processId": process_id})


HANDLERS: dict[str, Handler] = {
    "listContacts": _list_contacts,
    "createContact": _create_contact,
    "getContactInfo": _get_contact,
    "updateContact": _update_contact,
    "deleteContact": _delete_contact,
    "listContactLists": _list_lists,
    "createContactList": _create_list,
    "getContactList": _get_list,
    "updateContactList": _update_list,
    "deleteContactList": _delete_list,
    "addContactsToList": _add_members,
    "removeContactsFromList": _remove_members,
    "listContactAttributes": _list_attributes,
    "createContactAttribute": _create_attribute,
    "deleteContactAttribute": _delete_attribute,
    "listFolders": _list_folders,
    "createFolder": _create_folder,
    "importContacts": _import,
    "requestContactExport": _export,
    "getContactsFromList": _list_members,
    "getProcess": _get_process,
    "getProcesses": _list_processes,
}


def handle_extra(
    state: MockState, operation_id: str, params: Mapping[str, str], body: bytes
) -> tuple[int, Any]:
    """The folder routes production has and the pinned spec lacks, validated by hand."""
    raw_id = params["folderId"]
    if not (raw_id.isascii() and raw_id.isdigit()) or int(raw_id) > INT64_MAX:
        raise MockAPIError(
            400, "invalid_parameter", "folderId: expected a positive integer (int64)"
        )
    folder_id = int(raw_id)
    if operation_id == "getFolder":
        return 200, state.get_folder(folder_id)
    if operation_id == "deleteFolder":
        state.delete_folder(folder_id)
        return 204, None
    if not body:
        raise MockAPIError(400, "missing_parameter", "body is missing")
    payload = parse_json(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("name"), str):
        raise MockAPIError(
            400,
            "missing_parameter" if isinstance(payload, dict) else "invalid_parameter",
            'name is missing: send {"name": "..."}',
        )
    state.rename_folder(folder_id, payload["name"])
    return 204, None

"""Delete what a write run created: by the run's record, then by name prefix."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from tajo_brevo.contract.writes import ATTRIBUTE_PREFIX, WRITE_PREFIX, WriteRecord

__all__ = ["cleanup"]


def cleanup(client: httpx.Client, created: WriteRecord | None = None) -> list[str]:
    """Delete every contact, list, folder and attribute a write run created.

    Deletes what ``created`` recorded (from the run's own 2xx answers) and anything named
    with :data:`~tajo_brevo.contract.writes.WRITE_PREFIX` (attributes:
    ``TAJO_CONTRACT_``), which also catches what an interrupted run left; nothing else.

    Args:
        client: an httpx client with the base URL and ``api-key`` set.
        created: what the run recorded creating (None: prefix scan only).

    Returns:
        One line per thing that could not be listed or deleted (empty: all clean).
    """
    problems: list[str] = []

    def pages(path: str, key: str, limit: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(10_000):  # bounded: 10,000 pages is far beyond any test run
            try:
                response = client.get(path, params={"limit": limit, "offset": page * limit})
            except httpx.HTTPError as exc:
                problems.append(f"GET {path}: {type(exc).__name__}")
                return items
            if response.status_code != 200:
                problems.append(f"GET {path} -> {response.status_code}")
                return items
            batch = response.json().get(key) or []
            items += batch
            if len(batch) < limit:
                break
        return items

    def delete(path: str, *, gone_ok: bool = True) -> None:
        try:
            response = client.delete(path)
        except httpx.HTTPError as exc:  # one failed delete must not stop the cleanup
            problems.append(f"DELETE {path}: {type(exc).__name__}: not deleted, remove it by hand")
            return
        if response.status_code == 204 or (gone_ok and response.status_code == 404):
            return
        problems.append(f"DELETE {path} -> {response.status_code}: not deleted, remove it by hand")

    created = created or WriteRecord()
    for contact_id in sorted(created.contact_ids):
        delete(f"/contacts/{contact_id}")
    for email in sorted(created.contact_emails):
        delete(f"/contacts/{quote(email, safe='')}")
    for list_id in sorted(created.list_ids):
        delete(f"/contacts/lists/{list_id}")
    for folder_id in sorted(created.folder_ids):
        delete(f"/contacts/folders/{folder_id}", gone_ok=False)
    for category, attribute in sorted(created.attributes):
        delete(f"/contacts/attributes/{quote(category, safe='')}/{quote(attribute, safe='')}")
    for contact in pages("/contacts", "contacts", 1000):
        address = contact.get("email")
        if isinstance(address, str) and address.startswith(WRITE_PREFIX):
            delete(f"/contacts/{contact['id']}")
    for item in pages("/contacts/lists", "lists", 50):
        if str(item.get("name", "")).startswith(WRITE_PREFIX):
            delete(f"/contacts/lists/{item['id']}")
    for item in pages("/contacts/folders", "folders", 50):
        if (
            str(item.get("name", "")).startswith(WRITE_PREFIX)
            and item["id"] not in created.folder_ids
        ):
            # Not in the pinned spec, but production Brevo has it; a 404 here means the
            # server lacks the operation, so the folder is still there.
            delete(f"/contacts/folders/{item['id']}", gone_ok=False)
    try:
        response = client.get("/contacts/attributes")
    except httpx.HTTPError as exc:
        problems.append(f"GET /contacts/attributes: {type(exc).__name__}")
        return problems
    if response.status_code == 200:
        for attribute in response.json().get("attributes") or []:
            name = str(attribute.get("name", ""))
            if name.startswith(ATTRIBUTE_PREFIX):
                category = quote(str(attribute.get("category")), safe="")
                delete(f"/contacts/attributes/{category}/{quote(name, safe='')}")
    else:
        problems.append(f"GET /contacts/attributes -> {response.status_code}")
    return problems

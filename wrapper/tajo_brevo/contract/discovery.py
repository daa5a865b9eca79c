"""What exists on the target, read with GETs only before a run starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tajo_brevo.contract.writes import ATTRIBUTE_PREFIX, WRITE_PREFIX

__all__ = ["Discovery", "discover"]


@dataclass(frozen=True)
class Discovery:
    """Identifiers on the target, for schemathesis to mix into generated requests.

    Attributes:
        contact_identifiers: contact ids (as strings) and emails.
        list_ids: list ids.
        attribute_names: attribute names.
        process_ids: ids of the account's processes (imports).
        verified_empty: the contact and list listings both answered and one is empty:
            nothing exists to read, so a lookup can only be answered with 404.
    """

    contact_identifiers: tuple[str, ...] = ()
    list_ids: tuple[int, ...] = ()
    attribute_names: tuple[str, ...] = ()
    process_ids: tuple[int, ...] = ()
    verified_empty: bool = False


def discover(client: httpx.Client, *, ours_only: bool) -> Discovery:
    """Read contacts, lists and attributes that exist on the target (GETs only).

    Without them every generated contact id or list id is a 404, so the run would test
    nothing but "not found" (schemathesis' missing_test_data warning).

    Args:
        client: an httpx client with the base URL and ``api-key`` set.
        ours_only: keep only what carries the write prefix (a write run may delete what
            it is given: only what earlier runs left behind).

    Returns:
        What was found; an unreachable target gives an empty result (the run itself
        reports it).
    """
    answered: list[bool] = []

    def read(path: str, key: str) -> list[dict[str, Any]]:
        try:
            response = client.get(path, params={"limit": 20} if key != "attributes" else None)
            items = response.json().get(key) if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError, AttributeError):
            items = None
        answered.append(isinstance(items, list))
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    contacts = read("/contacts", "contacts")
    if ours_only:
        contacts = [c for c in contacts if str(c.get("email", "")).startswith(WRITE_PREFIX)]
    identifiers = [str(c["id"]) for c in contacts if "id" in c]
    identifiers += [str(c["email"]) for c in contacts if c.get("email")]
    lists = [
        int(item["id"])
        for item in read("/contacts/lists", "lists")
        if "id" in item and (not ours_only or str(item.get("name", "")).startswith(WRITE_PREFIX))
    ]
    names = [
        str(a["name"])
        for a in read("/contacts/attributes", "attributes")
        if a.get("name") and (not ours_only or str(a["name"]).startswith(ATTRIBUTE_PREFIX))
    ]
    processes = [
        int(p["id"])
        for p in read("/processes", "processes")
        if isinstance(p.get("id"), int) and not isinstance(p.get("id"), bool)
    ]
    return Discovery(
        contact_identifiers=tuple(identifiers),
        list_ids=tuple(lists),
        attribute_names=tuple(names),
        process_ids=tuple(processes),
        verified_empty=all(answered[:2]) and not (identifiers and lists),
    )

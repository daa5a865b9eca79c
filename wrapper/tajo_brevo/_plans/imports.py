"""Bulk writes through POST /contacts/import: CSV files under the size limit, and the
tier-list moves an import cannot make itself."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

from .. import _adapter as calls
from .._adapter import as_int
from ..errors import (
    APIError,
    BrevoError,
)
from ..results import (
    ProvisionResult,
    RowOutcome,
)
from ..tiers import Tier
from ._base import Plan, Progress, _log
from .customers import MEMBERS_CHUNK, _Prepared, membership_plan
from .pagination import CONTACTS_PAGE_MAX, _all_pages, contacts_pager

#: Brevo's import body limit is 10 MB; stay near 8 MB.
DEFAULT_MAX_IMPORT_BYTES = 8_000_000
#: Room kept in an import request for the JSON around fileBody.
_IMPORT_ENVELOPE = 4096


def _csv_value(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Plain decimal notation: an importer may not read 1e+20.
        return format(Decimal(repr(value)), "f")
    return value


def _csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    # `;` separated (Brevo's import format); cells with ; " or newlines are quoted.
    csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _json_size(text: str) -> int:
    # What the text costs inside the JSON request body (escapes included).
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


def build_import_files(
    rows: Sequence[tuple[int, _Prepared]], max_bytes: int
) -> tuple[list[tuple[list[int], str]], list[int]]:
    """CSV bodies for the rows, each under ``max_bytes`` as JSON; also rows too large alone.

    Returns:
        ``[(row indexes, file body), ...]`` and the indexes of rows that fit in no file.
    """
    columns: list[str] = []
    for _, prepared in rows:
        for name in prepared.attributes:
            if name not in columns:
                columns.append(name)
    header = _csv_line(["EMAIL", *columns])
    budget = max_bytes - _IMPORT_ENVELOPE
    files: list[tuple[list[int], str]] = []
    too_large: list[int] = []
    current: list[str] = [header]
    current_rows: list[int] = []
    size = _json_size(header)
    for index, prepared in rows:
        cells = [prepared.profile.email] + [
            _csv_value(prepared.attributes[c]) if c in prepared.attributes else "" for c in columns
        ]
        line = _csv_line(cells)
        line_size = _json_size(line)
        if _json_size(header) + line_size > budget:
            too_large.append(index)
            continue
        if size + line_size > budget and current_rows:
            files.append((current_rows, "".join(current)))
            current, current_rows, size = [header], [], _json_size(header)
        current.append(line)
        current_rows.append(index)
        size += line_size
    if current_rows:
        files.append((current_rows, "".join(current)))
    return files, too_large


def _tier_moves(
    by_tier: Mapping[Tier, Sequence[tuple[int, _Prepared]]], prov: ProvisionResult
) -> Plan[dict[int, set[str]]]:
    """Which imported contacts must leave which tier list (an import adds, never unlinks).

    Reads before any import lands. Only tier lists with members matter. Then the cheaper of
    two plans, counted in requests: read every contact of the account (1000 per page) and
    unlink exactly those in another tier list, or unlink every row blindly from every
    occupied other tier list (150 per request).

    Returns:
        list id -> emails (casefolded) to remove from it.
    """
    occupied: set[int] = set()
    for list_id in prov.tier_lists.values():
        info = yield calls.get_list_call(list_id)
        body = info.body if isinstance(info.body, dict) else {}
        if as_int(body.get("totalSubscribers")) != 0 or as_int(body.get("uniqueSubscribers")):
            occupied.add(list_id)
    if not occupied:
        return {}
    blind_cost = sum(
        math.ceil(len(items) / MEMBERS_CHUNK)
        * sum(1 for other in prov.other_tier_list_ids(tier) if other in occupied)
        for tier, items in by_tier.items()
    )
    head = yield calls.list_contacts_call(limit=1, offset=0)
    total = as_int(head.body.get("count")) if isinstance(head.body, dict) else None
    moves: dict[int, set[str]] = {}
    if total is not None and math.ceil(total / CONTACTS_PAGE_MAX) < blind_cost:
        tier_of = {
            prepared.profile.email.casefold(): tier
            for tier, items in by_tier.items()
            for _, prepared in items
        }
        for contact in (yield from _all_pages(contacts_pager(None, CONTACTS_PAGE_MAX))):
            email = contact.get("email")
            tier = tier_of.get(email.casefold()) if isinstance(email, str) else None
            if tier is None:
                continue
            wrong = set(prov.other_tier_list_ids(tier)) & set(contact.get("listIds") or [])
            for list_id in wrong:
                moves.setdefault(list_id, set()).add(email.casefold())  # type: ignore[union-attr]
        return moves
    for tier, items in by_tier.items():
        for other in prov.other_tier_list_ids(tier):
            if other in occupied:
                moves.setdefault(other, set()).update(
                    prepared.profile.email.casefold() for _, prepared in items
                )
    return moves


def _import_rows(
    todo: Sequence[tuple[int, _Prepared]],
    prov: ProvisionResult,
    max_bytes: int,
    outcomes: dict[int, RowOutcome],
    process_ids: list[int],
    tick: Progress,
) -> Plan[None]:
    by_tier: dict[Tier, list[tuple[int, _Prepared]]] = {}
    for item in todo:
        by_tier.setdefault(item[1].tier, []).append(item)
    prepared_by_index = dict(todo)
    moves = yield from _tier_moves(by_tier, prov)

    for tier, items in by_tier.items():
        files, too_large = build_import_files(items, max_bytes)
        for index in too_large:
            outcomes[index] = RowOutcome(
                index=index,
                email=prepared_by_index[index].profile.email,
                status="invalid",
                tier=tier,
                reason=f"row is larger than the import limit of {max_bytes} bytes",
            )
            tick(1)
        for indexes, file_body in files:
            try:
                result = yield calls.import_call(
                    file_body=file_body, list_ids=prov.list_ids_for(tier)
                )
            except BrevoError as exc:
                for index in indexes:
                    outcomes[index] = RowOutcome(
                        index=index,
                        email=prepared_by_index[index].profile.email,
                        status="failed",
                        tier=tier,
                        reason=str(exc),
                    )
            else:
                body = result.body if isinstance(result.body, dict) else {}
                if (pid := as_int(body.get("processId"))) is not None:
                    process_ids.append(pid)
                for index in indexes:
                    outcomes[index] = RowOutcome(
                        index=index,
                        email=prepared_by_index[index].profile.email,
                        status="imported",
                        tier=tier,
                    )
            tick(len(indexes))

    imported = {
        outcome.email.casefold()
        for outcome in outcomes.values()
        if outcome.status == "imported" and outcome.email is not None
    }
    for list_id, emails in sorted(moves.items()):
        leaving = sorted(emails & imported)
        if not leaving:
            continue
        try:
            yield from membership_plan(list_id, emails=leaving, ids=(), remove=True)
        except APIError as exc:
            # The rows were imported; a failed clean-up of an old tier list is not a
            # failure of the rows, and the next sync repeats it.
            _log.warning("could not unlink imported contacts from list %s: %s", list_id, exc)

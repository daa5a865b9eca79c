"""Many customers at once: validate every row, then upsert few or import many."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import (
    BrevoError,
    ValidationError,
)
from ..profile import LoyaltyProfile
from ..results import (
    BatchResult,
    ProvisionResult,
    RowOutcome,
)
from ._base import Plan, Progress
from .account import _AccountCache, _attribute_types, _known_attributes, _provisioning
from .customers import _prepare, _Prepared, _send_upsert
from .imports import _import_rows

#: Batches this size or larger go through POST /contacts/import.
DEFAULT_IMPORT_THRESHOLD = 50


def _to_profile(row: object) -> LoyaltyProfile:
    if isinstance(row, LoyaltyProfile):
        return row
    if isinstance(row, Mapping):
        return LoyaltyProfile.from_row(row)
    raise ValidationError(
        [("row", f"must be a LoyaltyProfile or a mapping, got {type(row).__name__}")]
    )


def _row_email(row: object) -> str | None:
    if isinstance(row, LoyaltyProfile):
        return row.email
    if isinstance(row, Mapping):
        for key, value in row.items():
            if isinstance(key, str) and key.strip().lower() == "email" and isinstance(value, str):
                return value.strip() or None
    return None


def _check_int(value: object, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError([(name, f"must be an int >= {minimum}, got {value!r}")])


def batch_plan(
    state: _AccountCache,
    rows: Iterable[LoyaltyProfile | Mapping[str, Any]],
    *,
    provisioning: ProvisionResult | None,
    import_threshold: int,
    max_import_bytes: int,
    progress: Progress | None,
) -> Plan[BatchResult]:
    """Validate every row, then send the valid ones as upserts or imports."""
    _check_int(import_threshold, "import_threshold", 1)
    _check_int(max_import_bytes, "max_import_bytes", 10_000)
    if rows is None or isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise ValidationError(
            [("rows", f"must be an iterable of rows, got {type(rows).__name__} {rows!r:.60}")]
        )
    if progress is not None and not callable(progress):
        raise ValidationError([("progress", f"must be callable, got {progress!r:.60}")])
    prov = _provisioning(state, provisioning)
    types = yield from _attribute_types(state)
    infos = _known_attributes(state)
    tick = progress or (lambda n: None)

    outcomes: dict[int, RowOutcome] = {}
    valid: dict[str, tuple[int, _Prepared]] = {}  # casefolded email -> last row with it
    for index, row in enumerate(rows):
        try:
            prepared = _prepare(_to_profile(row), prov.policy, types, infos)
        except ValidationError as exc:
            outcomes[index] = RowOutcome(
                index=index, email=_row_email(row), status="invalid", reason=str(exc)
            )
            tick(1)
            continue
        key = prepared.profile.email.casefold()
        if key in valid:
            earlier, _ = valid[key]
            outcomes[earlier] = RowOutcome(
                index=earlier,
                email=prepared.profile.email,
                status="invalid",
                reason=f"superseded by row {index} with the same email",
            )
            tick(1)
        valid[key] = (index, prepared)

    todo = sorted(valid.values(), key=lambda item: item[0])
    process_ids: list[int] = []
    if len(todo) < import_threshold:
        mode = "upsert"
        for index, prepared in todo:
            try:
                done = yield from _send_upsert(prepared, prov, [])
            except BrevoError as exc:
                outcomes[index] = RowOutcome(
                    index=index,
                    email=prepared.profile.email,
                    status="failed",
                    tier=prepared.tier,
                    reason=str(exc),
                )
            else:
                outcomes[index] = RowOutcome(
                    index=index,
                    email=prepared.profile.email,
                    status="created" if done.created else "updated",
                    tier=prepared.tier,
                )
            tick(1)
    else:
        mode = "import"
        yield from _import_rows(todo, prov, max_import_bytes, outcomes, process_ids, tick)
    return BatchResult(
        outcomes=tuple(outcomes[i] for i in sorted(outcomes)),
        mode=mode,  # type: ignore[arg-type]
        import_process_ids=tuple(process_ids),
    )

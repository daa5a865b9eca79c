"""The loyalty logic, written once for both clients (sans-IO).

Each operation is a generator *plan*: it yields a :class:`~tajo_brevo._adapter._Call`,
receives its :class:`~tajo_brevo._adapter._Result` (or has the mapped exception thrown in),
and returns the operation's value. ``TajoBrevo`` drives plans with blocking calls,
``AsyncTajoBrevo`` with awaits; neither contains any logic of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import math
import threading
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from . import _adapter as api
from ._adapter import _Call, _Result
from .attributes import TAJO_ATTRIBUTES, AttributeSpec, check_value
from .errors import (
    APIError,
    AttributeMismatchError,
    BadRequestError,
    BrevoError,
    ConfigurationError,
    NotFoundError,
    ValidationError,
)
from .profile import LoyaltyProfile
from .results import (
    AttributeConflict,
    AttributeInfo,
    BatchResult,
    Contact,
    ContactListInfo,
    FolderInfo,
    MembershipResult,
    ProvisionResult,
    RowOutcome,
    UpsertResult,
)
from .tiers import Tier, TierPolicy

_log = logging.getLogger("tajo_brevo")
T = TypeVar("T")
Plan = Generator[_Call, _Result, T]

#: Brevo's page-size caps (BREVO_FACTS: contacts 1000; lists and folders 50).
CONTACTS_PAGE_MAX = 1000
LISTS_PAGE_MAX = 50
FOLDERS_PAGE_MAX = 50
#: add/remove members take at most 150 emails or ids per call.
MEMBERS_CHUNK = 150
#: Batches this size or larger go through POST /contacts/import.
DEFAULT_IMPORT_THRESHOLD = 50
#: Brevo's import body limit is 10 MB; stay near 8 MB.
DEFAULT_MAX_IMPORT_BYTES = 8_000_000
#: Room kept in an import request for the JSON around fileBody.
_IMPORT_ENVELOPE = 4096
#: A safety stop for pagination: 10 million contacts at 1000 per page.
_MAX_PAGES = 10_000
_BREVO_TYPES = frozenset({"text", "float", "date", "boolean"})
ALL_CUSTOMERS_SUFFIX = "All customers"


@dataclass
class _State:
    """What a client learns about the account and reuses (shared by threads; cheap races)."""

    attribute_types: dict[str, str | None] | None = None
    provisioning: ProvisionResult | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


# ---------------------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------------------


class _Pager:
    """Offset pagination over one list endpoint (sans-IO).

    ``next_call()`` gives the next page's call or None when done; ``take(result)`` returns
    that page's items. Stops on a short page, when ``count`` is reached, or after
    ``_MAX_PAGES`` pages.
    """

    def __init__(self, make_call: Callable[[int, int], _Call], key: str, page_size: int) -> None:
        if page_size < 1:
            raise ValidationError([("page_size", f"must be >= 1, got {page_size}")])
        self._make_call = make_call
        self._key = key
        self._page_size = page_size
        self._offset = 0
        self._pages = 0
        self._done = False

    def next_call(self) -> _Call | None:
        if self._done or self._pages >= _MAX_PAGES:
            return None
        return self._make_call(self._page_size, self._offset)

    def take(self, result: _Result) -> list[dict[str, Any]]:
        body = result.body if isinstance(result.body, dict) else {}
        page = [item for item in body.get(self._key) or [] if isinstance(item, dict)]
        self._pages += 1
        self._offset += len(page)
        count = body.get("count")
        if len(page) < self._page_size or (isinstance(count, int) and self._offset >= count):
            self._done = True
        return page


def contacts_pager(modified_since: dt.datetime | None, page_size: int) -> _Pager:
    size = min(page_size, CONTACTS_PAGE_MAX)
    return _Pager(
        lambda limit, offset: api.list_contacts_call(
            limit=limit, offset=offset, modified_since=modified_since
        ),
        "contacts",
        size,
    )


def lists_pager(page_size: int = LISTS_PAGE_MAX) -> _Pager:
    return _Pager(
        lambda limit, offset: api.list_lists_call(limit=limit, offset=offset),
        "lists",
        min(page_size, LISTS_PAGE_MAX),
    )


def folders_pager(page_size: int = FOLDERS_PAGE_MAX) -> _Pager:
    return _Pager(
        lambda limit, offset: api.list_folders_call(limit=limit, offset=offset),
        "folders",
        min(page_size, FOLDERS_PAGE_MAX),
    )


def _all_pages(pager: _Pager) -> Plan[list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    while (call := pager.next_call()) is not None:
        items.extend(pager.take((yield call)))
    return items


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def to_contact(item: Mapping[str, Any]) -> Contact:
    modified: dt.datetime | None = None
    raw_modified = item.get("modifiedAt")
    if isinstance(raw_modified, str):
        try:
            modified = dt.datetime.fromisoformat(raw_modified.replace("Z", "+00:00"))
        except ValueError:
            modified = None
    return Contact(
        id=_int(item.get("id")) or 0,
        email=item.get("email") if isinstance(item.get("email"), str) else None,
        attributes=dict(item.get("attributes") or {}),
        list_ids=tuple(i for i in item.get("listIds") or [] if isinstance(i, int)),
        email_blacklisted=bool(item.get("emailBlacklisted", False)),
        modified_at=modified,
        raw=dict(item),
    )


def to_list_info(item: Mapping[str, Any]) -> ContactListInfo:
    return ContactListInfo(
        id=_int(item.get("id")) or 0,
        name=str(item.get("name", "")),
        folder_id=_int(item.get("folderId")),
        total_subscribers=_int(item.get("totalSubscribers")),
    )


def to_folder_info(item: Mapping[str, Any]) -> FolderInfo:
    return FolderInfo(id=_int(item.get("id")) or 0, name=str(item.get("name", "")))


def to_attribute_info(item: Mapping[str, Any]) -> AttributeInfo:
    raw_type = item.get("type")
    return AttributeInfo(
        name=str(item.get("name", "")),
        category=str(item.get("category", "")),
        type=raw_type if isinstance(raw_type, str) else None,
        enumeration=tuple(e for e in item.get("enumeration") or [] if isinstance(e, dict)),
    )


# ---------------------------------------------------------------------------------------
# Attributes: the account's types, and the check before sending
# ---------------------------------------------------------------------------------------


def fetch_attributes(state: _State) -> Plan[list[AttributeInfo]]:
    """Read the account's attributes and refresh the cached types."""
    result = yield api.list_attributes_call()
    body = result.body if isinstance(result.body, dict) else {}
    infos = [to_attribute_info(a) for a in body.get("attributes") or [] if isinstance(a, dict)]
    with state.lock:
        state.attribute_types = {info.name: info.type for info in infos}
    return infos


def _attribute_types(state: _State) -> Plan[dict[str, str | None]]:
    with state.lock:
        cached = state.attribute_types
    if cached is None:
        yield from fetch_attributes(state)
        with state.lock:
            cached = state.attribute_types or {}
    return cached


def check_against_account(
    attributes: Mapping[str, object], types: Mapping[str, str | None]
) -> None:
    """Refuse values Brevo would silently drop: unknown attributes and mismatched types.

    Raises:
        AttributeMismatchError: one ``(attribute, problem)`` per value that would be lost.
    """
    problems: list[tuple[str, str]] = []
    for name, value in attributes.items():
        if name not in types:
            problems.append(
                (
                    name,
                    f"{name} does not exist in the Brevo account, which would drop the value "
                    "silently; run provision() or create the attribute",
                )
            )
            continue
        brevo_type = types[name]
        if brevo_type in _BREVO_TYPES:
            try:
                spec = AttributeSpec(name=name, type=brevo_type)  # type: ignore[arg-type]
            except ValidationError:
                continue
            problem = check_value(spec, value)
            if problem is not None:
                problems.append((name, f"{problem} (the account's attribute is {brevo_type})"))
    if problems:
        raise AttributeMismatchError(problems)


# ---------------------------------------------------------------------------------------
# Provisioning
# ---------------------------------------------------------------------------------------


def list_names(program: str) -> tuple[str, dict[Tier, str]]:
    """The all-customers list name and the tier list names of a program."""
    return f"{program} - {ALL_CUSTOMERS_SUFFIX}", {
        tier: f"{program} - {tier.value}" for tier in Tier
    }


def provision_plan(state: _State, *, program: str, policy: TierPolicy) -> Plan[ProvisionResult]:
    """Make the account ready for the program; writes only what is missing."""
    program = program.strip() if isinstance(program, str) else program
    if not isinstance(program, str) or not program:
        raise ValidationError([("program", "must be a non-empty name")])
    if not isinstance(policy, TierPolicy):
        raise ValidationError([("policy", f"must be a TierPolicy, got {type(policy).__name__}")])

    found = {info.name: info for info in (yield from fetch_attributes(state))}
    created: list[str] = []
    present: list[str] = []
    builtin: list[str] = []
    conflicts: list[AttributeConflict] = []
    refused: dict[str, BadRequestError] = {}
    for spec in TAJO_ATTRIBUTES.values():
        if spec.builtin:
            builtin.append(spec.name)
            continue
        info = found.get(spec.name)
        if info is not None:
            if info.type == spec.type:
                present.append(spec.name)
            else:
                conflicts.append(
                    AttributeConflict(spec.name, spec.type, info.type or info.category)
                )
            continue
        try:
            yield api.create_attribute_call(spec.name, spec.type, spec.category)
        except BadRequestError as exc:
            # Maybe our own earlier attempt succeeded before a retry: checked below.
            refused[spec.name] = exc
        else:
            created.append(spec.name)

    folders = yield from _all_pages(folders_pager())
    same_name = sorted(
        (f for f in folders if f.get("name") == program and _int(f.get("id")) is not None),
        key=lambda f: f["id"],
    )
    folder_created = not same_name
    if same_name:
        folder_id: int = same_name[0]["id"]
    else:
        folder_id = _created_id((yield api.create_folder_call(program)), "folder")

    all_name, tier_names = list_names(program)
    existing_lists: dict[str, int] = {}
    if not folder_created:
        for item in (yield from _all_pages(lists_pager())):
            list_id = _int(item.get("id"))
            name = item.get("name")
            if list_id is None or item.get("folderId") != folder_id or not isinstance(name, str):
                continue
            # Several lists with one name: the oldest (lowest id) is the program's.
            existing_lists[name] = min(list_id, existing_lists.get(name, list_id))
    lists_created: list[str] = []
    for name in (all_name, *tier_names.values()):
        if name not in existing_lists:
            result = yield api.create_list_call(name, folder_id)
            existing_lists[name] = _created_id(result, "list")
            lists_created.append(name)

    if created or refused:
        after = {info.name: info for info in (yield from fetch_attributes(state))}
        for name, refusal in refused.items():
            info = after.get(name)
            if info is None or info.type != TAJO_ATTRIBUTES[name].type:
                raise refusal
            created.append(name)

    provisioned = ProvisionResult(
        program=program,
        policy=policy,
        folder_id=folder_id,
        all_customers_list_id=existing_lists[all_name],
        tier_lists={tier: existing_lists[name] for tier, name in tier_names.items()},
        attributes_created=tuple(created),
        attributes_present=tuple(present),
        attributes_builtin=tuple(builtin),
        attribute_conflicts=tuple(conflicts),
        folder_created=folder_created,
        lists_created=tuple(lists_created),
    )
    with state.lock:
        state.provisioning = provisioned
    return provisioned


def _created_id(result: _Result, what: str) -> int:
    body = result.body if isinstance(result.body, dict) else {}
    created = _int(body.get("id"))
    if created is None:
        raise BrevoError(f"Brevo created a {what} but returned no id (status {result.status_code})")
    return created


# ---------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------


def _provisioning(state: _State, given: ProvisionResult | None) -> ProvisionResult:
    if given is not None:
        return given
    with state.lock:
        current = state.provisioning
    if current is None:
        raise ConfigurationError(
            "the client does not know the program's lists yet: call provision() first "
            "(it is idempotent and writes nothing when the account is ready) or pass "
            "provisioning=<a ProvisionResult>"
        )
    return current


@dataclass(frozen=True)
class _Prepared:
    profile: LoyaltyProfile
    attributes: dict[str, str | float | bool]
    tier: Tier


def _prepare(
    profile: LoyaltyProfile, policy: TierPolicy, types: Mapping[str, str | None]
) -> _Prepared:
    """Tier, encoding and the account check: everything that can refuse before sending."""
    if not isinstance(profile, LoyaltyProfile):
        raise ValidationError(
            [("profile", f"must be a LoyaltyProfile, got {type(profile).__name__}")]
        )
    if profile.loyalty_tier is None and profile.loyalty_points is not None:
        profile = profile.with_tier(policy)
    attributes = profile.to_attributes(require_core=True)
    check_against_account(attributes, types)
    assert profile.loyalty_tier is not None  # to_attributes(require_core=True) checked it
    return _Prepared(profile, attributes, profile.loyalty_tier)


def _extra_lists(list_ids: Iterable[int]) -> list[int]:
    ids = list(list_ids)
    bad = [i for i in ids if isinstance(i, bool) or not isinstance(i, int) or i < 1]
    if bad:
        raise ValidationError([("list_ids", f"must be positive ints, got {bad!r}")])
    return ids


def _merge(*groups: Iterable[int]) -> list[int]:
    merged: list[int] = []
    for group in groups:
        merged.extend(i for i in group if i not in merged)
    return merged


def upsert_plan(
    state: _State,
    profile: LoyaltyProfile,
    *,
    provisioning: ProvisionResult | None,
    list_ids: Iterable[int] = (),
) -> Plan[UpsertResult]:
    """Create or update one customer and leave it in exactly one tier list.

    Request plan (the common case for a loyalty platform is an existing customer):

    1. ``PUT /contacts/{email}`` with the attributes, ``listIds`` = all-customers + the
       tier list, ``unlinkListIds`` = the other tier lists. 204: done, one request.
    2. 404 (new customer): ``POST /contacts`` with ``updateEnabled: true`` and the same
       lists. 201: created, two requests in all.
    3. 204 on that POST means someone created the contact between 1 and 2: one more
       ``PUT`` unlinks the other tier lists.
    """
    prov = _provisioning(state, provisioning)
    types = yield from _attribute_types(state)
    prepared = _prepare(profile, prov.policy, types)
    return (yield from _send_upsert(prepared, prov, _extra_lists(list_ids)))


def _send_upsert(
    prepared: _Prepared, prov: ProvisionResult, extra: list[int]
) -> Plan[UpsertResult]:
    email = prepared.profile.email
    lists = _merge(prov.list_ids_for(prepared.tier), extra)
    others = [i for i in prov.other_tier_list_ids(prepared.tier) if i not in lists]
    update: dict[str, Any] = {"attributes": prepared.attributes, "listIds": lists}
    if others:
        update["unlinkListIds"] = others
    try:
        yield api.update_contact_call(email, update)
    except NotFoundError:
        pass
    else:
        return UpsertResult(
            email=email,
            created=False,
            contact_id=None,
            tier=prepared.tier,
            list_ids=tuple(lists),
            unlinked_list_ids=tuple(others),
        )
    result = yield api.create_contact_call(
        {
            "email": email,
            "attributes": prepared.attributes,
            "listIds": lists,
            "updateEnabled": True,
        }
    )
    if result.status_code == 201:
        body = result.body if isinstance(result.body, dict) else {}
        return UpsertResult(
            email=email,
            created=True,
            contact_id=_int(body.get("id")),
            tier=prepared.tier,
            list_ids=tuple(lists),
        )
    if others:
        yield api.update_contact_call(email, {"unlinkListIds": others})
    return UpsertResult(
        email=email,
        created=False,
        contact_id=None,
        tier=prepared.tier,
        list_ids=tuple(lists),
        unlinked_list_ids=tuple(others),
    )


def create_plan(
    state: _State,
    profile: LoyaltyProfile,
    *,
    provisioning: ProvisionResult | None,
    list_ids: Iterable[int] = (),
) -> Plan[UpsertResult]:
    """Create a new customer; an existing email is a DuplicateContactError (no update)."""
    prov = _provisioning(state, provisioning)
    types = yield from _attribute_types(state)
    prepared = _prepare(profile, prov.policy, types)
    lists = _merge(prov.list_ids_for(prepared.tier), _extra_lists(list_ids))
    result = yield api.create_contact_call(
        {"email": prepared.profile.email, "attributes": prepared.attributes, "listIds": lists}
    )
    body = result.body if isinstance(result.body, dict) else {}
    return UpsertResult(
        email=prepared.profile.email,
        created=True,
        contact_id=_int(body.get("id")),
        tier=prepared.tier,
        list_ids=tuple(lists),
    )


def _identifier(identifier: str | int) -> str | int:
    if isinstance(identifier, bool) or not isinstance(identifier, (str, int)):
        raise ValidationError([("identifier", "must be an email or a contact id")])
    if isinstance(identifier, str):
        identifier = identifier.strip()
        if not identifier:
            raise ValidationError([("identifier", "must not be empty")])
    return identifier


def get_plan(state: _State, identifier: str | int) -> Plan[LoyaltyProfile]:
    """Read one contact as a LoyaltyProfile (extra attributes decoded by account type)."""
    result = yield api.get_contact_call(_identifier(identifier))
    with state.lock:
        types = state.attribute_types
    known = {k: v for k, v in (types or {}).items() if v in _BREVO_TYPES}
    body = result.body if isinstance(result.body, dict) else {}
    return LoyaltyProfile.from_contact(body, attribute_types=known or None)  # type: ignore[arg-type]


def delete_plan(identifier: str | int, *, hard: bool) -> Plan[None]:
    """Hard: DELETE the contact. Soft: blacklist it for email, keeping its lists."""
    ident = _identifier(identifier)
    if hard:
        yield api.delete_contact_call(ident)
    else:
        yield api.update_contact_call(ident, {"emailBlacklisted": True})


def membership_plan(
    list_id: int, *, emails: Iterable[str], ids: Iterable[int], remove: bool
) -> Plan[MembershipResult]:
    """Add or remove members in chunks of 150; a chunk Brevo refuses counts as failures."""
    if isinstance(list_id, bool) or not isinstance(list_id, int) or list_id < 1:
        raise ValidationError([("list_id", f"must be a positive int, got {list_id!r}")])
    if isinstance(emails, str):
        raise ValidationError([("emails", "must be a sequence of emails, not one string")])
    emails = [e.strip() for e in emails if isinstance(e, str) and e.strip()]
    ids = list(ids)
    bad_ids = [i for i in ids if isinstance(i, bool) or not isinstance(i, int) or i < 1]
    if bad_ids:
        raise ValidationError([("ids", f"must be positive contact ids, got {bad_ids!r}")])
    success: list[str | int] = []
    failure: list[str | int] = []
    errors: list[str] = []
    build = api.remove_from_list_call if remove else api.add_to_list_call
    chunks: list[tuple[list[str], list[int]]] = [
        (list(emails[i : i + MEMBERS_CHUNK]), []) for i in range(0, len(emails), MEMBERS_CHUNK)
    ] + [([], list(ids[i : i + MEMBERS_CHUNK])) for i in range(0, len(ids), MEMBERS_CHUNK)]
    for chunk_emails, chunk_ids in chunks:
        members: list[str | int] = [*chunk_emails, *chunk_ids]
        try:
            result = yield build(list_id, emails=chunk_emails, ids=chunk_ids)
        except BadRequestError as exc:
            # e.g. "Contact already in list and/or does not exist" for the whole chunk.
            failure.extend(members)
            errors.append(str(exc))
            continue
        body: dict[str, Any] = result.body if isinstance(result.body, dict) else {}
        raw_contacts = body.get("contacts")
        contacts: dict[str, Any] = raw_contacts if isinstance(raw_contacts, dict) else {}
        raw_ko = contacts.get("failure")
        ko: list[str | int] = list(raw_ko) if isinstance(raw_ko, list) else []
        raw_ok = contacts.get("success")
        ok: list[str | int] = (
            list(raw_ok) if isinstance(raw_ok, list) else [m for m in members if m not in ko]
        )
        success.extend(ok)
        failure.extend(ko)
    return MembershipResult(
        list_id=list_id, success=tuple(success), failure=tuple(failure), errors=tuple(errors)
    )


# ---------------------------------------------------------------------------------------
# Batch
# ---------------------------------------------------------------------------------------

Progress = Callable[[int], None]


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


def batch_plan(
    state: _State,
    rows: Iterable[LoyaltyProfile | Mapping[str, Any]],
    *,
    provisioning: ProvisionResult | None,
    import_threshold: int,
    max_import_bytes: int,
    progress: Progress | None,
) -> Plan[BatchResult]:
    """Validate every row, then send the valid ones as upserts or imports."""
    if import_threshold < 1:
        raise ValidationError([("import_threshold", f"must be >= 1, got {import_threshold}")])
    if max_import_bytes < 10_000:
        raise ValidationError([("max_import_bytes", f"must be >= 10000, got {max_import_bytes}")])
    prov = _provisioning(state, provisioning)
    types = yield from _attribute_types(state)
    tick = progress or (lambda n: None)

    outcomes: dict[int, RowOutcome] = {}
    valid: dict[str, tuple[int, _Prepared]] = {}  # casefolded email -> last row with it
    for index, row in enumerate(rows):
        try:
            prepared = _prepare(_to_profile(row), prov.policy, types)
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
        info = yield api.get_list_call(list_id)
        body = info.body if isinstance(info.body, dict) else {}
        if _int(body.get("totalSubscribers")) != 0 or _int(body.get("uniqueSubscribers")):
            occupied.add(list_id)
    if not occupied:
        return {}
    blind_cost = sum(
        math.ceil(len(items) / MEMBERS_CHUNK)
        * sum(1 for other in prov.other_tier_list_ids(tier) if other in occupied)
        for tier, items in by_tier.items()
    )
    head = yield api.list_contacts_call(limit=1, offset=0)
    total = _int(head.body.get("count")) if isinstance(head.body, dict) else None
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
                result = yield api.import_call(
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
                if (pid := _int(body.get("processId"))) is not None:
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

"""One customer at a time: upsert, create, read, delete, list membership."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import _adapter as calls
from .._adapter import as_int
from .._profile_codec import email_problem
from ..attributes import BREVO_TYPES, text_problem
from ..errors import (
    BadRequestError,
    NotFoundError,
    ValidationError,
)
from ..profile import LoyaltyProfile
from ..results import (
    AttributeInfo,
    MembershipResult,
    ProvisionResult,
    UpsertResult,
)
from ..tiers import Tier, TierPolicy
from ._base import Plan
from .account import (
    AccountCache,
    attribute_types_plan,
    cached_provisioning,
    check_against_account,
    known_attributes,
)

#: Brevo's contact ids are 64-bit.
_MAX_CONTACT_ID = 2**63 - 1
#: add/remove members take at most 150 emails or ids per call.
MEMBERS_CHUNK = 150


@dataclass(frozen=True)
class _Prepared:
    profile: LoyaltyProfile
    attributes: dict[str, str | float | bool]
    tier: Tier


def _prepare(
    profile: LoyaltyProfile,
    policy: TierPolicy,
    types: Mapping[str, str | None],
    infos: Mapping[str, AttributeInfo] | None = None,
) -> _Prepared:
    """Tier, encoding and the account check: everything that can refuse before sending."""
    if not isinstance(profile, LoyaltyProfile):
        raise ValidationError(
            [("profile", f"must be a LoyaltyProfile, got {type(profile).__name__}")]
        )
    if profile.loyalty_tier is None and profile.loyalty_points is not None:
        profile = profile.with_tier(policy)
    attributes = profile.to_attributes(require_core=True)
    check_against_account(attributes, types, infos)
    assert profile.loyalty_tier is not None  # to_attributes(require_core=True) checked it
    return _Prepared(profile, attributes, profile.loyalty_tier)


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is a bool (a truthy string or None is not a yes or a no)."""
    if not isinstance(value, bool):
        raise ValidationError([(name, f"must be True or False, got {value!r:.60}")])
    return value


def _check_customer(profile: object, provisioning: object, list_ids: Iterable[int]) -> list[int]:
    """The arguments of an upsert or a create, checked before anything is read or sent."""
    if not isinstance(profile, LoyaltyProfile):
        raise ValidationError(
            [("profile", f"must be a LoyaltyProfile, got {type(profile).__name__}")]
        )
    if provisioning is not None and not isinstance(provisioning, ProvisionResult):
        raise ValidationError(
            [
                (
                    "provisioning",
                    f"must be a ProvisionResult or None, got {type(provisioning).__name__}",
                )
            ]
        )
    return _extra_lists(list_ids)


def _extra_lists(list_ids: Iterable[int]) -> list[int]:
    ids = _sequence(list_ids, "list_ids", "list ids")
    bad = [i for i in ids if not _is_id(i)]
    if bad:
        raise ValidationError([("list_ids", f"must be positive ints, got {bad!r:.200}")])
    return ids


def _is_id(value: object) -> bool:
    """A Brevo id: a positive 64-bit int (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= _MAX_CONTACT_ID


def _sequence(values: object, name: str, what: str) -> list[Any]:
    """``values`` as a list; None, a single string or a non-iterable is refused."""
    if values is None or isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError(
            [(name, f"must be an iterable of {what}, got {type(values).__name__} {values!r:.60}")]
        )
    return list(values)


def _merge(*groups: Iterable[int]) -> list[int]:
    merged: list[int] = []
    for group in groups:
        merged.extend(i for i in group if i not in merged)
    return merged


def upsert_plan(
    state: AccountCache,
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
    extra = _check_customer(profile, provisioning, list_ids)
    prov = cached_provisioning(state, provisioning)
    types = yield from attribute_types_plan(state)
    prepared = _prepare(profile, prov.policy, types, known_attributes(state))
    return (yield from _send_upsert(prepared, prov, extra))


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
        yield calls.update_contact_call(email, update)
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
    result = yield calls.create_contact_call(
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
            contact_id=as_int(body.get("id")),
            tier=prepared.tier,
            list_ids=tuple(lists),
        )
    if others:
        yield calls.update_contact_call(email, {"unlinkListIds": others})
    return UpsertResult(
        email=email,
        created=False,
        contact_id=None,
        tier=prepared.tier,
        list_ids=tuple(lists),
        unlinked_list_ids=tuple(others),
    )


def create_plan(
    state: AccountCache,
    profile: LoyaltyProfile,
    *,
    provisioning: ProvisionResult | None,
    list_ids: Iterable[int] = (),
) -> Plan[UpsertResult]:
    """Create a new customer; an existing email is a DuplicateContactError (no update)."""
    extra = _check_customer(profile, provisioning, list_ids)
    prov = cached_provisioning(state, provisioning)
    types = yield from attribute_types_plan(state)
    prepared = _prepare(profile, prov.policy, types, known_attributes(state))
    lists = _merge(prov.list_ids_for(prepared.tier), extra)
    result = yield calls.create_contact_call(
        {"email": prepared.profile.email, "attributes": prepared.attributes, "listIds": lists}
    )
    body = result.body if isinstance(result.body, dict) else {}
    return UpsertResult(
        email=prepared.profile.email,
        created=True,
        contact_id=as_int(body.get("id")),
        tier=prepared.tier,
        list_ids=tuple(lists),
    )


def _identifier(identifier: str | int) -> str | int:
    if isinstance(identifier, bool) or not isinstance(identifier, (str, int)):
        raise ValidationError(
            [("identifier", f"must be an email or a contact id, got {identifier!r:.60}")]
        )
    if isinstance(identifier, int):
        if not 1 <= identifier <= _MAX_CONTACT_ID:
            raise ValidationError(
                [("identifier", f"a contact id must be a positive int, got {identifier}")]
            )
        return identifier
    identifier = identifier.strip()
    if not identifier:
        raise ValidationError([("identifier", "must not be empty")])
    problem = text_problem(identifier)
    if problem is None and "@" in identifier:
        problem = email_problem(identifier)
    if problem is not None:
        raise ValidationError([("identifier", problem)])
    return identifier


def get_plan(state: AccountCache, identifier: str | int) -> Plan[LoyaltyProfile]:
    """Read one contact as a LoyaltyProfile (extra attributes decoded by account type)."""
    result = yield calls.get_contact_call(_identifier(identifier))
    with state.lock:
        types = state.attribute_types
    known = {k: v for k, v in (types or {}).items() if v in BREVO_TYPES}
    body = result.body if isinstance(result.body, dict) else {}
    return LoyaltyProfile.from_contact(body, attribute_types=known or None)  # type: ignore[arg-type]


def delete_plan(identifier: str | int, *, hard: bool) -> Plan[None]:
    """Hard: DELETE the contact. Soft: blacklist it for email, keeping its lists."""
    ident = _identifier(identifier)
    if check_bool("hard", hard):
        yield calls.delete_contact_call(ident)
    else:
        yield calls.update_contact_call(ident, {"emailBlacklisted": True})


def membership_plan(
    list_id: int, *, emails: Iterable[str], ids: Iterable[int], remove: bool
) -> Plan[MembershipResult]:
    """Add or remove members in chunks of 150; a chunk Brevo refuses counts as failures."""
    if not _is_id(list_id):
        raise ValidationError([("list_id", f"must be a positive int, got {list_id!r:.60}")])
    given = _sequence(emails, "emails", "emails")
    emails = []
    rejected: list[tuple[object, str]] = []
    for index, item in enumerate(given):
        address = item.strip() if isinstance(item, str) else item
        problem = email_problem(address)
        if problem is None:
            emails.append(address)
        else:
            # Reported, never sent: one bad address would make Brevo refuse its chunk.
            rejected.append((item, f"emails[{index}]: {problem}"))
    ids = _sequence(ids, "ids", "contact ids")
    bad_ids = [i for i in ids if isinstance(i, bool) or not isinstance(i, int) or i < 1]
    if bad_ids:
        raise ValidationError([("ids", f"must be positive contact ids, got {bad_ids!r}")])
    success: list[str | int] = []
    failure: list[str | int] = []
    errors: list[str] = []
    build = calls.remove_from_list_call if remove else calls.add_to_list_call
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
        list_id=list_id,
        success=tuple(success),
        failure=tuple(failure),
        errors=tuple(errors),
        rejected=tuple(rejected),
    )

"""One customer at a time: upsert, create, read, delete, list membership."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import _adapter as calls
from .._adapter import Result, as_int
from .._profile_codec import email_problem
from ..attributes import BREVO_TYPES, text_problem
from ..errors import (
    BadRequestError,
    BrevoError,
    ContactWithoutEmailError,
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
from ._base import Plan, Sleep, WaitingPlan
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
    prepared, prov, extra = yield from _prepared_plan(state, profile, provisioning, list_ids)
    return (yield from _send_upsert(prepared, prov, extra))


def _prepared_plan(
    state: AccountCache,
    profile: LoyaltyProfile,
    provisioning: ProvisionResult | None,
    list_ids: Iterable[int],
) -> Plan[tuple[_Prepared, ProvisionResult, list[int]]]:
    """A customer ready to send (checked, then validated against the account's attribute
    types), the program's lists and the extra list ids: what an upsert and a create share.
    """
    extra = _check_customer(profile, provisioning, list_ids)
    prov = cached_provisioning(state, provisioning)
    types = yield from attribute_types_plan(state)
    return _prepare(profile, prov.policy, types, known_attributes(state)), prov, extra


def _created(prepared: _Prepared, lists: list[int], result: Result) -> UpsertResult:
    """A 201 to ``POST /contacts``: the new contact's id is in the body."""
    body = result.body if isinstance(result.body, dict) else {}
    return UpsertResult(
        email=prepared.profile.email,
        created=True,
        contact_id=as_int(body.get("id")),
        tier=prepared.tier,
        list_ids=tuple(lists),
    )


def _send_upsert(
    prepared: _Prepared, prov: ProvisionResult, extra: list[int]
) -> Plan[UpsertResult]:
    email = prepared.profile.email
    lists = _merge(prov.list_ids_for(prepared.tier), extra)
    others = [i for i in prov.other_tier_list_ids(prepared.tier) if i not in lists]
    update: dict[str, Any] = {"attributes": prepared.attributes, "listIds": lists}
    if others:
        update["unlinkListIds"] = others
    # The outcome when the contact existed (the PUT's 204, or a 204 to the POST below).
    updated = UpsertResult(
        email=email,
        created=False,
        contact_id=None,
        tier=prepared.tier,
        list_ids=tuple(lists),
        unlinked_list_ids=tuple(others),
    )
    try:
        yield calls.update_contact_call(email, update)
    except NotFoundError:
        pass
    else:
        return updated
    result = yield calls.create_contact_call(
        {
            "email": email,
            "attributes": prepared.attributes,
            "listIds": lists,
            "updateEnabled": True,
        }
    )
    if result.status_code == 201:
        return _created(prepared, lists, result)
    if others:
        yield calls.update_contact_call(email, {"unlinkListIds": others})
    return updated


def create_plan(
    state: AccountCache,
    profile: LoyaltyProfile,
    *,
    provisioning: ProvisionResult | None,
    list_ids: Iterable[int] = (),
) -> Plan[UpsertResult]:
    """Create a new customer; an existing email is a DuplicateContactError (no update)."""
    prepared, prov, extra = yield from _prepared_plan(state, profile, provisioning, list_ids)
    lists = _merge(prov.list_ids_for(prepared.tier), extra)
    result = yield calls.create_contact_call(
        {"email": prepared.profile.email, "attributes": prepared.attributes, "listIds": lists}
    )
    return _created(prepared, lists, result)


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
    email = body.get("email")
    if not isinstance(email, str) or not email.strip():
        # brevo-python 5.1.0 GetContactInfoResponse: email is optional (SMS-only contacts).
        raise ContactWithoutEmailError(
            identifier=identifier, contact_id=as_int(body.get("id")), contact=body
        )
    return LoyaltyProfile.from_contact(body, attribute_types=known or None)  # type: ignore[arg-type]


def delete_plan(identifier: str | int, *, hard: bool) -> Plan[None]:
    """Hard: DELETE the contact. Soft: blacklist it for email, keeping its lists."""
    ident = _identifier(identifier)
    if check_bool("hard", hard):
        yield calls.delete_contact_call(ident)
    else:
        yield calls.update_contact_call(ident, {"emailBlacklisted": True})


#: Following an asynchronous membership answer: first wait, and the longest between polls.
_PROCESS_POLL_FIRST = 0.5
_PROCESS_POLL_MAX = 5.0
#: What a finished process says about the request it carried out.
_PROCESS_DONE = "completed"
_PROCESS_FAILED = frozenset({"failed", "cancelled"})


def _member_key(item: object) -> tuple[str, object] | None:
    """How an item of a membership answer is matched to what was sent.

    Emails compare case-insensitively (Brevo stores them in lower case); an id may come
    back as a number or as its digits.
    """
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return ("id", item)
    if isinstance(item, str):
        text = item.strip()
        if text.isdigit():
            return ("id", int(text))
        return ("email", text.lower())
    return None


def _members(
    members: object, emails: object, ids: object
) -> tuple[list[str], list[int], list[tuple[object, str]]]:
    """The emails and ids to send, and the emails reported as rejected; nothing sent yet.

    A member of the wrong type (not an email string, not a positive int id) or an empty
    email is a caller's mistake: ValidationError naming every one. A string that is not an
    address Brevo accepts is data: reported in ``rejected``, the others still go.
    """
    problems: list[tuple[str, str]] = []
    good_emails: list[str] = []
    good_ids: list[int] = []
    rejected: list[tuple[object, str]] = []

    def email(item: object, where: str) -> None:
        if not isinstance(item, str):
            problems.append((where, f"must be an email (str), got {type(item).__name__}"))
            return
        address = item.strip()
        if not address:
            problems.append((where, "must not be empty"))
            return
        problem = email_problem(address)
        if problem is None:
            good_emails.append(address)
        else:
            # Reported, never sent: one bad address would make Brevo refuse its chunk.
            rejected.append((item, f"{where}: {problem}"))

    def contact_id(item: object, where: str) -> None:
        if isinstance(item, bool) or not isinstance(item, int):
            problems.append((where, f"must be a contact id (int), got {type(item).__name__}"))
        elif not 1 <= item <= _MAX_CONTACT_ID:
            problems.append((where, f"must be a positive contact id, got {item}"))
        else:
            good_ids.append(item)

    for index, item in enumerate(_sequence(members, "members", "emails or contact ids")):
        where = f"members[{index}]"
        if isinstance(item, int) and not isinstance(item, bool):
            contact_id(item, where)
        elif isinstance(item, str):
            email(item, where)
        else:
            problems.append(
                (where, f"must be an email (str) or a contact id (int), got {item!r:.60}")
            )
    for index, item in enumerate(_sequence(emails, "emails", "emails")):
        email(item, f"emails[{index}]")
    given_ids = _sequence(ids, "ids", "contact ids")
    bad_ids = [i for i in given_ids if isinstance(i, bool) or not isinstance(i, int) or i < 1]
    if bad_ids:
        problems.append(("ids", f"must be positive contact ids, got {bad_ids!r:.200}"))
    else:
        for index, item in enumerate(given_ids):
            contact_id(item, f"ids[{index}]")
    if problems:
        raise ValidationError(problems)
    return good_emails, good_ids, rejected


@dataclass
class _Outcomes:
    """The members of one membership call, by what Brevo confirmed of them."""

    success: list[str | int]
    failure: list[str | int]
    pending: list[str | int]
    unconfirmed: list[str | int]
    process_ids: list[int]
    errors: list[str]


def follow_process(process_id: int, timeout: float) -> WaitingPlan[tuple[str, str]]:
    """Poll ``GET /processes/{id}`` until it finishes or ``timeout`` seconds have passed.

    Returns ``(status, detail)``: the last status read (``""`` when none could be read).
    """
    waited = 0.0
    interval = _PROCESS_POLL_FIRST
    status = ""
    for _ in range(1000):  # bounded: ends on a finished process or the timeout
        try:
            result = yield calls.get_process_call(process_id)
        except NotFoundError:
            return "", f"Brevo does not know process {process_id}"
        body = result.body if isinstance(result.body, dict) else {}
        status = str(body.get("status") or "")
        if status == _PROCESS_DONE or status in _PROCESS_FAILED:
            return status, f"process {process_id} {status}"
        if waited >= timeout:
            break
        step = min(interval, timeout - waited)
        yield Sleep(step)
        waited += step
        interval = min(interval * 2, _PROCESS_POLL_MAX)
    return status, f"process {process_id} is {status or 'unknown'} after {waited:g} s"


def _read_back(
    list_id: int, members: list[str | int], outcomes: _Outcomes, *, remove: bool
) -> WaitingPlan[None]:
    """Place each member by reading it: a finished process says nothing per member.

    In the list after an add (out of it after a removal): ``success``; the other way round,
    or no such contact: ``failure``; a read that fails: ``unconfirmed``.
    """
    for item in members:
        try:
            result = yield calls.get_contact_call(item)
        except NotFoundError:
            outcomes.failure.append(item)
            continue
        except BrevoError:
            outcomes.unconfirmed.append(item)
            continue
        body = result.body if isinstance(result.body, dict) else {}
        listed = list_id in [i for i in body.get("listIds") or [] if isinstance(i, int)]
        (outcomes.success if listed != remove else outcomes.failure).append(item)


def _settle_chunk(
    list_id: int,
    members: list[str | int],
    answer: calls.MembershipAnswer,
    outcomes: _Outcomes,
    *,
    remove: bool,
    process_timeout: float,
) -> WaitingPlan[None]:
    """Sort one chunk's members by what ``answer`` (and its process) confirms."""
    sent: dict[tuple[str, object], str | int] = {}
    for item in members:
        key = _member_key(item)
        if key is not None:
            sent.setdefault(key, item)
    placed: set[tuple[str, object]] = set()
    for listed, target in ((answer.success, outcomes.success), (answer.failure, outcomes.failure)):
        for item in listed:
            key = _member_key(item)
            if key is not None and key in sent:
                if key not in placed:
                    placed.add(key)
                    target.append(sent[key])
            elif isinstance(item, str | int):
                target.append(item)  # not one sent: kept as Brevo gave it
    rest = [item for key, item in sent.items() if key not in placed]
    if answer.process_id is None:
        outcomes.unconfirmed.extend(rest)
        return
    outcomes.process_ids.append(answer.process_id)
    if not rest:
        return
    status = ""
    detail = f"process {answer.process_id} not followed (process_timeout=0)"
    if process_timeout > 0:
        status, detail = yield from follow_process(answer.process_id, process_timeout)
    if status == _PROCESS_DONE:
        yield from _read_back(list_id, rest, outcomes, remove=remove)
    elif status in _PROCESS_FAILED:
        outcomes.failure.extend(rest)
        outcomes.errors.append(detail)
    else:
        outcomes.pending.extend(rest)


def membership_plan(
    list_id: int,
    *,
    members: object = (),
    emails: object = (),
    ids: object = (),
    remove: bool,
    process_timeout: float = 30.0,
) -> WaitingPlan[MembershipResult]:
    """Add or remove members in chunks of 150, reporting only what Brevo confirmed.

    Every member is checked before the first request. An answer's ``success`` and
    ``failure`` place the members they name; an asynchronous answer (``processId``) is
    followed to its process for up to ``process_timeout`` seconds, and once the process has
    completed each member it left unnamed is read back (one GET each: a process does not
    say which members it changed); a chunk Brevo refuses counts as failures.
    """
    if not _is_id(list_id):
        raise ValidationError([("list_id", f"must be a positive int, got {list_id!r:.60}")])
    if (
        isinstance(process_timeout, bool)
        or not isinstance(process_timeout, int | float)
        or not 0 <= process_timeout <= 3600
    ):
        raise ValidationError(
            [("process_timeout", f"must be seconds in [0, 3600], got {process_timeout!r:.60}")]
        )
    good_emails, good_ids, rejected = _members(members, emails, ids)
    outcomes = _Outcomes([], [], [], [], [], [])
    build = calls.remove_from_list_call if remove else calls.add_to_list_call
    chunks: list[tuple[list[str], list[int]]] = [
        (good_emails[i : i + MEMBERS_CHUNK], []) for i in range(0, len(good_emails), MEMBERS_CHUNK)
    ] + [([], good_ids[i : i + MEMBERS_CHUNK]) for i in range(0, len(good_ids), MEMBERS_CHUNK)]
    for chunk_emails, chunk_ids in chunks:
        chunk: list[str | int] = [*chunk_emails, *chunk_ids]
        try:
            result = yield build(list_id, emails=chunk_emails, ids=chunk_ids)
        except BadRequestError as exc:
            # e.g. "Contact already in list and/or does not exist" for the whole chunk.
            outcomes.failure.extend(chunk)
            outcomes.errors.append(str(exc))
            continue
        answer = calls.to_membership_answer(result.body)
        yield from _settle_chunk(
            list_id, chunk, answer, outcomes, remove=remove, process_timeout=process_timeout
        )
    return MembershipResult(
        list_id=list_id,
        success=tuple(outcomes.success),
        failure=tuple(outcomes.failure),
        pending=tuple(outcomes.pending),
        unconfirmed=tuple(outcomes.unconfirmed),
        process_ids=tuple(outcomes.process_ids),
        errors=tuple(outcomes.errors),
        rejected=tuple(rejected),
    )

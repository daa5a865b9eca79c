"""What the client's operations return: plain frozen dataclasses."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .tiers import Tier, TierPolicy

__all__ = [
    "AttributeConflict",
    "AttributeInfo",
    "BatchResult",
    "Contact",
    "ContactListInfo",
    "ExportedContact",
    "FolderInfo",
    "MembershipResult",
    "ProvisionResult",
    "RowOutcome",
    "UpsertResult",
]


@dataclass(frozen=True)
class AttributeConflict:
    """A Tajo attribute that exists in the account with another type (never changed).

    Attributes:
        name: the attribute name.
        expected: the type Tajo needs.
        actual: the type the account has.
    """

    name: str
    expected: str
    actual: str


@dataclass(frozen=True, kw_only=True)
class ProvisionResult:
    """What :meth:`TajoBrevo.provision` found and did.

    Attributes:
        program: the program name (the folder's name, the lists' prefix).
        policy: the tier policy customers are placed with.
        folder_id: the program's folder.
        all_customers_list_id: the list every customer is in.
        tier_lists: tier -> list id (one list per tier).
        attributes_created: attributes that were missing and were created.
        attributes_present: Tajo attributes found with the right type.
        attributes_builtin: built-in attributes, never created.
        attribute_conflicts: attributes found with another type: reported, not changed.
        folder_created: whether the folder was created by this run.
        lists_created: names of the lists created by this run.
    """

    program: str
    policy: TierPolicy
    folder_id: int
    all_customers_list_id: int
    tier_lists: Mapping[Tier, int]
    attributes_created: tuple[str, ...] = ()
    attributes_present: tuple[str, ...] = ()
    attributes_builtin: tuple[str, ...] = ()
    attribute_conflicts: tuple[AttributeConflict, ...] = ()
    folder_created: bool = False
    lists_created: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether this run wrote anything to the account."""
        return bool(self.attributes_created or self.folder_created or self.lists_created)

    def list_ids_for(self, tier: Tier) -> list[int]:
        """The lists a customer of ``tier`` belongs to: all-customers, then the tier list."""
        return [self.all_customers_list_id, self.tier_lists[tier]]

    def other_tier_list_ids(self, tier: Tier) -> list[int]:
        """The tier lists a customer of ``tier`` must not be in."""
        return [list_id for other, list_id in self.tier_lists.items() if other != tier]


@dataclass(frozen=True, kw_only=True)
class UpsertResult:
    """The outcome of one :meth:`TajoBrevo.upsert_customer`.

    Attributes:
        email: the contact's email.
        created: True when Brevo created the contact (201), False when it updated it.
        contact_id: the new contact's id when created; None for an update (Brevo's 204
            carries no body).
        tier: the tier the contact is now listed under.
        list_ids: the lists the contact was added to.
        unlinked_list_ids: the tier lists it was removed from (if it was in them).
    """

    email: str
    created: bool
    contact_id: int | None
    tier: Tier
    list_ids: tuple[int, ...]
    unlinked_list_ids: tuple[int, ...] = ()


RowStatus = Literal[
    "created", "updated", "applied", "unchanged", "skipped", "imported", "invalid", "failed"
]


@dataclass(frozen=True, kw_only=True)
class RowOutcome:
    """What happened to one input row of :meth:`TajoBrevo.upsert_customers`.

    Attributes:
        index: the row's position in the input (0-based).
        email: the row's email, if it had a readable one.
        status: ``created``/``updated`` (per-contact upsert), ``applied`` (in an import
            Brevo confirmed complete), ``invalid`` (rejected before sending: nothing was
            sent), ``failed`` (Brevo refused it, its import report names it, or it was not
            confirmed). ``unchanged`` and ``skipped`` come from ``sync_customers`` only;
            ``imported`` is no longer produced (an import counts once confirmed).
        tier: the row's tier, when known.
        reason: why it is invalid or failed.
    """

    index: int
    email: str | None
    status: RowStatus
    tier: Tier | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class BatchResult:
    """All outcomes of :meth:`TajoBrevo.upsert_customers`, in input order.

    Attributes:
        outcomes: one per input row.
        mode: ``upsert`` (paced per-contact upserts) or ``import`` (POST /contacts/import).
        import_process_ids: Brevo's process ids of the import requests.
    """

    outcomes: tuple[RowOutcome, ...]
    mode: Literal["upsert", "import"]
    import_process_ids: tuple[int, ...] = ()

    @property
    def counts(self) -> Mapping[str, int]:
        """Rows per status, e.g. ``{"created": 2, "invalid": 1}``."""
        return dict(Counter(outcome.status for outcome in self.outcomes))

    @property
    def tiers(self) -> Mapping[Tier, int]:
        """Rows sent per tier (invalid and failed rows excluded)."""
        return dict(
            Counter(
                o.tier
                for o in self.outcomes
                if o.tier is not None and o.status not in ("invalid", "failed")
            )
        )

    def by_status(self, status: RowStatus) -> list[RowOutcome]:
        """The outcomes with this status, in input order."""
        return [outcome for outcome in self.outcomes if outcome.status == status]


@dataclass(frozen=True, kw_only=True)
class MembershipResult:
    """What Brevo confirmed of chunked list add/remove calls (see docs/responses.md).

    Every member sent is in exactly one of ``success``, ``failure``, ``pending`` and
    ``unconfirmed``, as it was given (an email stripped of surrounding spaces).

    Attributes:
        list_id: the list.
        success: emails or ids Brevo added/removed: listed under ``success`` in its answer,
            or, for a request answered with a process, read back in the list (out of it,
            for a removal) once the process ``completed``.
        failure: emails or ids Brevo did not add/remove: listed under ``failure`` (for an
            add: already in the list, or no such contact; for a removal: not in the list,
            or no such contact), in a chunk Brevo refused as a whole, in a request whose
            process ``failed`` or was ``cancelled``, or read back on the wrong side of the
            list (or not found) after a completed process.
        pending: emails or ids of a request Brevo answered with a process that had not
            finished when the client stopped waiting: not confirmed either way; the
            process ids are in ``process_ids``.
        unconfirmed: emails or ids sent that Brevo's answer does not mention at all (or
            whose read-back after a completed process failed).
        process_ids: the process of every request Brevo answered asynchronously
            (``processId``), finished or not.
        errors: messages of chunks Brevo refused as a whole and of processes that failed.
        rejected: ``(item, reason)`` for each email refused before sending (not an address
            Brevo accepts); the valid ones were sent without them.
    """

    list_id: int
    success: tuple[str | int, ...] = ()
    failure: tuple[str | int, ...] = ()
    pending: tuple[str | int, ...] = ()
    unconfirmed: tuple[str | int, ...] = ()
    process_ids: tuple[int, ...] = ()
    errors: tuple[str, ...] = ()
    rejected: tuple[tuple[object, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Contact:
    """A Brevo contact as listed by :meth:`TajoBrevo.iter_contacts`.

    Attributes:
        id: Brevo's contact id.
        email: the email, if the contact has one.
        attributes: attribute values as Brevo returned them.
        list_ids: the lists the contact is in.
        email_blacklisted: whether the contact is blacklisted for email.
        modified_at: last modification, when given.
        sms_blacklisted: whether the contact is blacklisted for SMS.
        whatsapp_blacklisted: whether the contact is blacklisted for WhatsApp.
        raw: the whole JSON object (e.g. for :meth:`LoyaltyProfile.from_contact`).
    """

    id: int
    email: str | None
    attributes: Mapping[str, Any]
    list_ids: tuple[int, ...]
    email_blacklisted: bool = False
    modified_at: dt.datetime | None = None
    sms_blacklisted: bool = False
    whatsapp_blacklisted: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ContactListInfo:
    """A contact list as a list page gives it.

    Attributes:
        id: the list id.
        name: the list name.
        folder_id: its folder.
        total_subscribers: contacts in the list (``totalSubscribers``).
        total_blacklisted: blacklisted contacts in the list (``totalBlacklisted``).
        unique_subscribers: distinct contacts in the list (``uniqueSubscribers``).
        raw: the whole JSON object, fields this class does not name included.
    """

    id: int
    name: str
    folder_id: int | None
    total_subscribers: int | None = None
    total_blacklisted: int | None = None
    unique_subscribers: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class FolderInfo:
    """A contact folder.

    Attributes:
        id: the folder id.
        name: the folder name.
        total_subscribers: contacts across its lists (``totalSubscribers``).
        total_blacklisted: blacklisted contacts across its lists (``totalBlacklisted``).
        unique_subscribers: distinct contacts across its lists (``uniqueSubscribers``).
        raw: the whole JSON object, fields this class does not name included.
    """

    id: int
    name: str
    total_subscribers: int | None = None
    total_blacklisted: int | None = None
    unique_subscribers: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class AttributeInfo:
    """An attribute of the account.

    Attributes:
        name: the attribute name.
        category: normal, transactional, category, calculated or global.
        type: text, date, float, boolean, id, multiple-choice, user, ... (None if Brevo
            gives none).
        enumeration: the options of a category attribute (``value``, ``label``,
            ``valueStr``).
        multi_category_options: the options of a multiple-choice attribute.
        calculated_value: the formula of a calculated attribute.
        raw: the whole JSON object, fields this class does not name included.
    """

    name: str
    category: str
    type: str | None
    enumeration: Sequence[Mapping[str, Any]] = ()
    multi_category_options: tuple[str, ...] = ()
    calculated_value: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class ExportedContact:
    """One contact of a Brevo contact export (a row of its CSV file).

    Attributes:
        email: the contact's email (lower case, as Brevo stores it), or None.
        attributes: the other exported columns by name (``LOYALTY_POINTS``,
            ``email_marketing``, ...), as the file's text; an empty cell is left out
            (Brevo holds no value).
        list_ids: the lists the contact is in, or None when they were not exported.
        added_at: when the contact was created (ADDED_TIME), when exported.
        modified_at: when the contact was last modified (MODIFIED_TIME), when exported.
    """

    email: str | None
    attributes: Mapping[str, str] = field(default_factory=dict)
    list_ids: frozenset[int] | None = None
    added_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None

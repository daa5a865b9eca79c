"""A Tajo loyalty profile: one Brevo contact's loyalty data, typed and validated.

A :class:`LoyaltyProfile` is checked when it is built, every problem at once, so bad data
is reported before anything is sent. It encodes to Brevo attribute values with
:meth:`LoyaltyProfile.to_attributes` and decodes from a Brevo contact with
:meth:`LoyaltyProfile.from_contact` (round trip: decoding what was encoded gives an equal
profile) or from a CSV/dict row with :meth:`LoyaltyProfile.from_row`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Self

from . import _profile_codec as codec
from ._profile_codec import ExtraValue, PreferredChannel
from .attributes import (
    TAJO_ATTRIBUTES,
    BrevoType,
)
from .errors import ProfileValidationError
from .tiers import DEFAULT_TIER_POLICY, Tier, TierPolicy

__all__ = ["LoyaltyProfile", "PreferredChannel"]


@dataclass(frozen=True, kw_only=True)
class LoyaltyProfile:
    """One customer's loyalty data, as the Brevo contact identified by ``email``.

    Every field except ``email`` is optional (None = not set, not sent). Construction
    checks every field and raises one :class:`ProfileValidationError` listing every
    problem. Values are coerced to their stored types: ints and ``Decimal`` to float,
    tier and channel names (any case) to :class:`Tier` / :class:`PreferredChannel`,
    ``'YYYY-MM-DD'`` strings to dates, lists to tuples.

    Rules:
        - email: surrounding whitespace is stripped, nothing else is changed (Brevo
          matches emails case-insensitively); exactly one ``@``, a non-empty local part
          without spaces, an ASCII (or punycode) domain with a dot.
        - text fields: strings that are not empty or blank (None means not set).
        - ``sms``: ``+`` optional then 6-15 digits, nothing else.
        - points and money (``loyalty_points``, ``points_*_ytd``, ``next_tier_points``,
          ``total_spent``, ``average_order_value``): finite numbers >= 0; ``bool`` refused.
        - ``tier_progress``, ``email_open_rate``, ``click_through_rate``: 0-100.
        - ``engagement_score``: 1-10.
        - dates: ``date`` or ``'YYYY-MM-DD'``; a ``datetime`` is refused (no silent
          truncation).
        - arrays: tuples (or lists) of non-empty strings without surrounding whitespace.
        - ``extra``: more Brevo attributes, names ``[A-Z][A-Z0-9_]*`` that are not one of
          the typed attributes nor ``EMAIL``; values str, number, bool or date.

    ``loyalty_tier``, ``tier_progress`` and ``next_tier_points`` are kept as given even if
    they disagree with ``loyalty_points``; :meth:`with_tier` recomputes them from the
    points with a :class:`TierPolicy`, and the policy wins.
    """

    email: str
    first_name: str | None = None
    last_name: str | None = None
    sms: str | None = None
    loyalty_id: str | None = None
    loyalty_points: float | None = None
    loyalty_tier: Tier | None = None
    points_earned_ytd: float | None = None
    points_redeemed_ytd: float | None = None
    tier_progress: float | None = None
    next_tier_points: float | None = None
    total_spent: float | None = None
    average_order_value: float | None = None
    purchase_frequency: str | None = None
    last_purchase: date | None = None
    favorite_categories: tuple[str, ...] | None = None
    seasonal_buyer: bool | None = None
    engagement_score: float | None = None
    email_open_rate: float | None = None
    click_through_rate: float | None = None
    last_email_opened: date | None = None
    preferred_channel: PreferredChannel | None = None
    signup_date: date | None = None
    birthday: date | None = None
    signup_source: str | None = None
    referral_code: str | None = None
    preferred_rewards: str | None = None
    communication_preferences: tuple[str, ...] | None = None
    purchase_categories: tuple[str, ...] | None = None
    recent_purchases: tuple[str, ...] | None = None
    preferred_contact_time: str | None = None
    # A read-only mapping is not hashable: leave it out of the hash, not out of equality.
    extra: Mapping[str, ExtraValue] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        email = self.email.strip() if isinstance(self.email, str) else self.email
        if (problem := codec.email_problem(email)) is not None:
            problems.append(("email", problem))
        else:
            object.__setattr__(self, "email", email)
        state = self.__dict__  # read directly: 31 getattr calls add up on every read
        for name, check in codec.FIELD_CHECKS:
            value = state[name]
            if value is None:
                continue
            try:
                checked = check(value)
            except codec.Problem as exc:
                problems.append((name, str(exc)))
            else:
                if checked is not value:
                    object.__setattr__(self, name, checked)
        extra: dict[str, ExtraValue] = {}
        if not isinstance(self.extra, Mapping):
            problems.append(("extra", f"must be a mapping, got {type(self.extra).__name__}"))
        else:
            for name, value in self.extra.items():
                where = f"extra[{name!r}]"
                if not isinstance(name, str) or not codec.EXTRA_NAME_RE.fullmatch(name):
                    problems.append((where, "attribute names are upper case [A-Z][A-Z0-9_]*"))
                    continue
                if name in codec.RESERVED:
                    target = "the email field" if name == "EMAIL" else codec.BY_ATTRIBUTE[name].name
                    problems.append((where, f"{name} is a typed field: set {target} instead"))
                    continue
                try:
                    extra[name] = codec.check_extra_value(value)
                except codec.Problem as exc:
                    problems.append((where, str(exc)))
        object.__setattr__(self, "extra", MappingProxyType(extra))
        if problems:
            raise ProfileValidationError(problems)

    def __repr__(self) -> str:
        # Thirty fields of None hide the data: show what is set.
        shown = [f"email={self.email!r}"]
        shown += [
            f"{spec.name}={getattr(self, spec.name)!r}"
            for spec in codec.FIELDS
            if getattr(self, spec.name) is not None
        ]
        if self.extra:
            shown.append(f"extra={dict(self.extra)!r}")
        return f"LoyaltyProfile({', '.join(shown)})"

    def with_tier(self, policy: TierPolicy = DEFAULT_TIER_POLICY) -> LoyaltyProfile:
        """A copy whose tier, tier progress and next-tier points follow from the points.

        Args:
            policy: the tier thresholds; the policy wins over any tier already set.

        Returns:
            The copy with ``loyalty_tier``, ``tier_progress`` and ``next_tier_points`` set.

        Raises:
            ProfileValidationError: ``loyalty_points`` is not set.
        """
        if self.loyalty_points is None:
            raise ProfileValidationError(
                [("loyalty_points", "is not set: the tier is computed from the points")]
            )
        status = policy.status(self.loyalty_points)
        return dataclasses.replace(
            self,
            loyalty_tier=status.tier,
            tier_progress=status.progress,
            next_tier_points=status.next_tier_points,
        )

    def to_attributes(self, *, require_core: bool = True) -> dict[str, str | float | bool]:
        """The profile as Brevo contact attributes (the ``attributes`` of a request).

        Only set fields are included, then ``extra``. Encoding: numbers as JSON numbers
        (integral values as ints), dates ``'YYYY-MM-DD'``, tier and channel as their
        names, booleans as booleans, arrays as text: items joined by ``,`` with ``,`` and
        ``\\`` inside an item escaped by a backslash, ``()`` as ``''`` (see
        :func:`tajo_brevo.attributes.encode_array`). ``email`` is not an attribute.

        Args:
            require_core: refuse a profile without ``LOYALTY_ID``, ``LOYALTY_POINTS`` and
                ``LOYALTY_TIER`` (guide best practice 1: an upsert always sends them).
                False for a partial update.

        Returns:
            Attribute name -> encoded value.

        Raises:
            ProfileValidationError: ``require_core`` and a core field is not set.
        """
        if require_core:
            missing = [name for name in codec.CORE if getattr(self, name) is None]
            if missing:
                hint = {"loyalty_tier": " (set it, or call with_tier() to compute it)"}
                raise ProfileValidationError(
                    [
                        (
                            name,
                            f"{codec.BY_NAME[name].attribute} is a core loyalty field and is not "
                            f"set{hint.get(name, '')}; pass require_core=False for a partial "
                            "update",
                        )
                        for name in missing
                    ]
                )
        attributes: dict[str, str | float | bool] = {}
        for spec in codec.FIELDS:
            value = getattr(self, spec.name)
            if value is not None:
                attributes[spec.attribute] = codec.encode(value)
        for name, extra_value in self.extra.items():
            attributes[name] = codec.encode(extra_value)
        return attributes

    @classmethod
    def from_contact(
        cls,
        contact: Mapping[str, Any],
        *,
        attribute_types: Mapping[str, BrevoType] | None = None,
    ) -> Self:
        """Decode a Brevo contact (``{"email": ..., "attributes": {...}, ...}``).

        Lenient with what Brevo stores: numbers as ints, floats or numeric strings; dates
        as ``'YYYY-MM-DD'`` or ISO datetimes (the date part as written); booleans as JSON
        booleans or ``"true"``/``"false"``; arrays as encoded text or JSON lists; tier and
        channel names in any case; empty strings and nulls as not set. Attributes that are
        not typed fields go to ``extra`` as Brevo gave them, or decoded by their type if
        ``attribute_types`` names it (e.g. a date attribute to a ``date``). Keys other than
        ``email`` and ``attributes`` (id, listIds, ...) are ignored.

        Args:
            contact: the contact JSON object.
            attribute_types: Brevo type of extra attributes, e.g. from the account's
                attribute list.

        Returns:
            The profile.

        Raises:
            ProfileValidationError: every value that can't be decoded or is invalid.
        """
        attributes = contact.get("attributes") or {}
        if not isinstance(attributes, Mapping):
            raise ProfileValidationError(
                [("attributes", f"must be an object, got {type(attributes).__name__}")]
            )
        # No email (an SMS-only contact) is reported as "email: is required".
        values: dict[str, object] = {"email": contact.get("email") or ""}
        extra: dict[str, object] = {}
        problems: list[tuple[str, str]] = []
        for name, raw in attributes.items():
            if name == "EMAIL":
                continue  # the identifier is the top-level email
            _decode_into(name, raw, values, extra, problems, attribute_types)
        values["extra"] = extra
        return cls._build(values, problems)

    @classmethod
    def from_row(
        cls,
        row: Mapping[str, str | None],
        *,
        attribute_types: Mapping[str, BrevoType] | None = None,
    ) -> Self:
        """Build a profile from a CSV or dict row of strings.

        Keys are Brevo attribute names (``LOYALTY_POINTS``, ``EMAIL``) or field names
        (``loyalty_points``, ``email``), matched ignoring case; other upper-case keys go
        to ``extra`` (as strings, or decoded by ``attribute_types``). An empty cell (or
        None) means "not set". Values are parsed like :meth:`from_contact`: numbers,
        ``'YYYY-MM-DD'`` dates, ``true/false/yes/no/1/0``, arrays in the encoded text form.

        Args:
            row: column -> cell text (e.g. from :class:`csv.DictReader`).
            attribute_types: Brevo type of extra columns.

        Returns:
            The profile.

        Raises:
            ProfileValidationError: every unknown or repeated column, unparsable cell and
                invalid value.
        """
        values: dict[str, object] = {}
        extra: dict[str, object] = {}
        problems: list[tuple[str, str]] = []
        seen: dict[str, str] = {}
        for key, raw in row.items():
            if not isinstance(key, str):
                problems.append(("row", f"cells without a column header: {raw!r}"))
                continue
            column = key.strip()
            upper, lower = column.upper(), column.lower()
            if upper == "EMAIL":
                target = "email"
            elif upper in codec.BY_ATTRIBUTE:
                target = codec.BY_ATTRIBUTE[upper].name
            elif lower in codec.BY_NAME:
                target = lower
            elif codec.EXTRA_NAME_RE.fullmatch(column):
                target = column
            else:
                problems.append(
                    (column, "unknown column: use a Brevo attribute name (upper case) or a field")
                )
                continue
            if target in seen:
                problems.append((column, f"given twice (also as {seen[target]!r})"))
                continue
            seen[target] = column
            if target == "email":
                values["email"] = raw if raw is not None else ""
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue  # an empty cell is "not set", even for an array column
            attribute = codec.BY_NAME[target].attribute if target in codec.BY_NAME else target
            _decode_into(attribute, raw, values, extra, problems, attribute_types)
        values.setdefault("email", "")  # reported as "email: is required"
        values["extra"] = extra
        return cls._build(values, problems)

    @classmethod
    def _build(cls, values: dict[str, object], problems: list[tuple[str, str]]) -> Self:
        """Construct from decoded values, reporting decoding and validation problems together."""
        # A value that failed to decode is not in ``values``: each problem is reported once.
        try:
            if cls is LoyaltyProfile:
                # What the generated __init__ does, without its 32 object.__setattr__
                # calls (frozen): unset fields None, then the same validation.
                profile = cls.__new__(cls)
                profile.__dict__.update(_UNSET_FIELDS)
                profile.__dict__.update(values)
                profile.__post_init__()
            else:  # a subclass may add fields: its own constructor
                profile = cls(**values)  # type: ignore[arg-type]
        except ProfileValidationError as exc:
            raise ProfileValidationError(problems + exc.errors) from None
        if problems:
            raise ProfileValidationError(problems)
        return profile


#: Every field but ``email`` and ``extra`` (always given to ``_build``) as not set.
_UNSET_FIELDS: Mapping[str, None] = {
    f.name: None for f in dataclasses.fields(LoyaltyProfile) if f.name not in ("email", "extra")
}
assert all(
    f.default is None
    for f in dataclasses.fields(LoyaltyProfile)
    if f.name not in ("email", "extra")
), "_UNSET_FIELDS assumes every optional field defaults to None"


def _decode_into(
    attribute: str,
    raw: object,
    values: dict[str, object],
    extra: dict[str, object],
    problems: list[tuple[str, str]],
    attribute_types: Mapping[str, BrevoType] | None,
) -> None:
    spec = codec.BY_ATTRIBUTE.get(attribute)
    try:
        if spec is not None:
            decoded = codec.decode(spec.kind, raw)
            if decoded is not None:
                values[spec.name] = decoded
        else:
            brevo_type = (attribute_types or {}).get(attribute)
            decoded = codec.decode_extra(raw, brevo_type)
            if decoded is not None:
                extra[attribute] = decoded
    except codec.Problem as exc:
        where = spec.name if spec is not None else f"extra[{attribute!r}]"
        problems.append((where, str(exc)))


# Every typed attribute is one of the documented Tajo attributes, with the same name.
assert set(codec.BY_ATTRIBUTE) == set(TAJO_ATTRIBUTES), "profile fields and TAJO_ATTRIBUTES differ"

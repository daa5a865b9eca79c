"""A Tajo loyalty profile: one Brevo contact's loyalty data, typed and validated.

A :class:`LoyaltyProfile` is checked when it is built, every problem at once, so bad data
is reported before anything is sent. It encodes to Brevo attribute values with
:meth:`LoyaltyProfile.to_attributes` and decodes from a Brevo contact with
:meth:`LoyaltyProfile.from_contact` (round trip: decoding what was encoded gives an equal
profile) or from a CSV/dict row with :meth:`LoyaltyProfile.from_row`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, Self

from .attributes import (
    TAJO_ATTRIBUTES,
    BrevoType,
    decode_array,
    encode_array,
    number_problem,
    text_problem,
)
from .errors import ProfileValidationError, ValidationError
from .tiers import DEFAULT_TIER_POLICY, Tier, TierPolicy, parse_named

__all__ = ["LoyaltyProfile", "PreferredChannel"]


class PreferredChannel(StrEnum):
    """A preferred channel; the value is what Brevo stores in ``PREFERRED_CHANNEL``."""

    EMAIL = "Email"
    SMS = "SMS"
    WHATSAPP = "WhatsApp"

    @classmethod
    def parse(cls, value: object) -> PreferredChannel:
        """Read a channel from a :class:`PreferredChannel` or its name, ignoring case and spaces.

        Args:
            value: e.g. ``"whatsapp"``, ``PreferredChannel.SMS``.

        Returns:
            The channel.

        Raises:
            ValidationError: the value names no channel (the message lists the valid names).
        """
        return parse_named(cls, value, "channel")


# How a field is checked and encoded. "count": a number >= 0 (points, money).
_Kind = Literal[
    "text", "sms", "count", "percent", "score", "date", "bool", "tier", "channel", "array"
]


@dataclass(frozen=True)
class _Field:
    name: str
    attribute: str
    kind: _Kind


_FIELDS: tuple[_Field, ...] = (
    _Field("first_name", "FIRSTNAME", "text"),
    _Field("last_name", "LASTNAME", "text"),
    _Field("sms", "SMS", "sms"),
    _Field("loyalty_id", "LOYALTY_ID", "text"),
    _Field("loyalty_points", "LOYALTY_POINTS", "count"),
    _Field("loyalty_tier", "LOYALTY_TIER", "tier"),
    _Field("points_earned_ytd", "POINTS_EARNED_YTD", "count"),
    _Field("points_redeemed_ytd", "POINTS_REDEEMED_YTD", "count"),
    _Field("tier_progress", "TIER_PROGRESS", "percent"),
    _Field("next_tier_points", "NEXT_TIER_POINTS", "count"),
    _Field("total_spent", "TOTAL_SPENT", "count"),
    _Field("average_order_value", "AVERAGE_ORDER_VALUE", "count"),
    _Field("purchase_frequency", "PURCHASE_FREQUENCY", "text"),
    _Field("last_purchase", "LAST_PURCHASE", "date"),
    _Field("favorite_categories", "FAVORITE_CATEGORIES", "array"),
    _Field("seasonal_buyer", "SEASONAL_BUYER", "bool"),
    _Field("engagement_score", "ENGAGEMENT_SCORE", "score"),
    _Field("email_open_rate", "EMAIL_OPEN_RATE", "percent"),
    _Field("click_through_rate", "CLICK_THROUGH_RATE", "percent"),
    _Field("last_email_opened", "LAST_EMAIL_OPENED", "date"),
    _Field("preferred_channel", "PREFERRED_CHANNEL", "channel"),
    _Field("signup_date", "SIGNUP_DATE", "date"),
    _Field("birthday", "BIRTHDAY", "date"),
    _Field("signup_source", "SIGNUP_SOURCE", "text"),
    _Field("referral_code", "REFERRAL_CODE", "text"),
    _Field("preferred_rewards", "PREFERRED_REWARDS", "text"),
    _Field("communication_preferences", "COMMUNICATION_PREFERENCES", "array"),
    _Field("purchase_categories", "PURCHASE_CATEGORIES", "array"),
    _Field("recent_purchases", "RECENT_PURCHASES", "array"),
    _Field("preferred_contact_time", "PREFERRED_CONTACT_TIME", "text"),
)
_BY_NAME: Mapping[str, _Field] = {f.name: f for f in _FIELDS}
_BY_ATTRIBUTE: Mapping[str, _Field] = {f.attribute: f for f in _FIELDS}
_CORE = ("loyalty_id", "loyalty_points", "loyalty_tier")
# The identifier is top-level in Brevo requests; attributes.EMAIL would change it.
_RESERVED = frozenset(_BY_ATTRIBUTE) | {"EMAIL"}

_EXTRA_NAME_RE = re.compile(r"[A-Z][A-Z0-9_]*")
# RFC 5322 dot-atom characters: what Brevo accepts before the @. Brevo refuses a
# non-ASCII local part, ';', ',', spaces, quotes and zero-width characters.
_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_DOMAIN_RE = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
)
_SMS_RE = re.compile(r"\+?[0-9]{6,15}")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
# Beyond 2**53 not every integer is a float: keep such values as floats when encoding.
_EXACT_INT_LIMIT = 2**53


class _Problem(Exception):
    """One field's problem, collected by the caller."""


ExtraValue = str | float | bool | date


# --- checking (constructor) ---------------------------------------------------------


def _email_problem(email: object) -> str | None:
    if not isinstance(email, str):
        return f"must be a string, got {type(email).__name__}"
    if not email:
        return "is required"
    if (problem := text_problem(email)) is not None:
        return problem
    if len(email) > 254:
        return "is longer than 254 characters"
    if email.count("@") != 1:
        return f"{email!r} must contain exactly one '@'"
    local, domain = email.split("@")
    if (
        not _LOCAL_RE.fullmatch(local)
        or len(local) > 64
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        return (
            f"{email!r} has an invalid part before '@' (Brevo takes ASCII letters, digits "
            "and !#$%&'*+/=?^_`{|}~.- there; no spaces, ';', ',' or accents)"
        )
    if not _DOMAIN_RE.fullmatch(domain):
        return f"{email!r} has an invalid domain (expected e.g. example.com, ASCII/punycode)"
    return None


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _Problem(f"must be a number, got {type(value).__name__} {value!r}")
    if (problem := number_problem(value)) is not None:
        raise _Problem(problem)
    return float(value)


def _in_range(value: object, low: float, high: float | None) -> float:
    number = _number(value)
    if number < low or (high is not None and number > high):
        wanted = f">= {low:g}" if high is None else f"between {low:g} and {high:g}"
        raise _Problem(f"must be {wanted}, got {number:g}")
    return number


def _strict_date(value: object) -> date:
    if isinstance(value, datetime):
        raise _Problem(f"must be a date, got a datetime {value!r} (use value.date())")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if _ISO_DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise _Problem(f"must be a date 'YYYY-MM-DD', got {value!r}")
    raise _Problem(f"must be a date, got {type(value).__name__} {value!r}")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Problem(f"must be a string, got {type(value).__name__} {value!r}")
    # Surrounding whitespace is dropped on every path (per contact and import alike).
    value = value.strip()
    if not value:
        # Brevo shows blank text as unset, and decoding reads it as unset too.
        raise _Problem("must not be empty or blank (use None for 'not set')")
    if (problem := text_problem(value)) is not None:
        raise _Problem(problem)
    return value


def _array(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise _Problem(
            f"must be a tuple of strings, got {type(value).__name__} {value!r}"
            " (decode text with tajo_brevo.attributes.decode_array)"
        )
    items = tuple(value)
    try:
        encode_array(items)
    except ValidationError as exc:
        raise _Problem(
            "; ".join(f"item {where}: {message}" for where, message in exc.errors)
        ) from None
    return items


def _sms(value: object) -> str:
    text = _text(value)
    if not _SMS_RE.fullmatch(text):
        raise _Problem(f"must be a phone number with country code like +33612345678, got {text!r}")
    return text


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Problem(f"must be True or False, got {type(value).__name__} {value!r}")
    return value


def _tier(value: object) -> Tier:
    try:
        return Tier.parse(value)
    except ValidationError as exc:
        raise _Problem(exc.errors[0][1]) from None


def _channel(value: object) -> PreferredChannel:
    try:
        return PreferredChannel.parse(value)
    except ValidationError as exc:
        raise _Problem(exc.errors[0][1]) from None


#: The check of each kind: returns the stored value, raises _Problem.
_CHECKS: Mapping[_Kind, Callable[[object], object]] = {
    "text": _text,
    "sms": _sms,
    "count": lambda value: _in_range(value, 0, None),
    "percent": lambda value: _in_range(value, 0, 100),
    "score": lambda value: _in_range(value, 1, 10),
    "date": _strict_date,
    "bool": _bool,
    "tier": _tier,
    "channel": _channel,
    "array": _array,
}
#: (field name, its check) in field order: what the constructor runs per set field.
_FIELD_CHECKS = tuple((spec.name, _CHECKS[spec.kind]) for spec in _FIELDS)


def _check(kind: _Kind, value: object) -> object:
    """The stored value for ``value`` of a field of ``kind``; raises _Problem."""
    return _CHECKS[kind](value)


def _check_extra_value(value: object) -> ExtraValue:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, date):
        return _strict_date(value)
    if isinstance(value, str):
        return _text(value)
    raise _Problem(
        f"must be a string, number, boolean or date, got {type(value).__name__} {value!r}"
    )


# --- decoding (from_contact / from_row) --------------------------------------------


def _lenient_date(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return _strict_date(text)
    except _Problem:
        pass
    try:
        # Brevo may answer a datetime; the date is the one written, not converted.
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise _Problem(f"must be a date 'YYYY-MM-DD', got {value!r}") from None


_INT_TEXT_RE = re.compile(r"[+-]?[0-9]+")


def _lenient_number(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT_RE.fullmatch(text) and len(text) < 400:
            # An int, so that the 2**53 limit applies (a float would round it silently).
            return int(text)
        try:
            return float(text)
        except ValueError:
            raise _Problem(f"must be a number, got {value!r}") from None
    return value


def _lenient_bool(value: object) -> object:
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise _Problem(f"must be true/false (or yes/no, 1/0), got {value!r}")
    return value


def _lenient_text(value: object) -> object:
    # A number in a text attribute (e.g. a numeric LOYALTY_ID) reads back as its digits.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def _decode(kind: _Kind, value: object) -> object:
    """Turn a stored or CSV value into what the constructor takes; raises _Problem.

    Returns None for "not set" (an empty string).
    """
    if value is None or (isinstance(value, str) and not value.strip() and kind != "array"):
        return None
    if kind in ("text", "sms"):
        return _lenient_text(value)
    if kind in ("count", "percent", "score"):
        return _lenient_number(value)
    if kind == "date":
        return _lenient_date(value)
    if kind == "bool":
        return _lenient_bool(value)
    if kind == "array":
        if isinstance(value, str):
            return decode_array(value)
        if isinstance(value, list | tuple):
            # The guide sends JSON arrays; keep their items as text.
            return tuple(str(item).strip() for item in value if str(item).strip())
    return value


def _decode_extra(value: object, brevo_type: BrevoType | None) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if brevo_type == "float":
        return _lenient_number(value)
    if brevo_type == "date":
        return _lenient_date(value)
    if brevo_type == "boolean":
        return _lenient_bool(value)
    if brevo_type == "text":
        return _lenient_text(value)
    if isinstance(value, list):
        # Multiple-choice attributes come back as JSON lists of labels: keep them, in
        # the array text form, rather than failing the whole read.
        return encode_array(str(item).strip() for item in value if str(item).strip())
    return value


# --- encoding ------------------------------------------------------------------------


def _encode_number(value: float) -> float:
    # 1500.0 is sent as 1500: what the guide sends, and what a person reads in Brevo.
    if value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
        return int(value)
    return value


def _encode(value: object) -> str | float | bool:
    if isinstance(value, Tier | PreferredChannel):
        return value.value  # a plain str, not the enum member
    if isinstance(value, bool | str):
        return value
    if isinstance(value, float):
        return _encode_number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return encode_array(value)
    raise TypeError(f"cannot encode {value!r}")  # pragma: no cover - checked at construction


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
        if (problem := _email_problem(email)) is not None:
            problems.append(("email", problem))
        else:
            object.__setattr__(self, "email", email)
        state = self.__dict__  # read directly: 31 getattr calls add up on every read
        for name, check in _FIELD_CHECKS:
            value = state[name]
            if value is None:
                continue
            try:
                checked = check(value)
            except _Problem as exc:
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
                if not isinstance(name, str) or not _EXTRA_NAME_RE.fullmatch(name):
                    problems.append((where, "attribute names are upper case [A-Z][A-Z0-9_]*"))
                    continue
                if name in _RESERVED:
                    target = "the email field" if name == "EMAIL" else _BY_ATTRIBUTE[name].name
                    problems.append((where, f"{name} is a typed field: set {target} instead"))
                    continue
                try:
                    extra[name] = _check_extra_value(value)
                except _Problem as exc:
                    problems.append((where, str(exc)))
        object.__setattr__(self, "extra", MappingProxyType(extra))
        if problems:
            raise ProfileValidationError(problems)

    def __repr__(self) -> str:
        # Thirty fields of None hide the data: show what is set.
        shown = [f"email={self.email!r}"]
        shown += [
            f"{spec.name}={getattr(self, spec.name)!r}"
            for spec in _FIELDS
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
            missing = [name for name in _CORE if getattr(self, name) is None]
            if missing:
                hint = {"loyalty_tier": " (set it, or call with_tier() to compute it)"}
                raise ProfileValidationError(
                    [
                        (
                            name,
                            f"{_BY_NAME[name].attribute} is a core loyalty field and is not "
                            f"set{hint.get(name, '')}; pass require_core=False for a partial "
                            "update",
                        )
                        for name in missing
                    ]
                )
        attributes: dict[str, str | float | bool] = {}
        for spec in _FIELDS:
            value = getattr(self, spec.name)
            if value is not None:
                attributes[spec.attribute] = _encode(value)
        for name, extra_value in self.extra.items():
            attributes[name] = _encode(extra_value)
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
            elif upper in _BY_ATTRIBUTE:
                target = _BY_ATTRIBUTE[upper].name
            elif lower in _BY_NAME:
                target = lower
            elif _EXTRA_NAME_RE.fullmatch(column):
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
            attribute = _BY_NAME[target].attribute if target in _BY_NAME else target
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
    spec = _BY_ATTRIBUTE.get(attribute)
    try:
        if spec is not None:
            decoded = _decode(spec.kind, raw)
            if decoded is not None:
                values[spec.name] = decoded
        else:
            brevo_type = (attribute_types or {}).get(attribute)
            decoded = _decode_extra(raw, brevo_type)
            if decoded is not None:
                extra[attribute] = decoded
    except _Problem as exc:
        where = spec.name if spec is not None else f"extra[{attribute!r}]"
        problems.append((where, str(exc)))


# Every typed attribute is one of the documented Tajo attributes, with the same name.
assert set(_BY_ATTRIBUTE) == set(TAJO_ATTRIBUTES), "profile fields and TAJO_ATTRIBUTES differ"

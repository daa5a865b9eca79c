"""The attribute codec of a loyalty profile: each field's kind, its checks, decoding, encoding.

What :class:`~tajo_brevo.profile.LoyaltyProfile` applies to each field, as functions of
one value, so that the sync applies the same rules to a row's cells without building a
profile (``tajo_brevo.sync._validation``):

- :data:`FIELDS`, :data:`BY_NAME`, :data:`BY_ATTRIBUTE`: each profile field, its Brevo
  attribute and its kind;
- checking (the constructor's rules): :func:`check` per kind, :func:`check_extra_value`,
  :func:`email_problem`, :func:`in_range`, :func:`strict_date`, :func:`check_text`; a problem
  is raised as :class:`Problem`;
- decoding what Brevo or a CSV row holds (lenient): :func:`decode`, :func:`decode_extra`,
  :func:`lenient_date`, :func:`lenient_number`;
- encoding to Brevo attribute values: :func:`encode`, :func:`encode_number`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from .attributes import (
    BrevoType,
    decode_array,
    encode_array,
    number_problem,
    text_problem,
)
from .errors import ValidationError
from .tiers import NamedChoice, Tier

__all__ = [
    "BY_ATTRIBUTE",
    "BY_NAME",
    "CORE",
    "EXTRA_NAME_RE",
    "FIELDS",
    "FIELD_CHECKS",
    "RESERVED",
    "ExtraValue",
    "Field",
    "Kind",
    "PreferredChannel",
    "Problem",
    "check",
    "check_extra_value",
    "check_text",
    "decode",
    "decode_extra",
    "email_problem",
    "encode",
    "encode_number",
    "in_range",
    "lenient_date",
    "lenient_number",
    "strict_date",
]


class PreferredChannel(NamedChoice):
    """A preferred channel; the value is what Brevo stores in ``PREFERRED_CHANNEL``."""

    EMAIL = "Email"
    SMS = "SMS"
    WHATSAPP = "WhatsApp"

    @classmethod
    def label(cls) -> str:
        return "channel"


# How a field is checked and encoded. "count": a number >= 0 (points, money).
Kind = Literal[
    "text", "sms", "count", "percent", "score", "date", "bool", "tier", "channel", "array"
]


@dataclass(frozen=True)
class Field:
    name: str
    attribute: str
    kind: Kind


FIELDS: tuple[Field, ...] = (
    Field("first_name", "FIRSTNAME", "text"),
    Field("last_name", "LASTNAME", "text"),
    Field("sms", "SMS", "sms"),
    Field("loyalty_id", "LOYALTY_ID", "text"),
    Field("loyalty_points", "LOYALTY_POINTS", "count"),
    Field("loyalty_tier", "LOYALTY_TIER", "tier"),
    Field("points_earned_ytd", "POINTS_EARNED_YTD", "count"),
    Field("points_redeemed_ytd", "POINTS_REDEEMED_YTD", "count"),
    Field("tier_progress", "TIER_PROGRESS", "percent"),
    Field("next_tier_points", "NEXT_TIER_POINTS", "count"),
    Field("total_spent", "TOTAL_SPENT", "count"),
    Field("average_order_value", "AVERAGE_ORDER_VALUE", "count"),
    Field("purchase_frequency", "PURCHASE_FREQUENCY", "text"),
    Field("last_purchase", "LAST_PURCHASE", "date"),
    Field("favorite_categories", "FAVORITE_CATEGORIES", "array"),
    Field("seasonal_buyer", "SEASONAL_BUYER", "bool"),
    Field("engagement_score", "ENGAGEMENT_SCORE", "score"),
    Field("email_open_rate", "EMAIL_OPEN_RATE", "percent"),
    Field("click_through_rate", "CLICK_THROUGH_RATE", "percent"),
    Field("last_email_opened", "LAST_EMAIL_OPENED", "date"),
    Field("preferred_channel", "PREFERRED_CHANNEL", "channel"),
    Field("signup_date", "SIGNUP_DATE", "date"),
    Field("birthday", "BIRTHDAY", "date"),
    Field("signup_source", "SIGNUP_SOURCE", "text"),
    Field("referral_code", "REFERRAL_CODE", "text"),
    Field("preferred_rewards", "PREFERRED_REWARDS", "text"),
    Field("communication_preferences", "COMMUNICATION_PREFERENCES", "array"),
    Field("purchase_categories", "PURCHASE_CATEGORIES", "array"),
    Field("recent_purchases", "RECENT_PURCHASES", "array"),
    Field("preferred_contact_time", "PREFERRED_CONTACT_TIME", "text"),
)
BY_NAME: Mapping[str, Field] = {f.name: f for f in FIELDS}
BY_ATTRIBUTE: Mapping[str, Field] = {f.attribute: f for f in FIELDS}
CORE = ("loyalty_id", "loyalty_points", "loyalty_tier")
# The identifier is top-level in Brevo requests; attributes.EMAIL would change it.
RESERVED = frozenset(BY_ATTRIBUTE) | {"EMAIL"}

EXTRA_NAME_RE = re.compile(r"[A-Z][A-Z0-9_]*")
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


class Problem(Exception):
    """One field's problem, collected by the caller."""


ExtraValue = str | float | bool | date


# --- checking (constructor) ---------------------------------------------------------


def email_problem(email: object) -> str | None:
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
        raise Problem(f"must be a number, got {type(value).__name__} {value!r}")
    if (problem := number_problem(value)) is not None:
        raise Problem(problem)
    return float(value)


def in_range(value: object, low: float, high: float | None) -> float:
    number = _number(value)
    if number < low or (high is not None and number > high):
        wanted = f">= {low:g}" if high is None else f"between {low:g} and {high:g}"
        raise Problem(f"must be {wanted}, got {number:g}")
    return number


def strict_date(value: object) -> date:
    if isinstance(value, datetime):
        raise Problem(f"must be a date, got a datetime {value!r} (use value.date())")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if _ISO_DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise Problem(f"must be a date 'YYYY-MM-DD', got {value!r}")
    raise Problem(f"must be a date, got {type(value).__name__} {value!r}")


def check_text(value: object) -> str:
    if not isinstance(value, str):
        raise Problem(f"must be a string, got {type(value).__name__} {value!r}")
    # Surrounding whitespace is dropped on every path (per contact and import alike).
    value = value.strip()
    if not value:
        # Brevo shows blank text as unset, and decoding reads it as unset too.
        raise Problem("must not be empty or blank (use None for 'not set')")
    if (problem := text_problem(value)) is not None:
        raise Problem(problem)
    return value


def _array(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise Problem(
            f"must be a tuple of strings, got {type(value).__name__} {value!r}"
            " (decode text with tajo_brevo.attributes.decode_array)"
        )
    items = tuple(value)
    try:
        encode_array(items)
    except ValidationError as exc:
        raise Problem(
            "; ".join(f"item {where}: {message}" for where, message in exc.errors)
        ) from None
    return items


def _sms(value: object) -> str:
    text = check_text(value)
    if not _SMS_RE.fullmatch(text):
        raise Problem(f"must be a phone number with country code like +33612345678, got {text!r}")
    return text


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise Problem(f"must be True or False, got {type(value).__name__} {value!r}")
    return value


def _tier(value: object) -> Tier:
    try:
        return Tier.parse(value)
    except ValidationError as exc:
        raise Problem(exc.errors[0][1]) from None


def _channel(value: object) -> PreferredChannel:
    try:
        return PreferredChannel.parse(value)
    except ValidationError as exc:
        raise Problem(exc.errors[0][1]) from None


#: The check of each kind: returns the stored value, raises Problem.
_CHECKS: Mapping[Kind, Callable[[object], object]] = {
    "text": check_text,
    "sms": _sms,
    "count": lambda value: in_range(value, 0, None),
    "percent": lambda value: in_range(value, 0, 100),
    "score": lambda value: in_range(value, 1, 10),
    "date": strict_date,
    "bool": _bool,
    "tier": _tier,
    "channel": _channel,
    "array": _array,
}
#: (field name, its check) in field order: what the constructor runs per set field.
FIELD_CHECKS = tuple((spec.name, _CHECKS[spec.kind]) for spec in FIELDS)


def check(kind: Kind, value: object) -> object:
    """The stored value for ``value`` of a field of ``kind``; raises Problem."""
    return _CHECKS[kind](value)


def check_extra_value(value: object) -> ExtraValue:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, date):
        return strict_date(value)
    if isinstance(value, str):
        return check_text(value)
    raise Problem(
        f"must be a string, number, boolean or date, got {type(value).__name__} {value!r}"
    )


# --- decoding (from_contact / from_row) --------------------------------------------


def lenient_date(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return strict_date(text)
    except Problem:
        pass
    try:
        # Brevo may answer a datetime; the date is the one written, not converted.
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise Problem(f"must be a date 'YYYY-MM-DD', got {value!r}") from None


_INT_TEXT_RE = re.compile(r"[+-]?[0-9]+")


def lenient_number(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT_RE.fullmatch(text) and len(text) < 400:
            # An int, so that the 2**53 limit applies (a float would round it silently).
            return int(text)
        try:
            return float(text)
        except ValueError:
            raise Problem(f"must be a number, got {value!r}") from None
    return value


def _lenient_bool(value: object) -> object:
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise Problem(f"must be true/false (or yes/no, 1/0), got {value!r}")
    return value


def _lenient_text(value: object) -> object:
    # A number in a text attribute (e.g. a numeric LOYALTY_ID) reads back as its digits.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def decode(kind: Kind, value: object) -> object:
    """Turn a stored or CSV value into what the constructor takes; raises Problem.

    Returns None for "not set" (an empty string).
    """
    if value is None or (isinstance(value, str) and not value.strip() and kind != "array"):
        return None
    if kind in ("text", "sms"):
        return _lenient_text(value)
    if kind in ("count", "percent", "score"):
        return lenient_number(value)
    if kind == "date":
        return lenient_date(value)
    if kind == "bool":
        return _lenient_bool(value)
    if kind == "array":
        if isinstance(value, str):
            return decode_array(value)
        if isinstance(value, list | tuple):
            # The guide sends JSON arrays; keep their items as text.
            return tuple(str(item).strip() for item in value if str(item).strip())
    return value


def decode_extra(value: object, brevo_type: BrevoType | None) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if brevo_type == "float":
        return lenient_number(value)
    if brevo_type == "date":
        return lenient_date(value)
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


def encode_number(value: float) -> float:
    # 1500.0 is sent as 1500: what the guide sends, and what a person reads in Brevo.
    if value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
        return int(value)
    return value


def encode(value: object) -> str | float | bool:
    if isinstance(value, Tier | PreferredChannel):
        return value.value  # a plain str, not the enum member
    if isinstance(value, bool | str):
        return value
    if isinstance(value, float):
        return encode_number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return encode_array(value)
    raise TypeError(f"cannot encode {value!r}")  # pragma: no cover - checked at construction

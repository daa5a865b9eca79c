"""The Brevo contact attributes a Tajo loyalty profile uses, and how values fit them.

Brevo accepts a request whose attribute value does not match the attribute's type (a
string in a float or date attribute, an unknown attribute) and silently drops the value.
:func:`check_value` is the check the client runs before sending, against the account's
actual attribute types.

Brevo has no list type for normal attributes, so the guide's "Array" attributes
(``FAVORITE_CATEGORIES``, ``COMMUNICATION_PREFERENCES``, ...) are text holding an
encoded list; :func:`encode_array` and :func:`decode_array` define that text form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, get_args

from .errors import ValidationError

__all__ = [
    "TAJO_ATTRIBUTES",
    "AttributeSpec",
    "BrevoType",
    "check_value",
    "decode_array",
    "encode_array",
]

BrevoType = Literal["text", "float", "date", "boolean"]

#: The attribute types Brevo stores (``BrevoType``'s values).
BREVO_TYPES: frozenset[str] = frozenset(get_args(BrevoType))
_NAME_RE = re.compile(r"[A-Z][A-Z0-9_]*")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class AttributeSpec:
    """One Brevo contact attribute: its name, type and category.

    Attributes:
        name: the upper-case Brevo name (``LOYALTY_POINTS``).
        type: the Brevo type; Brevo numbers are ``float``.
        category: the Brevo category; Tajo attributes are all ``normal``.
        builtin: True for attributes every Brevo account already has (``FIRSTNAME``,
            ``LASTNAME``, ``SMS``): never created by provisioning.
        description: what the attribute holds.

    Raises:
        ValidationError: the name is not upper case or the type is not a Brevo type.
    """

    name: str
    type: BrevoType
    category: Literal["normal"] = "normal"
    builtin: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if not _NAME_RE.fullmatch(self.name):
            problems.append(("name", f"{self.name!r} is not an upper-case name [A-Z][A-Z0-9_]*"))
        if self.type not in BREVO_TYPES:
            problems.append(("type", f"{self.type!r} is not one of {sorted(BREVO_TYPES)}"))
        if self.category != "normal":
            problems.append(("category", f"{self.category!r} is not 'normal'"))
        if problems:
            raise ValidationError(problems)


def _spec(
    name: str, type_: BrevoType, description: str, *, builtin: bool = False
) -> tuple[str, AttributeSpec]:
    return name, AttributeSpec(name=name, type=type_, builtin=builtin, description=description)


#: Every attribute of the guide's three tables plus those its examples use, by name.
#: Read-only. The guide's ``PHONE`` is Brevo's built-in ``SMS`` attribute.
TAJO_ATTRIBUTES: Mapping[str, AttributeSpec] = MappingProxyType(
    dict(
        [
            # Customer loyalty data
            _spec("LOYALTY_ID", "text", "Unique loyalty program ID"),
            _spec("LOYALTY_POINTS", "float", "Current points balance"),
            _spec("LOYALTY_TIER", "text", "Current tier (Bronze, Silver, Gold, Platinum)"),
            _spec("POINTS_EARNED_YTD", "float", "Points earned this year"),
            _spec("POINTS_REDEEMED_YTD", "float", "Points redeemed this year"),
            _spec("TIER_PROGRESS", "float", "Progress to next tier (%)"),
            _spec("NEXT_TIER_POINTS", "float", "Points needed for next tier"),
            # Purchase behaviour
            _spec("TOTAL_SPENT", "float", "Lifetime value"),
            _spec("AVERAGE_ORDER_VALUE", "float", "Average purchase amount"),
            _spec("PURCHASE_FREQUENCY", "text", "How often they buy"),
            _spec("LAST_PURCHASE", "date", "Last purchase date"),
            _spec("FAVORITE_CATEGORIES", "text", "Preferred product categories (encoded list)"),
            _spec("SEASONAL_BUYER", "boolean", "Shops seasonally"),
            # Engagement metrics
            _spec("ENGAGEMENT_SCORE", "float", "1-10 engagement rating"),
            _spec("EMAIL_OPEN_RATE", "float", "Personal open rate %"),
            _spec("CLICK_THROUGH_RATE", "float", "Personal CTR %"),
            _spec("LAST_EMAIL_OPENED", "date", "Last email interaction"),
            _spec("PREFERRED_CHANNEL", "text", "Email, SMS, WhatsApp"),
            # Used by the guide's examples
            _spec("FIRSTNAME", "text", "First name", builtin=True),
            _spec("LASTNAME", "text", "Last name", builtin=True),
            _spec("SMS", "text", "Mobile number with country code", builtin=True),
            _spec("SIGNUP_DATE", "date", "Date the customer joined"),
            _spec("BIRTHDAY", "date", "Date of birth"),
            _spec("SIGNUP_SOURCE", "text", "Where the customer signed up"),
            _spec("REFERRAL_CODE", "text", "The customer's referral code"),
            _spec("PREFERRED_REWARDS", "text", "Preferred kind of reward"),
            _spec("COMMUNICATION_PREFERENCES", "text", "Accepted channels (encoded list)"),
            _spec("PURCHASE_CATEGORIES", "text", "Categories bought from (encoded list)"),
            _spec("RECENT_PURCHASES", "text", "Recently bought products (encoded list)"),
            _spec("PREFERRED_CONTACT_TIME", "text", "Preferred time to be contacted"),
        ]
    )
)


def _type_name(value: object) -> str:
    return type(value).__name__


#: The wrapper's cap on one text value. Brevo documents none; a value this long is a
#: document, not an attribute, and a 10 MB one fills a whole import request.
MAX_TEXT_LENGTH = 65_535
#: Brevo stores numbers as 64-bit floats: beyond 2**53 integers are silently rounded.
MAX_EXACT_NUMBER = 2**53
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str) -> str | None:
    """Why Brevo could not store ``value`` as text, or None.

    A lone surrogate (``"\\ud800"``) is not text and cannot be sent as UTF-8; control
    characters other than tab and newlines are refused; so is a text longer than
    :data:`MAX_TEXT_LENGTH` characters.
    """
    if _SURROGATE_RE.search(value):
        return "contains a lone surrogate (U+D800-U+DFFF), which cannot be sent as UTF-8"
    if (control := _CONTROL_RE.search(value)) is not None:
        return f"contains the control character {control.group()!r}"
    if len(value) > MAX_TEXT_LENGTH:
        return f"is {len(value)} characters long, more than the {MAX_TEXT_LENGTH} allowed"
    return None


def number_problem(value: int | float | Decimal) -> str | None:
    """Why Brevo could not store the number ``value`` exactly, or None.

    NaN, infinities and Decimals beyond the float range are refused, and so are integers
    beyond ``2**53`` in size: Brevo stores 64-bit floats and would round ``2**53 + 1``
    without a word (a float is sent as the float it is).
    """
    if isinstance(value, int):
        if abs(value) > MAX_EXACT_NUMBER:
            bits = value.bit_length()
            return f"must be at most 2**53 ({MAX_EXACT_NUMBER}) in size, got a {bits}-bit int"
        return None
    try:
        # What is sent: a Decimal beyond the float range would become infinity.
        finite = math.isfinite(float(value))
    except (ValueError, OverflowError):  # Decimal("sNaN") refuses to convert
        finite = False
    if not finite:
        return f"must be a finite number, got {value!r}"
    return None


def check_value(spec: AttributeSpec, value: object) -> str | None:
    """Say why ``value`` would not be stored by Brevo in the attribute ``spec``.

    Accepts the encoded values of :meth:`LoyaltyProfile.to_attributes` and plain Python
    values: ``text`` takes ``str``; ``float`` takes ``int``/``float``/``Decimal`` (not
    ``bool``, not NaN or infinity, not numeric strings); ``date`` takes a
    :class:`datetime.date` (not a ``datetime``) or a ``'YYYY-MM-DD'`` string naming a real
    day; ``boolean`` takes ``bool`` only. ``None`` is never a value. A type other than the
    four Brevo types above (e.g. an account's ``id`` or ``category`` attribute) is not
    checked.

    Args:
        spec: the attribute, with the type the account really has.
        value: the value about to be sent.

    Returns:
        None if the value fits, else a one-line message naming expected and given types.
    """
    expected = spec.type
    if value is None:
        return f"{spec.name} expects {expected}, got None"
    if expected == "text":
        if isinstance(value, str):
            problem = text_problem(value)
            return None if problem is None else f"{spec.name} {problem}"
        return f"{spec.name} expects text, got {_type_name(value)} {value!r}"
    if expected == "float":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return f"{spec.name} expects a number, got {_type_name(value)} {value!r}"
        problem = number_problem(value)
        return None if problem is None else f"{spec.name} {problem}"
    if expected == "date":
        if isinstance(value, datetime):
            return f"{spec.name} expects a date, got a datetime {value!r}: send value.date()"
        if isinstance(value, date):
            return None
        if isinstance(value, str):
            if _parse_iso_date(value) is None:
                return f"{spec.name} expects a date 'YYYY-MM-DD', got {value!r}"
            return None
        return f"{spec.name} expects a date, got {_type_name(value)} {value!r}"
    if expected == "boolean":
        if isinstance(value, bool):
            return None
        return f"{spec.name} expects a boolean, got {_type_name(value)} {value!r}"
    return None  # a Brevo type this check does not know: nothing to say


def _parse_iso_date(text: str) -> date | None:
    """``'YYYY-MM-DD'`` naming a real day, else None (fromisoformat alone takes more)."""
    if not _ISO_DATE_RE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _array_item_problem(item: object) -> str | None:
    if not isinstance(item, str):
        return f"items must be strings, got {_type_name(item)} {item!r}"
    if not item:
        return "items must not be empty"
    if (problem := text_problem(item)) is not None:
        return f"an item {problem}"
    if item != item.strip():
        return f"items must not start or end with whitespace, got {item!r}"
    return None


def encode_array(items: Iterable[str]) -> str:
    """Encode a list of strings as the text Brevo stores in an "array" attribute.

    The form: items joined by ``,``; a ``,`` or ``\\`` inside an item is escaped with a
    backslash (``\\,`` and ``\\\\``). ``()`` encodes to ``''``. Items must be non-empty
    and must not start or end with whitespace, so that :func:`decode_array` gives the
    same items back and tolerates hand-written text such as ``"Email, SMS"``.

    Args:
        items: the strings.

    Returns:
        The encoded text, e.g. ``('Email', 'SMS')`` -> ``'Email,SMS'``.

    Raises:
        ValidationError: an item is not a string, is empty, or has surrounding whitespace.
    """
    items = tuple(items)
    problems = [
        (f"[{index}]", problem)
        for index, item in enumerate(items)
        if (problem := _array_item_problem(item)) is not None
    ]
    if problems:
        raise ValidationError(problems)
    return ",".join(item.replace("\\", "\\\\").replace(",", "\\,") for item in items)


def decode_array(text: str) -> tuple[str, ...]:
    """Decode the text form of :func:`encode_array`.

    Leniently: whitespace around items and empty items are dropped (``'Email, SMS,'`` ->
    ``('Email', 'SMS')``), and a backslash not followed by ``,`` or ``\\`` is kept as is.

    Args:
        text: the stored text.

    Returns:
        The items; ``''`` gives ``()``.
    """
    items: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):  # bounded: index grows every turn
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in ",\\":
            current.append(text[index + 1])
            index += 2
            continue
        if char == ",":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    items.append("".join(current))
    stripped = (item.strip() for item in items)
    return tuple(item for item in stripped if item)

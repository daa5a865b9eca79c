"""Attribute specs, value checks against Brevo types and the array text form."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tajo_brevo import TAJO_ATTRIBUTES, AttributeSpec, ValidationError
from tajo_brevo.attributes import check_value, decode_array, encode_array

GUIDE_TABLES = {
    "LOYALTY_ID": "text",
    "LOYALTY_POINTS": "float",
    "LOYALTY_TIER": "text",
    "POINTS_EARNED_YTD": "float",
    "POINTS_REDEEMED_YTD": "float",
    "TIER_PROGRESS": "float",
    "NEXT_TIER_POINTS": "float",
    "TOTAL_SPENT": "float",
    "AVERAGE_ORDER_VALUE": "float",
    "PURCHASE_FREQUENCY": "text",
    "LAST_PURCHASE": "date",
    "FAVORITE_CATEGORIES": "text",
    "SEASONAL_BUYER": "boolean",
    "ENGAGEMENT_SCORE": "float",
    "EMAIL_OPEN_RATE": "float",
    "CLICK_THROUGH_RATE": "float",
    "LAST_EMAIL_OPENED": "date",
    "PREFERRED_CHANNEL": "text",
}
GUIDE_EXAMPLES = {
    "FIRSTNAME": "text",
    "LASTNAME": "text",
    "SMS": "text",
    "SIGNUP_DATE": "date",
    "BIRTHDAY": "date",
    "SIGNUP_SOURCE": "text",
    "REFERRAL_CODE": "text",
    "PREFERRED_REWARDS": "text",
    "COMMUNICATION_PREFERENCES": "text",
    "PURCHASE_CATEGORIES": "text",
    "RECENT_PURCHASES": "text",
    "PREFERRED_CONTACT_TIME": "text",
}


def spec(type_: str) -> AttributeSpec:
    return AttributeSpec(name="X", type=type_)  # type: ignore[arg-type]


def test_tajo_attributes_are_exactly_the_guide_attributes_with_their_types() -> None:
    assert {name: s.type for name, s in TAJO_ATTRIBUTES.items()} == GUIDE_TABLES | GUIDE_EXAMPLES
    assert all(name == s.name and s.category == "normal" for name, s in TAJO_ATTRIBUTES.items())
    assert all(s.description for s in TAJO_ATTRIBUTES.values())


def test_only_brevo_builtin_attributes_are_marked_builtin() -> None:
    assert {n for n, s in TAJO_ATTRIBUTES.items() if s.builtin} == {"FIRSTNAME", "LASTNAME", "SMS"}


def test_tajo_attributes_cannot_be_modified() -> None:
    with pytest.raises(TypeError):
        TAJO_ATTRIBUTES["NEW"] = spec("text")  # type: ignore[index]


def test_attribute_spec_refuses_bad_name_and_type_together() -> None:
    with pytest.raises(ValidationError) as info:
        AttributeSpec(name="loyalty", type="number")  # type: ignore[arg-type]
    assert [field for field, _ in info.value.errors] == ["name", "type"]


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("text", "Gold"),
        ("text", ""),
        ("float", 0),
        ("float", 299.99),
        ("float", Decimal("1.5")),
        ("date", "2024-01-15"),
        ("date", date(2024, 2, 29)),
        ("boolean", True),
        ("boolean", False),
    ],
)
def test_check_value_accepts_values_that_fit(type_: str, value: object) -> None:
    assert check_value(spec(type_), value) is None


@pytest.mark.parametrize(
    ("type_", "value", "says"),
    [
        ("text", 12, "expects text, got int"),
        ("text", True, "expects text, got bool"),
        ("text", ["a"], "expects text, got list"),
        ("float", "1500", "expects a number, got str"),
        ("float", True, "expects a number, got bool"),
        ("float", float("nan"), "finite"),
        ("float", float("inf"), "finite"),
        ("float", Decimal("sNaN"), "finite"),
        ("date", "2024-02-30", "'YYYY-MM-DD'"),
        ("date", "15-01-2024", "'YYYY-MM-DD'"),
        ("date", "20240115", "'YYYY-MM-DD'"),
        ("date", datetime(2024, 1, 15, 10), "datetime"),
        ("date", 20240115, "expects a date, got int"),
        ("boolean", "true", "expects a boolean, got str"),
        ("boolean", 1, "expects a boolean, got int"),
        ("text", None, "got None"),
    ],
)
def test_check_value_explains_values_brevo_would_drop(type_: str, value: object, says: str) -> None:
    problem = check_value(spec(type_), value)
    assert problem is not None
    assert problem.startswith("X ")
    assert says in problem


def test_check_value_accepts_what_to_attributes_produces_for_tajo_attributes() -> None:
    values = {
        "LOYALTY_POINTS": 1500,
        "LOYALTY_TIER": "Gold",
        "LAST_PURCHASE": "2024-01-20",
        "SEASONAL_BUYER": False,
        "FAVORITE_CATEGORIES": "Electronics,Fashion",
    }
    assert {n: check_value(TAJO_ATTRIBUTES[n], v) for n, v in values.items()} == dict.fromkeys(
        values
    )


@pytest.mark.parametrize(
    ("items", "text"),
    [
        ((), ""),
        (("Email",), "Email"),
        (("Email", "SMS"), "Email,SMS"),
        (("a,b", "c"), "a\\,b,c"),
        (("back\\slash",), "back\\\\slash"),
        (("ends\\",), "ends\\\\"),
        (("in side", "x"), "in side,x"),
    ],
)
def test_arrays_encode_to_escaped_comma_text_and_back(items: tuple[str, ...], text: str) -> None:
    assert encode_array(items) == text
    assert decode_array(text) == items


@pytest.mark.parametrize("bad", [("",), ("ok", ""), (" padded",), ("padded ",), (1,)])
def test_encode_array_refuses_items_that_would_not_round_trip(bad: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError):
        encode_array(bad)  # type: ignore[arg-type]


def test_decode_array_is_lenient_with_hand_written_text() -> None:
    assert decode_array("Email, SMS ,") == ("Email", "SMS")
    assert decode_array(" , ") == ()
    assert decode_array("C:\\dir") == ("C:\\dir",)  # a lone backslash stays


# Control characters are refused (text_problem): not part of the round trip.
_item = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1).filter(
    lambda s: s == s.strip()
)


@given(st.lists(_item, max_size=8).map(tuple))
def test_any_valid_array_round_trips(items: tuple[str, ...]) -> None:
    assert decode_array(encode_array(items)) == items


@given(st.lists(st.sampled_from([",", "\\", "a", " a", "\\,"]), min_size=1, max_size=6))
def test_arrays_of_separators_and_escapes_round_trip(parts: list[str]) -> None:
    item = "x" + "".join(parts) + "x"
    assert decode_array(encode_array((item, item))) == (item, item)

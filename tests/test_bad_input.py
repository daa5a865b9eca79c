"""Bad input never crashes and never vanishes: a corpus of bad inputs for every public entry.

Each case is refused before anything is written, with a library error that names the
field, or (for a batch row or a list member) reported in the result while the good
items next to it still go through. The client runs against an in-process BrevoMock whose
account also has a category attribute (GENDER) and a calculated and a global attribute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from tajo_brevo import LoyaltyProfile, TajoBrevo, Tier, ValidationError
from tajo_brevo.mock import BrevoMock

GOOD = {"email": "good@example.com", "loyalty_id": "L1", "loyalty_points": 10}
SURROGATE = "\ud800"


@pytest.fixture(scope="module")
def account() -> Iterator[tuple[BrevoMock, TajoBrevo]]:
    mock = BrevoMock()
    brevo = TajoBrevo(
        api_key=mock.api_key,
        base_url="http://127.0.0.1/v3",
        transport=mock.transport(),
        rate_limit="auto",
    )
    with brevo:
        brevo.provision()
        http = brevo.generated.get_httpx_client()
        enumeration = [{"value": 1, "label": "Male"}, {"value": 2, "label": "Female"}]
        for path, body in [
            ("/contacts/attributes/category/GENDER", {"enumeration": enumeration}),
            ("/contacts/attributes/calculated/CALC", {"value": "COUNT[X]", "type": "float"}),
            ("/contacts/attributes/global/GLOB", {"value": "1", "type": "text"}),
            ("/contacts/attributes/normal/X_TEXT", {"type": "text"}),
            ("/contacts/attributes/normal/X_NUM", {"type": "float"}),
        ]:
            assert http.post(path, json=body).status_code == 201, path
        brevo.refresh_attributes()
        yield mock, brevo


def profile(**changes: Any) -> LoyaltyProfile:
    return LoyaltyProfile(**{**GOOD, **changes})


# --- values of a profile field: refused by LoyaltyProfile and reported as a batch row --

FIELD_CASES: list[tuple[str, str, object]] = [
    # emails Brevo refuses or that cannot be sent
    ("email-non-ascii-local", "email", "adä@example.com"),
    ("email-semicolon", "email", "a;b@example.com"),
    ("email-comma", "email", "a,b@example.com"),
    ("email-zero-width-space", "email", "a\u200b@example.com"),
    ("email-lone-surrogate", "email", f"a{SURROGATE}@example.com"),
    ("email-space-inside", "email", "a b@example.com"),
    ("email-quoted-local", "email", '"a"@example.com'),
    ("email-no-local", "email", "@example.com"),
    ("email-no-domain", "email", "ada@"),
    ("email-two-ats", "email", "ada@@example.com"),
    ("email-no-tld", "email", "ada@example"),
    ("email-double-dot", "email", "a..b@example.com"),
    ("email-leading-dot", "email", ".ada@example.com"),
    ("email-local-too-long", "email", "x" * 65 + "@example.com"),
    ("email-too-long", "email", "a@" + "b" * 250 + ".com"),
    ("email-empty", "email", ""),
    ("email-blank", "email", "   "),
    ("email-nul", "email", "ada@example.com\x00"),
    ("email-non-ascii-domain", "email", "ada@exämple.com"),
    # text
    ("text-lone-surrogate", "first_name", SURROGATE),
    ("text-trailing-surrogate", "first_name", "Ada\udfff"),
    ("text-10-mb", "first_name", "x" * 10_000_000),
    ("text-over-limit", "first_name", "x" * 65_536),
    ("text-nul", "first_name", "Ada\x00"),
    ("text-escape-char", "first_name", "Ada\x1b"),
    ("text-blank", "first_name", "   "),
    ("text-empty", "first_name", ""),
    ("text-surrogate-in-id", "loyalty_id", f"L{SURROGATE}"),
    # numbers
    ("points-10-pow-400", "loyalty_points", 10**400),
    ("points-2-pow-53-plus-1", "loyalty_points", 2**53 + 1),
    ("points-negative", "loyalty_points", -1),
    ("points-nan", "loyalty_points", float("nan")),
    ("points-infinity", "loyalty_points", float("inf")),
    ("points-decimal-overflow", "loyalty_points", Decimal("1e400")),
    ("points-decimal-nan", "loyalty_points", Decimal("NaN")),
    ("spent-huge-negative", "total_spent", -(2**53) - 1),
    ("score-out-of-range", "engagement_score", 11),
    ("percent-out-of-range", "tier_progress", 100.5),
    # dates, arrays, sms, enums
    ("date-impossible", "last_purchase", "2024-02-30"),
    ("date-words", "last_purchase", "yesterday"),
    ("array-surrogate-item", "favorite_categories", ("shoes", SURROGATE)),
    ("array-empty-item", "favorite_categories", ("shoes", "")),
    ("sms-too-short", "sms", "12"),
    ("sms-spaces", "sms", "+33 6 12"),
    ("tier-unknown", "loyalty_tier", "Diamond"),
    ("channel-unknown", "preferred_channel", "Pigeon"),
]
# Values a Python caller can pass but a CSV/dict row of strings cannot.
OBJECT_ONLY_CASES: list[tuple[str, str, object]] = [
    ("email-none", "email", None),
    ("email-int", "email", 123),
    ("text-int", "first_name", 123),
    ("text-bytes", "first_name", b"Ada"),
    ("points-bool", "loyalty_points", True),
    ("points-string", "loyalty_points", "100"),
    ("date-datetime", "last_purchase", dt.datetime(2024, 1, 1, 12)),
    ("array-one-string", "favorite_categories", "shoes,bags"),
]


@pytest.mark.parametrize(
    ("field", "value"),
    [pytest.param(f, v, id=i) for i, f, v in FIELD_CASES + OBJECT_ONLY_CASES],
)
def test_a_bad_field_value_is_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        profile(**{field: value})
    assert field in [where for where, _ in raised.value.errors]


def _as_cell(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


# In a row of strings an empty cell, and an empty array item, mean "not set".
ROW_EXEMPT = {"text-blank", "text-empty", "array-empty-item"}


@pytest.mark.parametrize(
    ("case", "field", "value"),
    [pytest.param(i, f, v, id=i) for i, f, v in FIELD_CASES if i not in ROW_EXEMPT],
)
def test_a_bad_batch_row_is_reported_and_the_good_row_still_goes(
    account: tuple[BrevoMock, TajoBrevo], case: str, field: str, value: object
) -> None:
    mock, brevo = account
    bad = {**{k: str(v) for k, v in GOOD.items()}, "email": f"bad-{case}@example.com"}
    bad[field] = _as_cell(value)
    # Another customer: its own email and LOYALTY_ID (two rows sharing one are both refused).
    good = {**GOOD, "email": f"ok-{case}@example.com", "loyalty_id": "L2"}
    result = brevo.upsert_customers([bad, good], import_threshold=1000)
    bad_outcome, good_outcome = result.outcomes
    assert bad_outcome.status == "invalid"
    assert field in (bad_outcome.reason or "")
    assert good_outcome.status in ("created", "updated")
    assert mock.state.contact_by_email(f"bad-{case}@example.com") is None


# --- extra attributes against the account ------------------------------------------------

EXTRA_CASES: list[tuple[str, dict[str, object], str]] = [
    ("category-unknown-label", {"GENDER": "X"}, "GENDER"),
    ("category-unknown-value", {"GENDER": 3}, "GENDER"),
    ("category-bool", {"GENDER": True}, "GENDER"),
    ("category-label-wrong-case", {"GENDER": "male"}, "GENDER"),
    ("calculated-target", {"CALC": 1}, "CALC"),
    ("global-target", {"GLOB": "x"}, "GLOB"),
    ("unknown-attribute", {"NOT_IN_ACCOUNT": "x"}, "NOT_IN_ACCOUNT"),
    ("text-attribute-gets-number", {"X_TEXT": 5}, "X_TEXT"),
    ("number-attribute-gets-text", {"X_NUM": "five"}, "X_NUM"),
    ("number-attribute-gets-bool", {"X_NUM": True}, "X_NUM"),
    ("extra-surrogate", {"X_TEXT": SURROGATE}, "X_TEXT"),
    ("extra-10-pow-400", {"X_NUM": 10**400}, "X_NUM"),
    ("extra-2-pow-53-plus-1", {"X_NUM": 2**53 + 1}, "X_NUM"),
    ("extra-list-value", {"X_TEXT": ["a"]}, "X_TEXT"),
    ("extra-none-value", {"X_TEXT": None}, "X_TEXT"),
    ("extra-lower-case-name", {"lower": "x"}, "lower"),
    ("extra-email-name", {"EMAIL": "x@example.com"}, "EMAIL"),
    ("extra-typed-name", {"LOYALTY_POINTS": 5}, "LOYALTY_POINTS"),
]


@pytest.mark.parametrize(("extra", "name"), [pytest.param(e, n, id=i) for i, e, n in EXTRA_CASES])
def test_an_extra_value_brevo_would_refuse_or_drop_is_refused_before_sending(
    account: tuple[BrevoMock, TajoBrevo], extra: dict[str, object], name: str
) -> None:
    mock, brevo = account
    before = len(mock.requests)
    with pytest.raises(ValidationError) as raised:
        brevo.upsert_customer(profile(email="extra@example.com", extra=extra))
    assert any(name in where for where, _ in raised.value.errors)
    assert [ex.method for ex in mock.requests[before:]] == []


def test_a_category_value_or_label_from_the_enumeration_is_accepted(
    account: tuple[BrevoMock, TajoBrevo],
) -> None:
    _, brevo = account
    brevo.upsert_customer(profile(email="cat1@example.com", extra={"GENDER": 1}))
    brevo.upsert_customer(profile(email="cat2@example.com", extra={"GENDER": "Female"}))
    assert brevo.get_customer("cat1@example.com").extra["GENDER"] == 1
    assert brevo.get_customer("cat2@example.com").extra["GENDER"] == 2


# --- arguments of the client's methods -------------------------------------------------

Call = Callable[[TajoBrevo], object]
CALL_CASES: list[tuple[str, Call, str]] = [
    ("rows-none", lambda b: b.upsert_customers(None), "rows"),  # type: ignore[arg-type]
    ("rows-string", lambda b: b.upsert_customers("rows.csv"), "rows"),  # type: ignore[arg-type]
    ("rows-one-dict", lambda b: b.upsert_customers(GOOD), "rows"),  # type: ignore[arg-type]
    ("rows-int", lambda b: b.upsert_customers(5), "rows"),  # type: ignore[arg-type]
    (
        "threshold-none",
        lambda b: b.upsert_customers([GOOD], import_threshold=None),  # type: ignore[arg-type]
        "import_threshold",
    ),
    (
        "max-bytes-string",
        lambda b: b.upsert_customers([GOOD], max_import_bytes="big"),  # type: ignore[arg-type]
        "max_import_bytes",
    ),
    (
        "progress-not-callable",
        lambda b: b.upsert_customers([GOOD], progress=5),  # type: ignore[arg-type]
        "progress",
    ),
    (
        "list-ids-none",
        lambda b: b.upsert_customer(profile(), list_ids=None),  # type: ignore[arg-type]
        "list_ids",
    ),
    ("list-ids-zero", lambda b: b.upsert_customer(profile(), list_ids=[0]), "list_ids"),
    (
        "list-ids-strings",
        lambda b: b.upsert_customer(profile(), list_ids=["3"]),  # type: ignore[list-item]
        "list_ids",
    ),
    (
        "list-ids-one-string",
        lambda b: b.upsert_customer(profile(), list_ids="3"),  # type: ignore[arg-type]
        "list_ids",
    ),
    (
        "create-list-ids-none",
        lambda b: b.create_customer(profile(), list_ids=None),  # type: ignore[arg-type]
        "list_ids",
    ),
    ("profile-a-dict", lambda b: b.upsert_customer(GOOD), "profile"),  # type: ignore[arg-type]
    ("profile-none", lambda b: b.create_customer(None), "profile"),  # type: ignore[arg-type]
    (
        "profile-without-points",
        lambda b: b.upsert_customer(LoyaltyProfile(email="p@example.com", loyalty_id="L")),
        "loyalty_points",
    ),
    ("get-none", lambda b: b.get_customer(None), "identifier"),  # type: ignore[arg-type]
    ("get-surrogate", lambda b: b.get_customer(f"a{SURROGATE}@example.com"), "identifier"),
    ("get-zero-id", lambda b: b.get_customer(0), "identifier"),
    ("get-bool", lambda b: b.get_customer(True), "identifier"),
    ("get-blank", lambda b: b.get_customer("  "), "identifier"),
    ("get-bad-email", lambda b: b.get_customer("a;b@example.com"), "identifier"),
    ("get-huge-id", lambda b: b.get_customer(2**64), "identifier"),
    ("delete-bad-email", lambda b: b.delete_customer("a,b@example.com"), "identifier"),
    ("delete-negative-id", lambda b: b.delete_customer(-3, hard=True), "identifier"),
    ("add-list-zero", lambda b: b.add_to_list(0, emails=[GOOD["email"]]), "list_id"),
    ("add-emails-none", lambda b: b.add_to_list(1, emails=None), "emails"),  # type: ignore[arg-type]
    ("add-emails-string", lambda b: b.add_to_list(1, emails="a@example.com"), "emails"),
    ("add-ids-none", lambda b: b.add_to_list(1, ids=None), "ids"),  # type: ignore[arg-type]
    ("add-ids-negative", lambda b: b.add_to_list(1, ids=[-1]), "ids"),
    ("remove-ids-bool", lambda b: b.remove_from_list(1, ids=[True]), "ids"),
    ("pages-none", lambda b: list(b.iter_contacts(page_size=None)), "page_size"),  # type: ignore[arg-type]
    ("pages-zero", lambda b: list(b.iter_contacts(page_size=0)), "page_size"),
    (
        "since-a-string",
        lambda b: list(b.iter_contacts(modified_since="2024-01-01")),  # type: ignore[arg-type]
        "modified_since",
    ),
    ("list-pages-string", lambda b: list(b.iter_lists(page_size="x")), "page_size"),  # type: ignore[arg-type]
    ("folder-pages-float", lambda b: list(b.iter_folders(page_size=2.5)), "page_size"),  # type: ignore[arg-type]
    ("program-surrogate", lambda b: b.provision(f"Tajo{SURROGATE}"), "program"),
    ("program-empty", lambda b: b.provision(""), "program"),
    ("program-none", lambda b: b.provision(None), "program"),  # type: ignore[arg-type]
    ("program-huge", lambda b: b.provision("x" * 1000), "program"),
    ("policy-a-string", lambda b: b.provision("Tajo", policy="gold"), "policy"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("call", "field"), [pytest.param(c, f, id=i) for i, c, f in CALL_CASES])
def test_a_bad_argument_is_refused_naming_it_before_anything_is_sent(
    account: tuple[BrevoMock, TajoBrevo], call: Call, field: str
) -> None:
    mock, brevo = account
    before = len(mock.requests)
    with pytest.raises(ValidationError) as raised:
        call(brevo)
    assert field in [where for where, _ in raised.value.errors]
    writes = [ex for ex in mock.requests[before:] if ex.method != "GET"]
    assert writes == []


def test_bad_members_are_reported_and_the_good_one_is_still_added(
    account: tuple[BrevoMock, TajoBrevo],
) -> None:
    _, brevo = account
    brevo.upsert_customer(profile(email="member@example.com"))  # a Bronze customer
    assert brevo.provisioning is not None
    platinum = brevo.provisioning.tier_lists[Tier.PLATINUM]
    items = ["bad", "a;b@example.com", " member@example.com "]
    result = brevo.add_to_list(platinum, emails=items)
    # Before: "bad" made Brevo refuse the good address too.
    assert result.success == ("member@example.com",)
    assert [item for item, _ in result.rejected] == ["bad", "a;b@example.com"]
    assert all(reason.startswith("emails[") for _, reason in result.rejected)


@pytest.mark.parametrize(
    ("call", "where"),
    [
        pytest.param(
            lambda b, i: b.add_to_list(i, [None, 123]), "members[0]", id="positional-none"
        ),
        pytest.param(
            lambda b, i: b.add_to_list(i, emails=[None, 123]), "emails[0]", id="emails-not-str"
        ),
        pytest.param(
            lambda b, i: b.add_to_list(i, ["a@example.com", 1.5]), "members[1]", id="float"
        ),
        pytest.param(lambda b, i: b.add_to_list(i, [True]), "members[0]", id="bool"),
        pytest.param(lambda b, i: b.remove_from_list(i, ["  "]), "members[0]", id="blank"),
        pytest.param(lambda b, i: b.remove_from_list(i, emails=[""]), "emails[0]", id="empty"),
        pytest.param(lambda b, i: b.add_to_list(i, [2**63]), "members[0]", id="id-too-big"),
        pytest.param(
            lambda b, i: b.add_to_list(i, process_timeout=-1), "process_timeout", id="timeout"
        ),
    ],
)
def test_a_member_of_the_wrong_type_is_refused_before_any_request(
    account: tuple[BrevoMock, TajoBrevo], call: Callable[[TajoBrevo, int], object], where: str
) -> None:
    mock, brevo = account
    brevo.provision()
    assert brevo.provisioning is not None
    list_id = brevo.provisioning.all_customers_list_id
    before = len(mock.requests)
    with pytest.raises(ValidationError) as raised:
        call(brevo, list_id)
    assert where in [field for field, _ in raised.value.errors]
    assert len(mock.requests) == before  # not one request, reads included


def test_the_corpus_has_at_least_60_bad_inputs() -> None:
    total = len(FIELD_CASES) + len(OBJECT_ONLY_CASES) + len(EXTRA_CASES) + len(CALL_CASES) + 1
    assert total >= 60


def test_text_is_normalised_the_same_way_per_contact_and_by_import() -> None:
    # Surrounding spaces go on every path: the per-contact upsert and the CSV import.
    assert profile(first_name="  Ada  ").first_name == "Ada"
    row = {**GOOD, "email": "  spaced@example.com ", "first_name": "  Ada  "}
    assert LoyaltyProfile.from_row({k: str(v) for k, v in row.items()}).first_name == "Ada"

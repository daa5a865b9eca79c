"""The integration guide's scenarios, end to end against the stateful mock, sync and async."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _scenario_support import Driver
from tajo_brevo import (
    DuplicateContactError,
    InvalidParameterError,
    LoyaltyProfile,
    ProvisionResult,
    Tier,
)
from tajo_brevo.mock import BrevoMock


@pytest.fixture(params=["sync", "async"])
def brevo(request: pytest.FixtureRequest) -> Iterator[Driver]:
    driver = Driver(request.param, BrevoMock())
    yield driver
    driver.close()


@pytest.fixture
def program(brevo: Driver) -> ProvisionResult:
    result: ProvisionResult = brevo.provision()
    brevo.mock.clear_requests()
    return result


def lists_of(brevo: Driver, email: str) -> set[int]:
    contact = brevo.mock.state.contact_by_email(email)
    assert contact is not None, f"{email} is not in the mock"
    return set(contact.list_ids)


JOHN = LoyaltyProfile(
    email="john.doe@example.com",
    first_name="John",
    last_name="Doe",
    loyalty_id="LYL-2024-000",
    loyalty_points=1500,
    loyalty_tier=Tier.GOLD,
    signup_date="2024-01-15",
    last_purchase="2024-01-20",
    total_spent=299.99,
)

SARAH = LoyaltyProfile(
    email="sarah.johnson@example.com",
    first_name="Sarah",
    last_name="Johnson",
    sms="+1234567890",
    loyalty_id="LYL-2024-001",
    loyalty_points=0,
    loyalty_tier=Tier.BRONZE,
    preferred_rewards="Discounts",
    birthday="1990-05-15",
    signup_source="Website",
    referral_code="REF-12345",
    communication_preferences=("Email", "SMS"),
    purchase_categories=("Electronics", "Fashion"),
    average_order_value=0,
)


def test_provisioning_creates_attributes_folder_and_lists_once(brevo: Driver) -> None:
    first: ProvisionResult = brevo.provision()
    state = brevo.mock.state
    assert first.changed and first.folder_created
    assert set(first.tier_lists) == set(Tier)
    names = {state.lists[i].name for i in [first.all_customers_list_id, *first.tier_lists.values()]}
    assert names == {
        "Tajo Loyalty - All customers",
        "Tajo Loyalty - Bronze",
        "Tajo Loyalty - Silver",
        "Tajo Loyalty - Gold",
        "Tajo Loyalty - Platinum",
    }
    assert state.attributes["LOYALTY_POINTS"].type == "float"
    assert state.attributes["LAST_PURCHASE"].type == "date"
    assert "FIRSTNAME" in first.attributes_builtin

    brevo.mock.clear_requests()
    second: ProvisionResult = brevo.provision()
    assert brevo.writes() == []  # the second run only reads
    assert not second.changed
    assert second.tier_lists == first.tier_lists
    assert second.all_customers_list_id == first.all_customers_list_id
    assert set(second.attributes_present) == set(first.attributes_created)


def test_john_basic_upsert(brevo: Driver, program: ProvisionResult) -> None:
    result = brevo.upsert_customer(JOHN)
    assert result.created is True and isinstance(result.contact_id, int)
    assert result.tier is Tier.GOLD
    contact = brevo.mock.state.contact_by_email(JOHN.email)
    assert contact is not None and contact.id == result.contact_id
    # Everything the guide sends was stored: nothing silently dropped.
    assert contact.attributes == {
        "FIRSTNAME": "John",
        "LASTNAME": "Doe",
        "LOYALTY_ID": "LYL-2024-000",
        "LOYALTY_POINTS": 1500,
        "LOYALTY_TIER": "Gold",
        "SIGNUP_DATE": "2024-01-15",
        "LAST_PURCHASE": "2024-01-20",
        "TOTAL_SPENT": 299.99,
    }
    assert lists_of(brevo, JOHN.email) == {
        program.all_customers_list_id,
        program.tier_lists[Tier.GOLD],
    }
    # New customer: a PUT that finds nobody, then the create.
    assert len(brevo.writes()) == 2


def test_sarah_new_customer_with_loyalty_attributes(
    brevo: Driver, program: ProvisionResult
) -> None:
    result = brevo.upsert_customer(SARAH)
    assert result.created and result.tier is Tier.BRONZE
    contact = brevo.mock.state.contact_by_email(SARAH.email)
    assert contact is not None
    assert contact.attributes == SARAH.to_attributes()
    assert contact.attributes["SMS"] == "+1234567890"
    assert contact.attributes["PURCHASE_CATEGORIES"] == "Electronics,Fashion"
    assert contact.email_blacklisted is False and contact.sms_blacklisted is False
    assert lists_of(brevo, SARAH.email) == {
        program.all_customers_list_id,
        program.tier_lists[Tier.BRONZE],
    }
    assert brevo.get_customer(SARAH.email) == SARAH


def test_existing_customer_moves_to_platinum_and_out_of_gold(
    brevo: Driver, program: ProvisionResult
) -> None:
    brevo.upsert_customer(JOHN)
    brevo.mock.clear_requests()
    update = LoyaltyProfile(
        email="john.doe@example.com",
        loyalty_id="LYL-2024-000",
        loyalty_points=2500,
        loyalty_tier="Platinum",
        last_purchase="2024-01-25",
        total_spent=1299.99,
        recent_purchases=("Product A", "Product B"),
        engagement_score=8.5,
        last_email_opened="2024-01-24",
        preferred_contact_time="Evening",
    )
    result = brevo.upsert_customer(update)
    assert result.created is False and result.contact_id is None
    assert result.tier is Tier.PLATINUM
    assert len(brevo.writes()) == 1  # an existing customer costs one request
    members = lists_of(brevo, JOHN.email)
    assert members == {program.all_customers_list_id, program.tier_lists[Tier.PLATINUM]}
    assert program.tier_lists[Tier.GOLD] not in members
    stored = brevo.get_customer(JOHN.email)
    assert stored.loyalty_tier is Tier.PLATINUM and stored.loyalty_points == 2500
    assert stored.first_name == "John"  # untouched fields are kept
    assert stored.recent_purchases == ("Product A", "Product B")


def test_alice_and_bob_in_one_batch(brevo: Driver, program: ProvisionResult) -> None:
    rows = [
        {
            "EMAIL": "alice@example.com",
            "FIRSTNAME": "Alice",
            "LOYALTY_ID": "A-1",
            "LOYALTY_POINTS": "500",
            "LOYALTY_TIER": "Bronze",
        },
        {
            "EMAIL": "bob@example.com",
            "FIRSTNAME": "Bob",
            "LOYALTY_ID": "B-1",
            "LOYALTY_POINTS": "1200",
            "LOYALTY_TIER": "Silver",
        },
    ]
    result = brevo.upsert_customers(rows)
    assert result.mode == "upsert"
    assert [(o.email, o.status, o.tier) for o in result.outcomes] == [
        ("alice@example.com", "created", Tier.BRONZE),
        ("bob@example.com", "created", Tier.SILVER),
    ]
    assert lists_of(brevo, "alice@example.com") == {
        program.all_customers_list_id,
        program.tier_lists[Tier.BRONZE],
    }
    assert lists_of(brevo, "bob@example.com") == {
        program.all_customers_list_id,
        program.tier_lists[Tier.SILVER],
    }
    assert brevo.get_customer("bob@example.com").first_name == "Bob"


def test_alice_and_bob_through_an_import(brevo: Driver, program: ProvisionResult) -> None:
    alice = LoyaltyProfile(
        email="alice@example.com",
        first_name="Alice",
        loyalty_id="A-1",
        loyalty_points=500,
        loyalty_tier="Bronze",
    )
    bob = LoyaltyProfile(
        email="bob@example.com",
        first_name="Bob",
        loyalty_id="B-1",
        loyalty_points=1200,
        loyalty_tier="Silver",
    )
    result = brevo.upsert_customers([alice, bob], import_threshold=1)
    assert result.mode == "import" and result.counts == {"applied": 2}
    assert len(result.import_process_ids) == 2  # one import per tier
    # Brevo imports asynchronously; the mock applies them at once: read back.
    assert brevo.get_customer("alice@example.com") == alice
    assert brevo.get_customer("bob@example.com") == bob
    assert lists_of(brevo, "bob@example.com") == {
        program.all_customers_list_id,
        program.tier_lists[Tier.SILVER],
    }


def test_duplicate_contact_error(brevo: Driver, program: ProvisionResult) -> None:
    created = brevo.upsert_customer(JOHN)
    with pytest.raises(DuplicateContactError) as info:
        brevo.create_customer(JOHN)
    assert info.value.status_code == 400
    assert info.value.existing_id == created.contact_id
    assert len(brevo.mock.state.contacts) == 1


def test_invalid_list_id_error(brevo: Driver, program: ProvisionResult) -> None:
    brevo.mock.clear_requests()
    with pytest.raises(InvalidParameterError) as info:
        brevo.upsert_customer(SARAH, list_ids=[999])
    assert info.value.code == "invalid_parameter"
    assert info.value.values == [999]
    assert brevo.mock.state.contact_by_email(SARAH.email) is None  # nothing half-written

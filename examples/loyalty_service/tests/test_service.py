"""The service's logic, with an in-process client from the ``tajo_brevo`` fixture."""

import pytest
from loyalty_service import LoyaltyService
from tajo_brevo import Tier


def test_sign_up_puts_the_member_in_brevo(tajo_brevo, brevo_mock):
    service = LoyaltyService(tajo_brevo)

    service.sign_up("ada@example.com", "Ada", loyalty_id="L-1")

    assert brevo_mock.contact_attributes("ada@example.com")["FIRSTNAME"] == "Ada"
    assert brevo_mock.emails_in_list("Shop - Bronze") == {"ada@example.com"}


def test_points_move_the_member_up_a_tier(tajo_brevo, brevo_mock):
    service = LoyaltyService(tajo_brevo)
    service.sign_up("ada@example.com", "Ada", loyalty_id="L-1")
    brevo_mock.clear_requests()

    assert service.award_points("ada@example.com", 1700) is Tier.GOLD

    assert brevo_mock.contact("ada@example.com").lists == {"Shop - All customers", "Shop - Gold"}
    [update] = brevo_mock.calls("PUT", "/contacts/{identifier}")
    assert update.path == "/contacts/ada@example.com"
    assert update.body["attributes"]["LOYALTY_POINTS"] == 1700


@pytest.mark.brevo(program="Shop", contacts=["known@example.com"])
def test_a_provisioned_account_is_only_read(tajo_brevo, brevo_mock):
    service = LoyaltyService(tajo_brevo)

    service.sign_up("new@example.com", "New", loyalty_id="L-2")

    # Provisioning found everything (reads only); the sign-up is an update that finds no
    # contact (404), then a create.
    writes = [f"{c} -> {c.status}" for c in brevo_mock.calls() if c.method != "GET"]
    assert writes == ["PUT /contacts/new@example.com -> 404", "POST /contacts -> 201"]
    assert brevo_mock.has_contact("known@example.com")


@pytest.mark.brevo(faults=["createContact:status=503@0.5"], seed=1)
def test_brevo_hiccups_are_retried(tajo_brevo, brevo_mock):
    service = LoyaltyService(tajo_brevo)

    for n in range(5):
        service.sign_up(f"m{n}@example.com", "M", loyalty_id=f"L-{n}")

    assert len(brevo_mock.emails_in_list("Shop - All customers")) == 5
    assert 503 in {c.status for c in brevo_mock.calls(operation="createContact")}

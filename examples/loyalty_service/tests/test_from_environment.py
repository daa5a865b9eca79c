"""The service exactly as deployed: it builds TajoBrevo() from BREVO_API_KEY/BREVO_BASE_URL."""

import os

import pytest
from loyalty_service import LoyaltyService


@pytest.mark.brevo(program="Shop")
def test_the_deployed_configuration_talks_to_the_mock(brevo_env, brevo_mock):
    assert os.environ["BREVO_BASE_URL"] == brevo_env.base_url  # http://127.0.0.1:<port>/v3

    service = LoyaltyService()  # no test-only argument
    try:
        service.sign_up("ada@example.com", "Ada", loyalty_id="L-1")
    finally:
        service.close()

    assert brevo_mock.emails_in_list("Shop - All customers") == {"ada@example.com"}

"""The async job, with ``async_tajo_brevo`` under anyio's pytest plugin (comes with anyio)."""

import pytest
from loyalty_service import nightly_sync


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.brevo(program="Shop", rate_limit=10)
async def test_nightly_sync_pushes_every_member(async_tajo_brevo, brevo_mock, brevo_program):
    members = [(f"m{n}@example.com", f"L-{n}", n * 500) for n in range(12)]

    assert await nightly_sync(async_tajo_brevo, members) == 12

    assert len(brevo_mock.emails_in_list(brevo_program.all_customers_list_id)) == 12
    assert all(call.status != 429 for call in brevo_mock.calls())  # paced to 10/s

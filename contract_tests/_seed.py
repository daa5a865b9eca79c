"""A small account for read-only runs: a real account has data to read, so must the mock."""

from __future__ import annotations

from tajo_brevo.mock import BrevoMock


def seed_account(mock: BrevoMock) -> None:
    """Create a folder, lists, contacts in them, attributes and an import in ``mock``."""
    state = mock.state
    folder = state.create_folder("Seed")
    lists = [state.create_list(f"Seed {i}", folder) for i in range(3)]
    for i in range(6):
        status, _ = state.create_contact({"email": f"seed{i}@example.com", "listIds": lists[:2]})
        assert status == 201
    for name in ("LOYALTY_POINTS", "LOYALTY_TIER"):
        state.create_attribute("normal", name, {"type": "text"})
    # A finished import, so GET /processes/{processId} has something to read.
    state.import_contacts({"fileBody": "EMAIL\nseed-import@example.com", "listIds": lists[:1]})
    assert state.wait_for_imports(10)

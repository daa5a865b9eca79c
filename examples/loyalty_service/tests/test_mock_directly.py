"""The bare ``brevo_mock`` fixture, for code that talks HTTP to Brevo itself."""

import httpx


def test_any_http_client_can_use_the_mock(brevo_mock):
    with httpx.Client(
        transport=brevo_mock.transport(),
        base_url="http://brevo.test/v3",
        headers={"api-key": brevo_mock.api_key},
    ) as http:
        assert http.post("/contacts", json={"email": "ada@example.com"}).status_code == 201

    assert brevo_mock.has_contact("ada@example.com")
    assert [str(call) for call in brevo_mock.calls()] == ["POST /contacts"]

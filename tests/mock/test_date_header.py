"""Every answer of the mock carries a Date header on the account's clock (as production's
HTTP servers do): a client measures "modified since" on it, never on its own clock."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tajo_brevo.mock import BrevoMock


def test_every_answer_says_when_on_the_mocks_clock() -> None:
    moment = datetime(2031, 5, 6, 7, 8, 9, 500_000, tzinfo=UTC)
    mock = BrevoMock(now=lambda: moment)
    with mock.client() as http:
        created = http.post("/contacts", json={"email": "a@example.com"})
        missing = http.get("/contacts/nobody@example.com")
        listed = http.get("/contacts", params={"modifiedSince": "2031-05-06T07:08:09Z"})
    for answer in (created, missing, listed):
        assert parsedate_to_datetime(answer.headers["date"]) == moment.replace(microsecond=0)
    # The contact's modifiedAt is on the same clock: a read from the Date finds it.
    assert [c["email"] for c in listed.json()["contacts"]] == ["a@example.com"]


def test_a_served_mock_sends_one_date_header() -> None:
    mock = BrevoMock()
    with mock.serve() as server:
        answer = httpx.get(server.base_url + "/contacts", headers={"api-key": mock.api_key})
    assert len(answer.headers.get_list("date")) == 1
    assert parsedate_to_datetime(answer.headers["date"]).tzinfo is not None

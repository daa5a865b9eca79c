"""Rate limits (injectable clock) and seeded faults: 5xx, latency, dropped connections."""

from __future__ import annotations

import time

import httpx
import pytest
from tajo_brevo.mock import RATE_LIMIT_TIERS, BrevoMock, Fault


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(response: httpx.Response) -> tuple[int, int, int]:
    h = response.headers
    return (
        int(h["x-sib-ratelimit-limit"]),
        int(h["x-sib-ratelimit-remaining"]),
        int(h["x-sib-ratelimit-reset"]),
    )


def test_rate_limit_is_off_by_default_but_headers_are_always_sent(http: httpx.Client) -> None:
    for _ in range(30):
        response = http.get("/contacts")
        assert response.status_code == 200
        limit, remaining, reset = limits(response)
        assert limit == remaining and limit >= 1_000_000 and reset == 1


def test_tier_presets() -> None:
    assert RATE_LIMIT_TIERS == {"general": 10, "professional": 20, "enterprise": 60}
    mock = BrevoMock(rate_limit="enterprise", clock=FakeClock())
    with mock.client() as http:
        assert limits(http.get("/contacts"))[:2] == (60, 59)
    with pytest.raises(ValueError, match="general"):
        BrevoMock(rate_limit="platinum")
    with pytest.raises(ValueError, match="at least 1"):
        BrevoMock(rate_limit=0)


def test_over_the_budget_is_429_until_the_window_resets() -> None:
    clock = FakeClock()
    mock = BrevoMock(rate_limit=RATE_LIMIT_TIERS["general"], clock=clock)
    with mock.client() as http:
        seen = [limits(http.get("/contacts")) for _ in range(10)]
        assert [remaining for _, remaining, _ in seen] == list(range(9, -1, -1))
        clock.now += 0.4
        refused = http.post("/contacts", json={"email": "ada@example.com"})
        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_requests"
        assert limits(refused) == (10, 0, 1)
        assert mock.state.contacts == {}  # refused before anything happened
        clock.now += 0.6
        again = http.post("/contacts", json={"email": "ada@example.com"})
        assert again.status_code == 201
        assert limits(again) == (10, 9, 1)
    assert mock.response_problems() == []  # 429 is documented on every operation


def test_unauthenticated_requests_dont_spend_the_budget() -> None:
    mock = BrevoMock(rate_limit=2, clock=FakeClock())
    with mock.client(headers={"api-key": "wrong"}) as stranger:
        for _ in range(5):
            assert stranger.get("/contacts").status_code == 401
    with mock.client() as http:
        assert http.get("/contacts").status_code == 200


def test_status_faults_are_seeded_and_per_operation() -> None:
    def run(seed: int) -> list[int]:
        mock = BrevoMock(faults=[Fault("status", "listContacts", 0.5, status=503)], seed=seed)
        with mock.client() as http:
            statuses = [http.get("/contacts").status_code for _ in range(40)]
            assert all(http.get("/contacts/lists").status_code == 200 for _ in range(20))
            failed = next(r for r in mock.requests if r.status == 503)
            assert failed.json()["code"] == "internal_error"
            assert "x-sib-ratelimit-limit" in failed.response_headers
        return statuses

    first = run(7)
    assert first == run(7)
    assert set(first) == {200, 503}
    assert first != run(8)


def test_latency_faults_delay_the_answer() -> None:
    mock = BrevoMock(faults=[Fault("latency", seconds=0.2)])
    with mock.client() as http:
        started = time.monotonic()
        assert http.get("/contacts").status_code == 200
        assert time.monotonic() - started >= 0.2


def test_dropped_connections_in_process_and_over_http() -> None:
    mock = BrevoMock(faults=[Fault("drop", "createContact")])
    with mock.client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/contacts", json={"email": "ada@example.com"})
        assert http.get("/contacts").status_code == 200
    with mock.serve() as server, pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.post(
            server.base_url + "/contacts",
            json={"email": "ada@example.com"},
            headers={"api-key": mock.api_key},
            timeout=5,
        )
    assert [r.status for r in mock.requests if r.operation_id == "createContact"] == [None, None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status=503", Fault("status", status=503)),
        ("createContact:drop@0.1", Fault("drop", "createContact", 0.1)),
        ("latency=0.25@0.5", Fault("latency", probability=0.5, seconds=0.25)),
        ("status", Fault("status", status=503)),
    ],
)
def test_fault_rules_parse(text: str, expected: Fault) -> None:
    assert Fault.parse(text) == expected
    assert Fault.parse(expected.describe()) == expected


@pytest.mark.parametrize(
    "text", ["status=404", "latency=0", "latency=x", "drop@2", "boom", "drop=1", "status=503@x"]
)
def test_bad_fault_rules_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"fault|latency|status|probability"):
        Fault.parse(text)


def test_faults_must_name_spec_operations() -> None:
    with pytest.raises(ValueError, match="operationId"):
        BrevoMock(faults=[Fault("drop", "createContacts")])


def test_the_mock_knows_the_same_plans_as_the_client() -> None:
    from tajo_brevo._config import PlanRate
    from tajo_brevo.mock import RATE_LIMIT_TIERS

    assert {plan.name.lower(): int(plan) for plan in PlanRate} == RATE_LIMIT_TIERS

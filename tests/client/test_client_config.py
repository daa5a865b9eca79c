"""Client configuration: argument > environment > default, failing fast and clearly."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from _client_support import BASE, KEY
from brevo_contacts import AuthenticatedClient
from brevo_contacts.api.contact_attributes import list_contact_attributes
from tajo_brevo import AsyncTajoBrevo, ConfigurationError, PlanRate, TajoBrevo


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BREVO_API_KEY", raising=False)
    monkeypatch.delenv("BREVO_BASE_URL", raising=False)
    monkeypatch.delenv("BREVO_RATE_LIMIT", raising=False)


def test_missing_key_fails_fast_and_says_what_to_set() -> None:
    with pytest.raises(ConfigurationError, match="BREVO_API_KEY") as info:
        TajoBrevo()
    assert "api_key=" in str(info.value)


def test_blank_key_is_missing() -> None:
    with pytest.raises(ConfigurationError, match="BREVO_API_KEY"):
        TajoBrevo(api_key="   ")


def test_key_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREVO_API_KEY", "env-key")
    monkeypatch.setenv("BREVO_BASE_URL", "http://127.0.0.1:8080/v3/")
    with TajoBrevo() as client, respx.mock(base_url="http://127.0.0.1:8080/v3") as router:
        route = router.get("/contacts/attributes").respond(200, json={"attributes": []})
        client.refresh_attributes()
    assert client.base_url == "http://127.0.0.1:8080/v3"
    assert route.calls.last.request.headers["api-key"] == "env-key"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREVO_API_KEY", "env-key")
    monkeypatch.setenv("BREVO_BASE_URL", "https://env.example/v3")
    with (
        TajoBrevo(api_key="arg-key", base_url=BASE) as client,
        respx.mock(base_url=BASE) as router,
    ):
        route = router.get("/contacts/attributes").respond(200, json={"attributes": []})
        client.refresh_attributes()
    assert route.calls.last.request.headers["api-key"] == "arg-key"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("auto", "rate_limit=auto"),
        (" AUTO ", "rate_limit=auto"),
        ("20", "rate_limit=20"),
        ("professional", "rate_limit=20,"),
        ("Enterprise", "rate_limit=60,"),
        ("general", "rate_limit=10,"),
    ],
)
def test_rate_limit_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, shown: str
) -> None:
    monkeypatch.setenv("BREVO_RATE_LIMIT", value)
    assert shown in repr(TajoBrevo(api_key=KEY))
    assert shown in repr(AsyncTajoBrevo(api_key=KEY))


def test_rate_limit_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREVO_RATE_LIMIT", "auto")
    assert "rate_limit=50" in repr(TajoBrevo(api_key=KEY, rate_limit=50))


def test_no_rate_limit_anywhere_is_the_general_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREVO_RATE_LIMIT", "")
    assert "rate_limit=10" in repr(TajoBrevo(api_key=KEY))


@pytest.mark.parametrize("value", ["fast", "0", "-5", "inf", "nan"])
def test_a_bad_rate_limit_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BREVO_RATE_LIMIT", value)
    with pytest.raises(ConfigurationError, match=r"\$BREVO_RATE_LIMIT"):
        TajoBrevo(api_key=KEY)


def test_default_base_url_is_brevo_v3() -> None:
    assert TajoBrevo(api_key=KEY).base_url == "https://api.brevo.com/v3"


@pytest.mark.parametrize(
    "url",
    ["http://api.brevo.com/v3", "http://10.0.0.5/v3", "http://example.com", "http://0.0.0.0/v3"],
)
def test_plain_http_is_refused_for_non_loopback_hosts(url: str) -> None:
    with pytest.raises(ConfigurationError, match="plain http"):
        TajoBrevo(api_key=KEY, base_url=url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/v3", "http://localhost:9/v3", "http://[::1]:9/v3", "http://127.8.0.1"],
)
def test_plain_http_is_accepted_on_loopback(url: str) -> None:
    assert TajoBrevo(api_key=KEY, base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["ftp://api.brevo.com", "api.brevo.com/v3", "https://user:pw@api.brevo.com/v3"]
)
def test_malformed_base_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        TajoBrevo(api_key=KEY, base_url=url)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"rate_limit": 0}, "rate_limit"),
        ({"rate_limit": float("inf")}, "rate_limit"),
        ({"rate_limit": "fast"}, "rate_limit"),
        ({"rate_limit": True}, "rate_limit"),
        ({"max_rate_limit_wait": -1}, "max_rate_limit_wait"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], word: str) -> None:
    with pytest.raises(ConfigurationError, match=word):
        TajoBrevo(api_key=KEY, **kwargs)  # type: ignore[arg-type]


def test_rate_limit_presets_match_brevo_plans() -> None:
    assert (PlanRate.GENERAL, PlanRate.PROFESSIONAL, PlanRate.ENTERPRISE) == (10, 20, 60)
    assert "rate_limit=20" in repr(TajoBrevo(api_key=KEY, rate_limit=PlanRate.PROFESSIONAL))


def test_auto_rate_limit_follows_only_brevos_headers() -> None:
    # rate_limit="auto": no client-side rate; against a server announcing no limit (the
    # mock's default) a burst goes out without a single wait.
    from tajo_brevo.mock import BrevoMock

    mock = BrevoMock()
    waits: list[float] = []
    client = TajoBrevo(
        api_key=mock.api_key,
        base_url="http://127.0.0.1:1/v3",
        rate_limit="auto",
        http_client=mock.client(),
        sleep=waits.append,
    )
    assert "rate_limit=auto" in repr(client)
    with client:
        for _ in range(50):
            client.refresh_attributes()
    assert waits == [] and client.stats.requests == 50


def test_config_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        TajoBrevo(KEY)  # type: ignore[misc]


def test_context_manager_closes_the_connection() -> None:
    with TajoBrevo(api_key=KEY) as client:
        http = client.generated.get_httpx_client()
        assert not http.is_closed
    assert http.is_closed


def test_async_context_manager_closes_the_connection() -> None:
    async def run() -> httpx.AsyncClient:
        async with AsyncTajoBrevo(api_key=KEY) as client:
            http = client.generated.get_async_httpx_client()
            assert not http.is_closed
        return http

    assert asyncio.run(run()).is_closed


def test_a_callers_http_client_is_used_and_left_open() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"attributes": []})

    own = httpx.Client(transport=httpx.MockTransport(handler))
    with TajoBrevo(api_key=KEY, http_client=own) as client:
        client.refresh_attributes()
    assert not own.is_closed
    assert [str(r.url) for r in seen] == [f"{BASE}/contacts/attributes"]
    assert seen[0].headers["api-key"] == KEY


def test_generated_client_is_reachable_and_paced_through_the_wrapper() -> None:
    with TajoBrevo(api_key=KEY) as client, respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(200, json={"attributes": []})
        assert isinstance(client.generated, AuthenticatedClient)
        response = list_contact_attributes.sync_detailed(client=client.generated)
        assert response.status_code == 200
        assert client.stats.requests == 1

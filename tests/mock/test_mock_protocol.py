"""Auth, validation, routing and headers: what every request goes through."""

from __future__ import annotations

import httpx
import pytest
from tajo_brevo.mock import BrevoMock

RATE_HEADERS = ("x-sib-ratelimit-limit", "x-sib-ratelimit-remaining", "x-sib-ratelimit-reset")


def test_missing_and_unknown_keys_are_401_with_brevos_bodies(mock: BrevoMock) -> None:
    with mock.client(headers={"api-key": ""}) as http:
        missing = http.get("/contacts")
    assert missing.status_code == 401
    assert missing.json() == {
        "code": "unauthorized",
        "message": "authentication not found in headers",
    }
    with mock.client(headers={"api-key": "wrong"}) as http:
        unknown = http.post("/contacts", json={"email": "ada@example.com"})
    assert unknown.status_code == 401
    assert unknown.json() == {"code": "unauthorized", "message": "Key not found"}
    assert mock.state.contacts == {}


def test_configured_keys_are_accepted_and_never_recorded_or_shown() -> None:
    mock = BrevoMock(api_keys=["key-one", "key-two"])
    for key in ("key-one", "key-two"):
        with mock.client(headers={"api-key": key}) as http:
            assert http.get("/contacts").status_code == 200
    assert all(ex.headers["api-key"] == "<redacted>" for ex in mock.requests)
    assert "key-one" not in repr(mock) and "key-one" not in repr(mock.requests)
    with pytest.raises(ValueError, match="API key"):
        BrevoMock(api_keys=[])


def test_every_response_carries_the_rate_limit_headers(http: httpx.Client, mock: BrevoMock) -> None:
    http.get("/contacts")
    http.get("/contacts/nobody@example.com")
    http.post("/contacts", content=b"{")
    http.patch("/contacts")
    http.get("http://testserver/not-the-api")
    with mock.client(headers={"api-key": "wrong"}) as other:
        other.get("/contacts")
    statuses = set()
    for exchange in mock.requests:
        statuses.add(exchange.status)
        for header in RATE_HEADERS:
            assert int(exchange.response_headers[header]) >= 0
    assert statuses == {200, 404, 400, 405, 401}


def test_unsupported_method_is_405_with_allow(http: httpx.Client) -> None:
    response = http.request("PATCH", "/contacts/lists/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PUT"
    assert response.json()["code"] == "method_not_allowed"
    assert http.request("DELETE", "/contacts/import").headers["allow"] == "POST"


def test_fixed_paths_win_over_the_identifier(http: httpx.Client) -> None:
    assert "lists" in http.get("/contacts/lists").json()
    assert "folders" in http.get("/contacts/folders").json()
    assert "attributes" in http.get("/contacts/attributes").json()
    # Encoded, "lists" is still the fixed path (as production decodes paths too).
    assert "lists" in http.get("/contacts/%6Cists").json()


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "code", "field"),
    [
        ("POST", "/contacts", {"json": {"email": "not-an-email"}}, "invalid_parameter", "email"),
        ("POST", "/contacts", {"json": {"email": "a@example.com", "listIds": ["1"]}},
         "invalid_parameter", "listIds[0]"),
        ("POST", "/contacts", {"json": {"email": "a@example.com", "listIds": [2**63]}},
         "invalid_parameter", "int64"),
        ("POST", "/contacts", {"json": ["a@example.com"]}, "invalid_parameter", "object"),
        ("POST", "/contacts", {}, "missing_parameter", "body"),
        ("POST", "/contacts", {"content": b'{"email": NaN}',
                               "headers": {"content-type": "application/json"}},
         "invalid_parameter", "JSON"),
        ("POST", "/contacts", {"content": b"email=a@example.com",
                               "headers": {"content-type": "application/x-www-form-urlencoded"}},
         "invalid_parameter", "application/json"),
        ("POST", "/contacts/lists", {"json": {"folderId": 1}}, "missing_parameter", "name"),
        ("GET", "/contacts/lists/9223372036854775808", {}, "invalid_parameter", "listId"),
        ("GET", "/contacts/lists/-1x", {}, "invalid_parameter", "listId"),
        ("GET", "/contacts", {"params": {"offset": -1}}, "invalid_parameter", "offset"),
        ("GET", "/contacts", {"params": {"modifiedSince": "yesterday"}},
         "invalid_parameter", "modifiedSince"),
        ("GET", "/contacts/a@example.com", {"params": {"startDate": "2024-13-01"}},
         "invalid_parameter", "startDate"),
        ("POST", "/contacts/attributes/weird/X", {"json": {}}, "invalid_parameter",
         "attributeCategory"),
        ("POST", "/contacts/lists/1/contacts/add", {"json": {"emails": ["x"]}},
         "invalid_parameter", "emails[0]"),
    ],
)  # fmt: skip
def test_requests_breaking_the_spec_are_400_naming_the_field(
    http: httpx.Client,
    method: str,
    path: str,
    kwargs: dict[str, object],
    code: str,
    field: str,
) -> None:
    response = http.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == code
    assert field in body["message"]


def test_oversized_bodies_are_400_not_413(http: httpx.Client) -> None:
    big = b'{"fileBody": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = http.post(
        "/contacts/import", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "10 MB" in response.json()["message"]


def test_hostile_inputs_never_give_a_500(http: httpx.Client, mock: BrevoMock) -> None:
    nasty = [
        ("POST", "/contacts", b'{"email": "a@example.com", "attributes": {"X": 1e999}}'),
        ("POST", "/contacts", b"[" * 5000 + b"]" * 5000),
        ("POST", "/contacts", b'{"email": "' + "\u00e9".encode() + b'@example.com"}'),
        ("POST", "/contacts", "\udcff".encode("utf-8", "surrogatepass")),
        ("PUT", "/contacts/%FF%FE", b"{}"),
        ("GET", "/contacts/" + "9" * 5000, b""),
        ("POST", "/contacts/import", b'{"fileBody": "EMAIL\\n\\"unclosed", "listIds": []}'),
        ("POST", "/contacts/lists/1/contacts/add", b'{"ids": [1e3]}'),
    ]
    for method, path, body in nasty:
        response = http.request(
            method, path, content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 404), (path, response.status_code, response.text)
        assert set(response.json()) <= {"code", "message", "metadata"}


def test_content_type_is_matched_like_http_says(http: httpx.Client) -> None:
    for i, content_type in enumerate(
        ("application/json", "Application/JSON", "application/json; charset=utf-8")
    ):
        response = http.post(
            "/contacts",
            content=f'{{"email": "c{i}@example.com"}}'.encode(),
            headers={"content-type": content_type},
        )
        assert response.status_code == 201, (content_type, response.text)
    missing = http.post("/contacts", content=b'{"email": "x@example.com"}')
    assert missing.status_code == 400
    assert "application/json" in missing.json()["message"]


def test_recorded_bodies_are_capped(mock: BrevoMock, http: httpx.Client) -> None:
    big = "EMAIL\n" + "".join(f"c{i}@example.com\n" for i in range(80_000))
    response = http.post(
        "/contacts/import", json={"fileBody": big, "newList": {"listName": "x", "folderId": 1}}
    )
    assert response.status_code == 400  # folder 1 does not exist
    (exchange,) = mock.requests
    assert len(exchange.body) == 1024 * 1024
    assert exchange.body_truncated


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        ("POST", "/contacts", b'{"email": "ada@example.com", '
         b'"attributes": {"FIRSTNAME": "\\ud800"}}'),
        ("POST", "/contacts", b'{"email": "ada@example.com", "attributes": {"\\udfff": "x"}}'),
        ("POST", "/contacts/folders", b'{"name": "A\\ud83d"}'),
        ("POST", "/contacts/import", b'{"jsonBody": [{"email": "a@example.com", '
         b'"attributes": {"FIRSTNAME": "\\ud800"}}], "listIds": [1]}'),
    ],
)  # fmt: skip
def test_a_lone_surrogate_escape_is_a_400_and_later_reads_still_work(
    http: httpx.Client, mock: BrevoMock, method: str, path: str, raw: bytes
) -> None:
    response = http.request(method, path, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert "surrogate" in response.json()["message"]
    assert mock.state.contacts == {} and mock.state.folders == {} and mock.state.imports == []
    assert http.get("/contacts").status_code == 200
    assert http.get("/contacts/folders").status_code == 200


def test_a_surrogate_pair_escape_is_a_character_and_is_kept(http: httpx.Client) -> None:
    raw = b'{"email": "ada@example.com", "attributes": {"FIRSTNAME": "\\ud83d\\ude00"}}'
    created = http.post("/contacts", content=raw, headers={"content-type": "application/json"})
    assert created.status_code == 201
    assert http.get("/contacts/ada@example.com").json()["attributes"]["FIRSTNAME"] == "\U0001f600"

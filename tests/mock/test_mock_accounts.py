"""Many accounts in one mock: each API key its own account (contacts, lists, attributes,
folders, processes, files) and its own rate-limit budget; unknown keys 401 as before."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _mock_support import wait_process
from tajo_brevo import cli
from tajo_brevo.mock import BrevoMock

A, B = "key-merchant-a", "key-merchant-b"


class FrozenClock:
    """A monotonic clock that moves only when told (rate-limit windows on demand)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def client(mock: BrevoMock, key: str) -> httpx.Client:
    return mock.client(headers={"api-key": key})


def fill(http: httpx.Client, name: str) -> dict[str, Any]:
    """A folder, a list, an attribute, two contacts and an import in one account."""
    folder = http.post("/contacts/folders", json={"name": f"{name} folder"}).json()["id"]
    list_id = http.post("/contacts/lists", json={"name": f"{name} list", "folderId": folder})
    created = http.post(f"/contacts/attributes/normal/{name}_POINTS", json={"type": "float"})
    assert created.status_code == 201
    for email in (f"ada@{name}.example", f"bob@{name}.example"):
        http.post("/contacts", json={"email": email, "listIds": [list_id.json()["id"]]})
    process = http.post(
        "/contacts/import",
        json={"fileBody": "EMAIL\nzed@x.example\n;bad", "listIds": [list_id.json()["id"]]},
    )
    return {"folder": folder, "list": list_id.json()["id"], "process": process.json()["processId"]}


def test_two_keys_two_isolated_accounts() -> None:
    mock = BrevoMock(accounts=[A, B])
    with client(mock, A) as a, client(mock, B) as b:
        made_a = fill(a, "ALPHA")
        # B is empty: nothing A made shows through.
        assert b.get("/contacts").json() == {"contacts": [], "count": 0}
        assert b.get("/contacts/lists").json()["count"] == 0
        assert b.get("/contacts/folders").json()["count"] == 0
        assert b.get("/processes").json()["count"] == 0
        assert b.get(f"/processes/{made_a['process']}").status_code == 404
        assert "ALPHA_POINTS" not in {
            x["name"] for x in b.get("/contacts/attributes").json()["attributes"]
        }
        assert b.get("/contacts/ada@ALPHA.example").status_code == 404

        made_b = fill(b, "BETA")
        # Ids are per account: the same small integers name different things.
        assert made_b == made_a
        assert a.get(f"/contacts/lists/{made_a['list']}").json()["name"] == "ALPHA list"
        assert b.get(f"/contacts/lists/{made_b['list']}").json()["name"] == "BETA list"
        # The imports run on each account's worker thread: read A's contacts only once
        # its import has completed (under load the worker may not have run yet).
        process_a = wait_process(a, made_a["process"])
        assert [
            c["email"] for c in a.get("/contacts", params={"sort": "asc"}).json()["contacts"]
        ] == [
            "ada@alpha.example",
            "bob@alpha.example",
            "zed@x.example",
        ]
        # Each account's process files are its own, at different URLs.
        done_b = wait_process(b, made_b["process"])
        assert process_a["status"] == done_b["status"] == "completed"
        report_a = process_a["info"]["import"]["invalid_emails"]
        report_b = done_b["info"]["import"]["invalid_emails"]
        assert report_a != report_b
        assert a.get(report_a).status_code == b.get(report_b).status_code == 200
        filter_ = {"actionForContacts": "allContacts", "listId": made_b["list"]}
        export = b.post("/contacts/export", json={"customContactFilter": filter_}).json()
        exported = wait_process(b, export["processId"])
        assert exported["status"] == "completed"
        url = exported["export_url"]
        assert "ada@beta.example" in b.get(url).text and "alpha" not in b.get(url).text
        # Deleting in B leaves A alone.
        assert b.delete(f"/contacts/lists/{made_b['list']}").status_code == 204
        assert a.get(f"/contacts/lists/{made_a['list']}").status_code == 200

    # The inspection API addresses one account; the mock's own is the first account's.
    assert [c.email for c in mock.account(B).contacts()] == [
        "ada@beta.example",
        "bob@beta.example",
        "zed@x.example",
    ]
    assert mock.account(A).list_names() == {"ALPHA list"} == mock.list_names()
    assert mock.api_key == A and mock.account(A).state is mock.state
    assert {str(c) for c in mock.account(B).calls("DELETE")} == {"DELETE /contacts/lists/1"}
    assert mock.account(A).calls("DELETE") == []
    assert [x.index for x in mock.accounts] == [0, 1]
    assert not mock.response_problems()


def test_an_unknown_key_gets_401_as_before() -> None:
    mock = BrevoMock(accounts=[A, B])
    with client(mock, "key-of-nobody") as other:
        response = other.get("/contacts")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "message": "Key not found"}
    with mock.client(headers={"api-key": ""}) as none:
        assert none.get("/contacts").json()["message"] == "authentication not found in headers"
    with pytest.raises(LookupError) as caught:
        mock.account("key-of-nobody")
    assert "key-of-nobody" not in str(caught.value)  # a key is never echoed
    assert mock.requests[0].account is None


def test_several_api_keys_still_share_one_account() -> None:
    mock = BrevoMock(api_keys=["k1", "k2"], accounts=[A])
    with client(mock, "k1") as k1, client(mock, "k2") as k2, client(mock, A) as a:
        assert k1.post("/contacts", json={"email": "ada@example.com"}).status_code == 201
        assert k2.get("/contacts/ada@example.com").status_code == 200
        assert a.get("/contacts/ada@example.com").status_code == 404
    assert mock.api_key == "k1" and len(mock.accounts) == 2
    with pytest.raises(ValueError, match="twice"):
        BrevoMock(api_keys=["k1"], accounts=["k1"])
    # The default is unchanged: one account, the default key.
    assert BrevoMock().api_key == "tajo-brevo-mock-key" and len(BrevoMock().accounts) == 1


def test_each_account_has_its_own_rate_limit_budget() -> None:
    clock = FrozenClock()
    mock = BrevoMock(accounts=[A, B], rate_limit=2, clock=clock)
    with client(mock, A) as a, client(mock, B) as b:
        assert [a.get("/contacts").status_code for _ in range(3)] == [200, 200, 429]
        # A is over its budget in this window; B's is untouched.
        first_b = b.get("/contacts")
        assert first_b.status_code == 200
        assert first_b.headers["x-sib-ratelimit-remaining"] == "1"
        assert b.get("/contacts").status_code == 200
        assert b.get("/contacts").status_code == 429
        assert a.get("/contacts").status_code == 429
        clock.now += 1.0  # a new window, for each account
        assert a.get("/contacts").status_code == b.get("/contacts").status_code == 200

        # One account's limit switched alone; the mock's switch sets every account's.
        mock.account(A).set_rate_limit(None)
        assert mock.account(A).rate_limit is None and mock.account(B).rate_limit == 2
        assert all(a.get("/contacts").status_code == 200 for _ in range(5))
        mock.set_rate_limit("general")
        assert [x.rate_limit for x in mock.accounts] == [10, 10]


def test_cli_serves_one_account_per_account_option(
    cli_mocks: list[BrevoMock], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["mock", "--port", "0", "--account", A, "--account", B]) == 0
    (mock,) = cli_mocks
    assert mock.api_key == A and len(mock.accounts) == 2
    assert mock.account(B).state is not mock.state
    out = capsys.readouterr().out
    assert "2 accounts" in out and B not in out

    cli_mocks.clear()
    assert cli.main(["mock", "--port", "0", "--api-key", "k", "--account", A]) == 0
    assert cli_mocks[0].api_key == "k" and len(cli_mocks[0].accounts) == 2
    assert "api-key k" in capsys.readouterr().out


def test_membership_process_above_is_checked_on_the_mock_and_on_a_state() -> None:
    for bad in (-1, True, 1.5, "3"):
        with pytest.raises(ValueError, match="membership_process_above"):
            BrevoMock(membership_process_above=bad)  # type: ignore[arg-type]
    mock = BrevoMock(accounts=["key-a", "key-b"], membership_process_above=3)
    assert [account.state.membership_process_above for account in mock.accounts] == [3, 3]
    state = mock.account("key-b").state
    with pytest.raises(ValueError, match="membership_process_above"):
        state.membership_process_above = -1
    assert state.membership_process_above == 3  # a refused value changes nothing
    state.membership_process_above = None
    assert state.membership_process_above is None


def test_an_option_a_mock_does_not_take_is_refused_not_passed_on_to_its_accounts() -> None:
    # sleep, notify, fetch and files_path are MockState's, not the mock's.
    for name in ("sleep", "files_path", "no_such_option"):
        with pytest.raises(TypeError, match=f"BrevoMock.*'{name}'"):
            BrevoMock(**{name: None})

"""Ways to run the mock: sync and async transports, loopback server, CLI, pytest fixture."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx
import pytest
from tajo_brevo import cli
from tajo_brevo.mock import BrevoMock

pytest_plugins = ["pytester"]


def test_sync_transport_plugs_into_any_httpx_client(mock: BrevoMock) -> None:
    with httpx.Client(
        transport=mock.transport(),
        base_url="http://brevo.invalid/v3",
        headers={"api-key": mock.api_key},
    ) as http:
        assert http.post("/contacts", json={"email": "ada@example.com"}).status_code == 201
    assert mock.state.contact_by_email("ada@example.com") is not None


def test_sync_transport_works_inside_a_running_event_loop(mock: BrevoMock) -> None:
    async def main() -> int:
        with mock.client() as http:  # a sync client used from async code
            return http.get("/contacts").status_code

    assert asyncio.run(main()) == 200


def test_async_transport(mock: BrevoMock) -> None:
    async def main() -> list[int]:
        async with mock.async_client() as http:
            created = await http.post("/contacts", json={"email": "ada@example.com"})
            got = await http.get("/contacts/ada@example.com")
            return [created.status_code, got.status_code]

    assert asyncio.run(main()) == [201, 200]


def test_recorded_requests_show_what_was_sent_and_answered(mock: BrevoMock) -> None:
    with mock.client() as http:
        http.post("/contacts", json={"email": "ada@example.com"}, params={"trace": "1"})
    (exchange,) = mock.requests
    assert exchange.operation_id == "createContact"
    assert (exchange.method, exchange.path, exchange.path_pattern) == (
        "POST",
        "/v3/contacts",
        "/contacts",
    )
    assert exchange.query == [("trace", "1")]
    assert exchange.body == b'{"email":"ada@example.com"}'
    assert exchange.status == 201 and exchange.json() == {"id": 1}
    mock.clear_requests()
    assert mock.requests == []


def test_record_limit_bounds_memory() -> None:
    mock = BrevoMock(record_limit=3)
    with mock.client() as http:
        for _ in range(5):
            http.get("/contacts")
    assert len(mock.requests) == 3


def test_serve_on_loopback_stops_by_itself(mock: BrevoMock) -> None:
    with mock.serve() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        response = httpx.get(server.base_url + "/contacts", headers={"api-key": mock.api_key})
        assert response.status_code == 200
        url = server.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/contacts", timeout=2)


def test_serve_refuses_a_taken_port(mock: BrevoMock) -> None:
    with mock.serve() as server, pytest.raises(OSError):
        mock.serve(port=server.port)


def test_cli_refuses_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["mock", "--rate-limit", "0"],
        ["mock", "--rate-limit", "lots"],
        ["mock", "--fault", "status=200"],
        ["mock", "--import-delay", "-1"],
        ["mock", "--import-delay", "soon"],
        ["mock", "--import-speed", "0"],
    ):
        assert cli.main(argv) == 2
        # One line per refusal, naming the command and the option.
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"tajo-brevo mock: argument {argv[1]}")


def test_cli_import_options_reach_the_mock(cli_mocks: list[BrevoMock]) -> None:
    argv = ["mock", "--port", "0", "--import-delay", "1.5", "--import-speed", "200"]
    assert cli.main([*argv, "--membership-process-above", "3"]) == 0
    state = cli_mocks[0].state
    assert (state.import_delay, state.import_rows_per_second) == (1.5, 200.0)
    assert state.membership_process_above == 3
    # A negative count is refused by the mock, reported like its other bad options.
    assert cli.main([*argv, "--membership-process-above", "-1"]) == 2


def test_cli_reports_a_port_it_cant_bind(mock: BrevoMock) -> None:
    with mock.serve() as server:
        result = subprocess.run(
            [sys.executable, "-m", "tajo_brevo.cli", "mock", "--port", str(server.port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    # A port in use is the caller's configuration: exit 2, one line naming the address.
    assert result.returncode == 2
    assert result.stderr == f"tajo-brevo mock: cannot serve on 127.0.0.1:{server.port}: " + (
        "Address already in use\n"
    )


def test_pytest_plugin_gives_a_fresh_mock_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_one(brevo_mock):
            with brevo_mock.client() as http:
                assert http.post("/contacts", json={"email": "a@example.com"}).status_code == 201

        def test_two(brevo_mock):
            assert brevo_mock.state.contacts == {}
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_core_package_never_imports_the_mock_extra() -> None:
    code = (
        "import sys, tajo_brevo, tajo_brevo.cli\n"
        "tajo_brevo.cli._build_parser()\n"
        "import tajo_brevo.pytest_plugin\n"
        "heavy = {'starlette', 'uvicorn', 'openapi_core', 'werkzeug', 'tajo_brevo.mock._mock'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_sync_transport_runs_no_event_loop(
    mock: BrevoMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    def no_loop(*args: object, **kwargs: object) -> None:
        raise AssertionError("the in-process transport started an event loop")

    monkeypatch.setattr(anyio, "run", no_loop)
    with mock.client() as http:
        assert http.post("/contacts", json={"email": "ada@example.com"}).status_code == 201
        assert http.get("/contacts/ada@example.com").json()["email"] == "ada@example.com"

"""Every ``tajo-brevo`` command turns an error into one line and an exit code.

``--verbose`` (accepted by every command) adds the traceback.
"""

from __future__ import annotations

import argparse
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from tajo_brevo import cli
from tajo_brevo.cli import COMMANDS, EXIT_ERROR, EXIT_INTERNAL, main
from tajo_brevo.errors import NotFoundError


@pytest.fixture
def refused_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v3"
    monkeypatch.setenv("BREVO_API_KEY", "cli-errors-key")
    monkeypatch.setenv("BREVO_BASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield url


def _demo_live() -> list[str]:
    return ["demo", "--live", "--yes-write-to-my-account", "--customers", "1"]


def test_live_demo_against_a_refused_connection_is_one_line_and_exit_1(
    refused_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_demo_live()) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [entry for entry in err.splitlines() if entry.startswith("tajo-brevo demo:")]
    assert "APIConnectionError" in line and "Connection refused" in line
    assert "--verbose" in err
    assert "cli-errors-key" not in err


def test_verbose_adds_the_traceback(refused_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*_demo_live(), "--verbose"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "APIConnectionError" in err
    # The one-line message still closes the output, where a reader looks first.
    assert err.rstrip().splitlines()[-1].startswith("tajo-brevo demo: APIConnectionError")


def _parser_of(command: str) -> argparse.ArgumentParser:
    parser = cli._build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found: argparse.ArgumentParser = sub.choices[command]
    return found


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_accepts_verbose(command: str) -> None:
    options = {
        option for action in _parser_of(command)._actions for option in action.option_strings
    }
    assert "--verbose" in options


@pytest.mark.parametrize(
    ("error", "code", "expected"),
    [
        (
            NotFoundError(
                status_code=404,
                code="document_not_found",
                message="Contact does not exist",
                method="GET",
                path="/contacts/x",
            ),
            EXIT_ERROR,
            "NotFoundError",
        ),
        (PermissionError(13, "Permission denied", "/x.xml"), EXIT_ERROR, "Permission denied"),
        (RuntimeError("boom"), EXIT_INTERNAL, "unexpected RuntimeError: boom"),
    ],
)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_error_raised_by_any_command_becomes_one_line(
    command: str,
    error: Exception,
    code: int,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def explode(_args: argparse.Namespace) -> int:
        raise error

    original = cli._build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        target = sub.choices[command]
        if command == "spec":  # a group: the handler is its sub-command's
            nested = next(a for a in target._actions if isinstance(a, argparse._SubParsersAction))
            target = nested.choices["check"]
        target.set_defaults(handler=explode)
        return parser

    monkeypatch.setattr(cli, "_build_parser", build)
    argv = [command] if command != "spec" else ["spec", "check"]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"tajo-brevo {command}: " in err and expected in err


def test_mock_on_a_port_in_use_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["mock", "--port", str(port)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"tajo-brevo mock: cannot serve on 127.0.0.1:{port}" in err


def test_contract_that_cannot_write_its_junit_file_is_one_line_and_exit_1(
    refused_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("schemathesis")
    junit = tmp_path / "missing-dir" / "junit.xml"
    argv = ["contract", "--max-examples", "1", "--operation", "listFolders", "--junit", str(junit)]
    assert main(argv) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [entry for entry in err.splitlines() if entry.startswith("tajo-brevo contract:")]
    assert "No such file or directory" in line and "junit.xml" in line

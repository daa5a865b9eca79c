"""Every ``tajo-brevo`` command speaks one voice: one stderr line, one exit-code table.

The table of wrong usages runs ``cli.main`` in this process with the real environment
variables and captured streams (main is the console script's body: it parses, runs the
handler and turns what it raises into the line and the code), against a mock served on
loopback. A few cases also run the installed console script in a subprocess.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tajo_brevo import cli
from tajo_brevo._cli_errors import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    HelpFormatter,
    describe,
)
from tajo_brevo.cli import COMMANDS, main
from tajo_brevo.errors import APIConnectionError, NotFoundError, ServerError
from tajo_brevo.mock import BrevoMock

_LEAKS = re.compile(
    r"Traceback|\b[A-Z][a-z]+[A-Z]\w*(Error|Exception)\b|PlanRate|operation_ids|api_key=|"
    r"\[Errno"
)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[BrevoMock, str]]:
    mock = BrevoMock()
    with mock.serve() as server:
        yield mock, server.base_url


#: A loopback port nobody listens on: 1 (tcpmux), never served here and outside the range
#: of free ports handed out, so no server of the suite can take it between a check and
#: the connection (a free port closed again could be reused by one).
UNREACHABLE_PORT = 1


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text("EMAIL;LOYALTY_ID;LOYALTY_POINTS\na@example.com;L1;5\n", encoding="utf-8")
    return path


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yml"
    path.write_text("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    return path


#: How the environment is set for a case: the key and the base URL.
ENVS = ("none", "ok", "no-key", "wrong-key", "unreachable", "no-v3")


def _environment(kind: str, served: tuple[BrevoMock, str]) -> dict[str, str]:
    mock, base_url = served
    key, url = mock.api_key, base_url
    if kind == "none":
        return {}
    if kind == "no-key":
        return {"BREVO_BASE_URL": url}
    if kind == "wrong-key":
        key = "not-the-key"
    if kind == "unreachable":
        url = f"http://127.0.0.1:{UNREACHABLE_PORT}/v3"
    if kind == "no-v3":
        url = url.removesuffix("/v3")
    return {"BREVO_API_KEY": key, "BREVO_BASE_URL": url}


def _set_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in ("BREVO_API_KEY", "BREVO_BASE_URL", "BREVO_RATE_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "100")


def _the_line(err: str, prog: str) -> str:
    """The one stderr line, checked: the command's prefix, no Python names, no traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    [line] = lines
    assert line.startswith(f"{prog}: "), line
    assert not _LEAKS.search(line), line
    return line


LIVE = ["demo", "--live", "--yes-write-to-my-account", "--customers", "1"]
CONTRACT = ["contract", "--max-examples", "1", "--operation", "listFolders"]

# (argv, environment, exit code, the command's prefix, what the line says)
CASES = [
    (["--bogus"], "ok", 2, "tajo-brevo", "unrecognized arguments: --bogus"),
    (["bogus"], "ok", 2, "tajo-brevo", "invalid choice: 'bogus'"),
    # sync
    (["sync", "{file}", "--bogus"], "ok", 2, "tajo-brevo sync", "usage: tajo-brevo sync"),
    (["sync"], "ok", 2, "tajo-brevo sync", "give FILE"),
    (["sync", "{file}", "--mode"], "ok", 2, "tajo-brevo sync", "expected one argument"),
    (["sync", "{file}", "--rate-limit", "fast"], "ok", 2, "tajo-brevo sync", "a plan (general"),
    (["sync", "{file}", "--lock-timeout", "soon"], "ok", 2, "tajo-brevo sync", "give seconds"),
    (["sync", "{file}", "--lock-timeout", "-1"], "ok", 2, "tajo-brevo sync", "0 seconds or more"),
    (["sync", "{missing}"], "ok", 2, "tajo-brevo sync", "No such file"),
    (["sync", "{file}"], "no-key", 2, "tajo-brevo sync", "no Brevo API key: set BREVO_API_KEY"),
    (["sync", "{file}"], "wrong-key", 2, "tajo-brevo sync", "Brevo refused the API key"),
    (["sync", "{file}"], "unreachable", 75, "tajo-brevo sync", "Brevo unreachable at http"),
    (["sync", "{file}"], "no-v3", 2, "tajo-brevo sync", "does not answer like Brevo's API"),
    # demo (against the configured account with --live)
    (["demo", "--bogus"], "ok", 2, "tajo-brevo demo", "usage: tajo-brevo demo"),
    (["demo", "--customers"], "ok", 2, "tajo-brevo demo", "expected one argument"),
    (["demo", "--rate-limit", "auto"], "ok", 2, "tajo-brevo demo", "the demo needs a rate"),
    (["demo", "--live"], "ok", 2, "tajo-brevo demo", "pass --yes-write-to-my-account"),
    (LIVE, "no-key", 2, "tajo-brevo demo", "set BREVO_API_KEY"),
    (LIVE, "wrong-key", 2, "tajo-brevo demo", "Brevo refused the API key"),
    (LIVE, "unreachable", 75, "tajo-brevo demo", "Brevo unreachable at http"),
    (LIVE, "no-v3", 2, "tajo-brevo demo", "does not answer like Brevo's API"),
    # mock
    (["mock", "--bogus"], "ok", 2, "tajo-brevo mock", "usage: tajo-brevo mock"),
    (["mock", "--port"], "ok", 2, "tajo-brevo mock", "expected one argument"),
    (["mock", "--rate-limit", "fast"], "ok", 2, "tajo-brevo mock", "a plan (general"),
    (["mock", "--rate-limit", "2.5"], "ok", 2, "tajo-brevo mock", "whole requests per second"),
    (["mock", "--rate-limit", "auto"], "ok", 2, "tajo-brevo mock", "the mock needs a rate"),
    # contract
    (["contract", "--bogus"], "ok", 2, "tajo-brevo contract", "usage: tajo-brevo contract"),
    (["contract", "--max-examples"], "ok", 2, "tajo-brevo contract", "expected one argument"),
    (["contract"], "none", 2, "tajo-brevo contract", "give --base-url or set BREVO_BASE_URL"),
    (CONTRACT, "no-key", 2, "tajo-brevo contract", "give --api-key or set BREVO_API_KEY"),
    (CONTRACT, "wrong-key", 2, "tajo-brevo contract", "Brevo refused the API key"),
    (CONTRACT, "unreachable", 75, "tajo-brevo contract", "Brevo unreachable at http"),
    (CONTRACT, "no-v3", 2, "tajo-brevo contract", "ending in /v3"),
    (
        ["contract", "--operation", "nope"],
        "ok",
        2,
        "tajo-brevo contract",
        "no operation selected by --operation nope",
    ),
    # spec
    (["spec"], "ok", 2, "tajo-brevo spec", "required: SPEC_COMMAND"),
    (["spec", "bogus"], "ok", 2, "tajo-brevo spec", "invalid choice: 'bogus'"),
    (["spec", "diff"], "ok", 2, "tajo-brevo spec diff", "required: old, new"),
    (["spec", "diff", "{spec}", "{spec}", "--bogus"], "ok", 2, "tajo-brevo spec diff", "--bogus"),
    (["spec", "diff", "{missing}", "{spec}"], "ok", 2, "tajo-brevo spec diff", "cannot read"),
    (
        ["spec", "diff", "{spec}", "{spec}", "--format", "xml"],
        "ok",
        2,
        "tajo-brevo spec diff",
        "xml",
    ),
    (["spec", "update"], "ok", 2, "tajo-brevo spec update", "required: spec"),
    (["spec", "update", "{missing}"], "ok", 2, "tajo-brevo spec update", "no such file"),
]


@pytest.mark.parametrize(
    ("argv", "env", "code", "prog", "says"),
    CASES,
    ids=[f"{' '.join(c[0])} [{c[1]}]" for c in CASES],
)
def test_a_wrong_usage_is_one_line_and_its_exit_code(
    argv: list[str],
    env: str,
    code: int,
    prog: str,
    says: str,
    served: tuple[BrevoMock, str],
    customers: Path,
    spec_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if argv[0] == "contract":
        pytest.importorskip("schemathesis")
    _set_environment(monkeypatch, _environment(env, served))
    monkeypatch.chdir(tmp_path)
    names = {"file": customers, "spec": spec_file, "missing": tmp_path / "missing.yml"}
    args = [arg.format(**{k: str(v) for k, v in names.items()}) for arg in argv]
    assert main(args) == code
    out, err = capsys.readouterr()
    line = _the_line(err, prog)
    assert says in line
    if env == "wrong-key":
        assert "not-the-key" not in out + err
    if env == "unreachable":
        assert code == EXIT_UNAVAILABLE and "try again later" in line
    if code == EXIT_USAGE and "usage" in says:
        assert f"more: {prog} --help" in line


def test_a_wrong_key_stops_contract_before_the_suite(
    served: tuple[BrevoMock, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("schemathesis")
    _set_environment(monkeypatch, _environment("wrong-key", served))
    assert main(["contract", "--max-examples", "1"]) == EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == ""  # no per-operation summary: nothing was run
    _the_line(err, "tajo-brevo contract")


def _script() -> str:
    return str(Path(sys.executable).with_name("tajo-brevo"))


@pytest.mark.parametrize(
    ("argv", "env", "code", "says"),
    [
        (["sync", "--bogus"], "ok", 2, "tajo-brevo sync: unrecognized arguments: --bogus"),
        (["sync", "{file}"], "no-v3", 2, "tajo-brevo sync: "),
        (["sync", "{file}"], "unreachable", 75, "tajo-brevo sync: Brevo unreachable"),
    ],
)
def test_the_console_script_speaks_the_same(
    argv: list[str],
    env: str,
    code: int,
    says: str,
    served: tuple[BrevoMock, str],
    customers: Path,
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BREVO_") and k != "COLUMNS"}
    environ.update(_environment(env, served))
    args = [a.format(file=customers) for a in argv]
    done = subprocess.run(
        [_script(), *args], env=environ, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == code, done.stderr
    line = _the_line(done.stderr, "tajo-brevo sync")
    assert line.startswith(says)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from tajo_brevo import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"tajo-brevo {__version__}"


def _parsers_of(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every (sub)command's parser below it."""
    todo = [parser]
    while todo:
        current = todo.pop()
        yield current
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())


def _parsers() -> Iterator[argparse.ArgumentParser]:
    """The top-level parser and every (sub)command's."""
    return _parsers_of(cli._build_parser())


@pytest.mark.parametrize("parser", list(_parsers()), ids=lambda p: p.prog)
def test_every_help_states_its_defaults_and_shows_an_example(
    parser: argparse.ArgumentParser,
) -> None:
    text = parser.format_help()
    assert "example" in text, text
    formatter = HelpFormatter(parser.prog)
    for action in parser._actions:
        if not action.option_strings or action.default in (None, False, [], argparse.SUPPRESS):
            continue
        rendered = formatter._get_help_string(action) or ""
        assert "default" in rendered, (parser.prog, action.option_strings, rendered)


def test_the_top_level_help_prints_the_exit_code_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for code in ("0", "1", "2", "70", "75", "130"):
        assert re.search(rf"^\s+{code}\s+\w", out, re.MULTILINE), out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_accepts_verbose(command: str) -> None:
    parser = next(p for p in _parsers() if p.prog == f"tajo-brevo {command}")
    options = {option for action in parser._actions for option in action.option_strings}
    assert "--verbose" in options


def _request(path: str) -> httpx.Request:
    return httpx.Request("GET", f"http://127.0.0.1:1/v3{path}")


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
            EXIT_FAILED,
            "Brevo refused a request: GET /contacts/x -> 404",
        ),
        (
            NotFoundError(
                status_code=404,
                code="not_found",
                message="Invalid route",
                method="GET",
                path="/contacts",
                request=_request("/contacts"),
            ),
            EXIT_USAGE,
            "http://127.0.0.1:1/v3 does not answer like Brevo's API",
        ),
        (
            APIConnectionError(
                "ConnectError: [Errno 111] Connection refused",
                method="GET",
                path="/contacts",
                request=_request("/contacts"),
            ),
            EXIT_UNAVAILABLE,
            "Brevo unreachable at http://127.0.0.1:1/v3",
        ),
        (
            ServerError(status_code=503, code=None, message=None, method="GET", path="/x"),
            EXIT_UNAVAILABLE,
            "Brevo is refusing requests",
        ),
        (PermissionError(13, "Permission denied", "/x.xml"), EXIT_USAGE, "/x.xml: Permission"),
        (RuntimeError("boom"), EXIT_INTERNAL, "unexpected RuntimeError: boom"),
    ],
)
def test_describe_gives_each_error_its_code(error: Exception, code: int, expected: str) -> None:
    message, got = describe(error)
    assert got == code and expected in message
    assert "\n" not in message


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_error_raised_by_any_command_becomes_one_line(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(_args: argparse.Namespace) -> int:
        raise RuntimeError("boom")

    original = cli._build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        target = next(p for p in _parsers_of(parser) if p.prog == f"tajo-brevo {command}")
        if command == "spec":  # a group: the handler is its sub-command's
            target = next(p for p in _parsers_of(parser) if p.prog == "tajo-brevo spec check")
        target.set_defaults(handler=explode)
        return parser

    monkeypatch.setattr(cli, "_build_parser", build)
    argv = [command] if command != "spec" else ["spec", "check"]
    assert main(argv) == EXIT_INTERNAL
    prog = "tajo-brevo spec check" if command == "spec" else f"tajo-brevo {command}"
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"{prog}: unexpected RuntimeError: boom") and "--verbose" in line


def test_verbose_adds_the_traceback_and_the_retries(
    served: tuple[BrevoMock, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _set_environment(monkeypatch, _environment("unreachable", served))
    assert main([*LIVE, "--verbose"]) == EXIT_UNAVAILABLE
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "retry 1/" in err  # the client's retries, silent without --verbose
    # The one-line message still closes the output, where a reader looks first.
    assert err.rstrip().splitlines()[-1].startswith("tajo-brevo demo: Brevo unreachable")


def test_mock_on_a_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["mock", "--port", str(port)]) == EXIT_USAGE
    line = _the_line(capsys.readouterr().err, "tajo-brevo mock")
    assert f"cannot serve on 127.0.0.1:{port}" in line


def test_contract_that_cannot_write_its_junit_file_is_one_line(
    served: tuple[BrevoMock, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("schemathesis")
    _set_environment(monkeypatch, _environment("ok", served))
    junit = tmp_path / "missing-dir" / "junit.xml"
    assert main([*CONTRACT, "--junit", str(junit)]) == EXIT_USAGE
    line = _the_line(capsys.readouterr().err, "tajo-brevo contract")
    assert "No such file or directory" in line and "junit.xml" in line


def test_python_m_tajo_brevo_spec_speaks_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tajo_brevo.spec.__main__ import main as spec_main

    assert spec_main(["diff", str(tmp_path / "a.yml")]) == EXIT_USAGE
    line = _the_line(capsys.readouterr().err, "python -m tajo_brevo.spec diff")
    assert "required: new" in line
    assert spec_main(["diff", str(tmp_path / "a.yml"), str(tmp_path / "b.yml")]) == EXIT_USAGE
    assert "cannot read" in _the_line(capsys.readouterr().err, "python -m tajo_brevo.spec diff")

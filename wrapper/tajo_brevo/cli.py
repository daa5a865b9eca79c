"""The ``tajo-brevo`` command line.

Each command lives in its own module (``tajo_brevo._cli_<name>``, listed in
:data:`COMMANDS` with its one-line help) exposing ``DESCRIPTION`` (its ``--help`` text),
optionally ``EPILOG`` (examples), and ``add_arguments(parser)``, which adds its options
and sets ``handler`` (``args -> exit code``) with ``set_defaults``; this module adds the
command itself. Those modules import their heavy dependencies inside the handler, so a
command whose extra is not installed (e.g. ``mock`` without ``tajo-brevo[mock]``) does
not break the others.

Errors and exit codes live in one place, ``tajo_brevo._cli_errors``: a handler returns 0
or 1, or raises; :func:`main` turns what it raises into one line on stderr
(``tajo-brevo <command>: <message>``) and a code of the table (2 usage or configuration,
75 Brevo unreachable after retries, ...). ``--verbose`` (on every command) adds the
traceback and the client's retry warnings.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys
import traceback
from collections.abc import Callable

from ._cli_errors import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    PROG,
    CliParser,
    describe,
    exit_codes_text,
    print_error,
)

__all__ = [
    "COMMANDS",
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "main",
    "name_commands",
    "parse",
    "run_handler",
]

#: command name -> (module, one-line help in ``tajo-brevo --help``)
COMMANDS: dict[str, tuple[str, str]] = {
    "spec": (
        "tajo_brevo._cli_spec",
        "the pinned Brevo spec: effective, lock, check, diff, update",
    ),
    "mock": ("tajo_brevo._cli_mock", "serve a stateful mock of the Brevo Contacts API"),
    "contract": (
        "tajo_brevo._cli_contract",
        "check that a Brevo base URL (the mock or a real account) conforms to the spec",
    ),
    "demo": (
        "tajo_brevo._cli_demo",
        "run the guide's scenarios and a bulk sync against a local mock (or --live)",
    ),
    "sync": (
        "tajo_brevo._cli_sync",
        "sync a CSV / JSON Lines file of customers into Brevo (only what changed)",
    ),
}

_EPILOG = f"""examples:
  tajo-brevo demo                       # the guide's scenarios and a bulk sync, on a local mock
  tajo-brevo sync customers.csv         # with BREVO_API_KEY set
  tajo-brevo sync --help                # every command has its own help

exit codes (every command):
{exit_codes_text()}
"""


def _version() -> str:
    from . import __version__

    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("tajo-brevo")
    except (ImportError, PackageNotFoundError):  # pragma: no cover - run from a source tree
        return __version__


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[CliParser] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def name_commands(parser: argparse.ArgumentParser) -> None:
    """Record each (sub)command's prog in its namespace, for its error lines."""
    sub = _subparsers(parser)
    if sub is None:
        return
    for command_parser in sub.choices.values():
        command_parser.set_defaults(command_prog=command_parser.prog)
        name_commands(command_parser)


def _build_parser() -> CliParser:
    parser = CliParser(
        prog=PROG,
        description="Keep Brevo contacts in step with Tajo loyalty data.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        command_parser = sub.add_parser(
            name,
            help=help_text,
            description=module.DESCRIPTION,
            epilog=getattr(module, "EPILOG", None),
        )
        add_arguments: Callable[[argparse.ArgumentParser], None] = module.add_arguments
        add_arguments(command_parser)
    for command_parser in sub.choices.values():
        # A command with its own --verbose (e.g. contract) keeps it; it serves both.
        with contextlib.suppress(argparse.ArgumentError):
            command_parser.add_argument(
                "--verbose",
                action="store_true",
                help="on an error, print the traceback as well as the one-line message; "
                "show the client's retries",
            )
    name_commands(parser)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; an unknown argument is reported by the (sub)command it was given to.

    Raises:
        SystemExit: a usage error (one line on stderr, code 2), ``--help``, ``--version``.
    """
    args, extras = parser.parse_known_args(argv)
    if extras:
        chosen = parser
        while (sub := _subparsers(chosen)) is not None:
            name = getattr(args, sub.dest, None)
            if name is None or name not in sub.choices:
                break
            chosen = sub.choices[name]
        chosen.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


_LOG_HANDLER = "tajo-brevo-cli"


def _configure_logging(prog: str, verbose: bool) -> None:
    """The library's warnings (retries) on stderr with --verbose; otherwise kept quiet.

    Without --verbose a failure still ends with its one line; a retry that succeeded
    needs no line of its own (and would break a progress line on a terminal).
    """
    log = logging.getLogger("tajo_brevo")
    for old in list(log.handlers):
        if old.get_name() == _LOG_HANDLER:
            log.removeHandler(old)
    new: logging.Handler
    if verbose:
        new = logging.StreamHandler(sys.stderr)
        new.setFormatter(logging.Formatter(f"{prog}: %(message)s"))
    else:
        new = logging.NullHandler()
    new.set_name(_LOG_HANDLER)
    log.addHandler(new)


def run_handler(prog: str, args: argparse.Namespace, *, verbose: bool = False) -> int:
    """Run ``args.handler``; what it raises becomes one line on stderr and an exit code."""
    _configure_logging(prog, verbose)
    try:
        result: int = args.handler(args)
    except KeyboardInterrupt:
        print_error(prog, "interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        message, code = describe(exc)
        if verbose:
            traceback.print_exc(file=sys.stderr)
        print_error(prog, message)
        return code
    return result


def main(argv: list[str] | None = None) -> int:
    """Run ``tajo-brevo`` with ``argv`` (default: the process's) and return the exit code."""
    parser = _build_parser()
    try:
        args = parse(parser, argv)
    except SystemExit as exc:  # usage error (already reported), --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return run_handler(args.command_prog, args, verbose=bool(getattr(args, "verbose", False)))


if __name__ == "__main__":
    sys.exit(main())

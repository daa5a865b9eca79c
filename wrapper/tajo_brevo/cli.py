"""The ``tajo-brevo`` command line.

Each command lives in its own module (``tajo_brevo._cli_<name>``) exposing
``register(subparsers)`` and setting ``handler`` (``args -> exit code``) with
``set_defaults``. Those modules import their heavy dependencies inside the handler, so a
command whose extra is not installed (e.g. ``mock`` without ``tajo-brevo[mock]``) does
not break the others.

Errors: a handler returns its exit code for the outcomes it knows (0 ok, 1 the check or
sync failed, 2 bad usage). Anything a handler raises is turned into one line on stderr
naming the command and the error, and an exit code (:func:`main`); ``--verbose`` (on
every command) adds the traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import traceback
from collections.abc import Callable

#: Exit codes of :func:`main` beyond a handler's own 0 / 1 / 2.
EXIT_ERROR = 1  # a library error: Brevo refused, the connection failed, a file is unreadable
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in tajo-brevo, not in the input or the target

#: command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "spec": (
        "tajo_brevo._cli_spec",
        "The pinned Brevo spec: effective, lock, check, diff, update.",
    ),
    "mock": ("tajo_brevo._cli_mock", "serve a stateful mock of the Brevo Contacts API"),
    "contract": ("tajo_brevo._cli_contract", "check a Brevo base URL against the spec"),
    "demo": ("tajo_brevo._cli_demo", "the guide's scenarios and a bulk sync, on a local mock"),
    "sync": ("tajo_brevo._cli_sync", "sync a customers file into Brevo: only what changed"),
}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tajo-brevo",
        description="Keep Brevo contacts in step with Tajo loyalty data.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        register: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] = (
            module.register
        )
        register(sub)
        if name not in sub.choices:  # pragma: no cover - programming error
            raise RuntimeError(f"{module_name}.register did not add the {name!r} command")
        sub.choices[name].description = sub.choices[name].description or help_text
    for command_parser in sub.choices.values():
        # A command with its own --verbose (e.g. contract) keeps it; it serves both.
        with contextlib.suppress(argparse.ArgumentError):
            command_parser.add_argument(
                "--verbose",
                action="store_true",
                help="on an error, print the traceback as well as the one-line message",
            )
    return parser


def _one_line(command: str, exc: BaseException) -> tuple[str, int]:
    """The message and exit code for an exception a command raised."""
    from tajo_brevo.errors import BrevoError

    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, BrevoError):
        # The library's own errors already say what happened (and never carry the key).
        return f"tajo-brevo {command}: {type(exc).__name__}: {text}", EXIT_ERROR
    if isinstance(exc, OSError):
        return f"tajo-brevo {command}: {text}", EXIT_ERROR
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is a core dependency
        httpx = None  # type: ignore[assignment]
    if httpx is not None and isinstance(exc, httpx.HTTPError):
        return f"tajo-brevo {command}: {type(exc).__name__}: {text}", EXIT_ERROR
    return (
        f"tajo-brevo {command}: unexpected {type(exc).__name__}: {text} "
        "(a bug in tajo-brevo: rerun with --verbose and report the traceback)",
        EXIT_INTERNAL,
    )


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    verbose = bool(getattr(args, "verbose", False))
    try:
        result: int = handler(args)
    except KeyboardInterrupt:
        print(f"tajo-brevo {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        message, code = _one_line(args.command, exc)
        if verbose:
            traceback.print_exc(file=sys.stderr)
        print(message, file=sys.stderr)
        if not verbose:
            print("(run with --verbose for the traceback)", file=sys.stderr)
        return code
    return result


if __name__ == "__main__":
    sys.exit(main())

"""The ``tajo-brevo`` command line.

Each command lives in its own module (``tajo_brevo._cli_<name>``) exposing
``register(subparsers)`` and setting ``handler`` (``args -> exit code``) with
``set_defaults``. Those modules import their heavy dependencies inside the handler, so a
command whose extra is not installed (e.g. ``mock`` without ``tajo-brevo[mock]``) does
not break the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())

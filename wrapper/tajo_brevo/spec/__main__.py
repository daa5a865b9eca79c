"""``python -m tajo_brevo.spec``: the spec steps the Makefile runs.

The same subcommands as ``tajo-brevo spec`` (see ``tajo_brevo._cli_spec``): effective,
lock, check, diff, update. Run from the project root, or pass ``--root``. Errors and exit
codes are those of every ``tajo-brevo`` command.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run one spec subcommand and return its exit code."""
    from tajo_brevo._cli_errors import EXIT_USAGE, CliParser
    from tajo_brevo._cli_spec import add_spec_commands
    from tajo_brevo.cli import name_commands, parse, run_handler

    parser = CliParser(prog="python -m tajo_brevo.spec")
    add_spec_commands(parser)
    name_commands(parser)
    try:
        args = parse(parser, argv)
    except SystemExit as exc:  # usage error (already reported), --help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return run_handler(args.command_prog, args)


if __name__ == "__main__":
    sys.exit(main())

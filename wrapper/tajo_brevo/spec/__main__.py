"""``python -m tajo_brevo.spec``: the spec steps the Makefile runs.

The same subcommands as ``tajo-brevo spec`` (see ``tajo_brevo._cli_spec``): effective,
lock, check, diff, update. Run from the project root, or pass ``--root``.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run one spec subcommand and return its exit code."""
    from tajo_brevo._cli_spec import add_spec_commands

    parser = argparse.ArgumentParser(prog="python -m tajo_brevo.spec")
    add_spec_commands(parser)
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())

"""What several ``tajo-brevo`` commands share: an option said once, a number of seconds."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ._cli_errors import bounded


def add_program_option(parser: argparse.ArgumentParser, default: str) -> None:
    """``--program``: the loyalty program (a Brevo folder and its lists) to work on."""
    parser.add_argument("--program", default=default, help="program (folder) name")


def seconds(what: str, *, example: str) -> Callable[[str], float]:
    """An argparse ``type``: a finite number of seconds, 0 or more.

    Args:
        what: the option's subject in its error, e.g. ``"the lock timeout"``.
        example: a typical value, shown with ``0.5`` when the text is not a number.
    """
    return bounded(
        float,
        bad=f"{{text!r}}: give seconds, e.g. {example} or 0.5",
        ok=lambda v: 0 <= v < float("inf"),
        problem=f"{what} is 0 seconds or more",
    )

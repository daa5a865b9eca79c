"""Argument types the commands share: a number parsed from text and checked, with its message."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

N = TypeVar("N", int, float)

__all__ = ["bounded"]


def bounded(
    cast: Callable[[str], N], *, bad: str, ok: Callable[[N], bool], problem: str
) -> Callable[[str], N]:
    """An argparse ``type``: ``cast(text)``, refused unless ``ok(value)``.

    Args:
        cast: ``int`` or ``float``.
        bad: the message when ``cast`` fails; ``{text!r}`` is replaced by the argument.
        ok: whether the value is in range (NaN must fail it).
        problem: the message when it is not.
    """

    def parse(text: str) -> N:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(bad.format(text=text)) from None
        if not ok(value):
            raise argparse.ArgumentTypeError(problem)
        return value

    return parse

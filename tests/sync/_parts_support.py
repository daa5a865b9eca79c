"""What the tests of the sync's parts share: a program, rows read through a source."""

from __future__ import annotations

from pathlib import Path

from tajo_brevo import Tier
from tajo_brevo.sync._program import Program
from tajo_brevo.sync._source import Source
from tajo_brevo.sync._validation import Invalid, Normalizer, Row

PROGRAM = Program(
    all_customers=1,
    tier_lists={Tier.BRONZE: 2, Tier.SILVER: 3, Tier.GOLD: 4, Tier.PLATINUM: 5},
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows_of(source: Source) -> list[Row | Invalid]:
    normalizer = Normalizer(mapping=source.mapping, columns=source.columns)
    return [normalizer.normalize(raw) for raw in source.rows()]


def valid(item: Row | Invalid) -> Row:
    assert isinstance(item, Row), item
    return item

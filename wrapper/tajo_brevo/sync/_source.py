"""Sync sources: reading rows (CSV, ``,`` or ``;`` detected, or JSON Lines, streamed; an
API caller's items) and writing a failures file in the source's own format.

Headers are Brevo attribute names exactly as in an import file (``EMAIL``,
``LOYALTY_POINTS``) or :class:`~tajo_brevo.LoyaltyProfile` field names
(``loyalty_points``), in any case; a mapping renames other columns first.

A source yields :class:`Raw` rows: cells by header, as read. A row that can't be read as
cells (a CSV row of the wrong width, a JSON Lines line that is not a JSON object) is
kept, with a :class:`MalformedRow` in place of its cells: validation refuses it with its
reason, and the failures file gets it as read. Validation is ``_validation``'s; a query
source is ``_sql``'s.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .. import _profile_codec as codec
from ..errors import SourceError
from ..profile import LoyaltyProfile

__all__ = [
    "IterableSource",
    "MalformedRow",
    "Raw",
    "Source",
    "canonical_column",
    "load_mapping",
    "resolve_columns",
]

Format = Literal["csv", "jsonl"]
#: Bytes read to detect the CSV separator.
_SNIFF_BYTES = 64 * 1024


def load_mapping(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a ``--mapping`` file: a JSON object ``{"source column": "TARGET"}``.

    Raises:
        SourceError: the file is not such an object.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"mapping file {path}: {exc}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise SourceError(
            f'mapping file {path}: expected a JSON object {{"source column": "TARGET"}}'
        )
    return {k.strip().casefold(): v.strip() for k, v in data.items()}


def canonical_column(name: str, mapping: Mapping[str, str] | None = None) -> str | None:
    """The Brevo attribute a column header names (``EMAIL`` for the email), or None."""
    column = name.strip()
    if mapping:
        column = mapping.get(column.casefold(), column)
    upper, lower = column.upper(), column.lower()
    if upper == "EMAIL":
        return "EMAIL"
    if upper in codec.BY_ATTRIBUTE:
        return upper
    if lower in codec.BY_NAME:
        return codec.BY_NAME[lower].attribute
    if codec.EXTRA_NAME_RE.fullmatch(column):
        return column
    return None


def resolve_columns(
    headers: list[str], mapping: Mapping[str, str] | None, where: str
) -> dict[str, str]:
    """Original header -> Brevo attribute, refusing unknown and repeated columns.

    Raises:
        SourceError: every unknown or repeated column, and a missing EMAIL column.
    """
    resolved: dict[str, str] = {}
    seen: dict[str, str] = {}
    problems: list[str] = []
    for header in headers:
        target = canonical_column(header, mapping)
        if target is None:
            problems.append(
                f"unknown column {header!r} (use a Brevo attribute name such as "
                "LOYALTY_POINTS, a profile field such as loyalty_points, or --mapping)"
            )
            continue
        if target in seen:
            problems.append(f"column {header!r} names {target} again (also {seen[target]!r})")
            continue
        seen[target] = header
        resolved[header] = target
    if "EMAIL" not in seen and not problems:
        problems.append("no EMAIL column: every row needs the contact's email")
    if problems:
        raise SourceError(f"{where}: " + "; ".join(problems))
    return resolved


@dataclass(frozen=True, slots=True)
class MalformedRow:
    """A row of a file that can't be read as cells by header.

    Attributes:
        line: where the row starts in the file (1-based, as :attr:`Raw.line`).
        reason: why, as reported for the row (``line 7: 4 cells, header has 3``,
            ``line 9: not JSON (...)``, ``line 9: expected a JSON object``).
        cells: a CSV row's cells as read (the wrong number of them), written back as they
            are to a failures file; None for a JSON Lines line (:attr:`Raw.text` holds it).
    """

    line: int
    reason: str
    cells: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Raw:
    """One row as read: its position (0-based, data rows only) and cells by header.

    ``line``: where the row starts in the file, as an editor numbers lines (1-based; in
    a CSV file the header is line 1, so the first data row is line 2), or None for rows
    that are not from a file (API callers: their ``index`` is their position).

    ``cells``: by header; a :class:`MalformedRow` for a row that has none (an API
    caller's item is kept as given: a ``LoyaltyProfile``, or anything else to refuse).

    ``text``: the row exactly as read (CSV: the cells joined by NUL, in header order;
    JSON Lines: the line), or None. The engine hashes it, with a fingerprint of everything
    else that decides what is sent, to recognise an unchanged row without validating it.
    """

    index: int
    cells: Mapping[str, Any] | MalformedRow
    text: str | None = None
    line: int | None = None

    def as_read(self, headers: Sequence[str]) -> Sequence[Any]:
        """The row's cells in the order of ``headers`` ("" for a header it lacks), as a
        failures file writes them; a malformed row's own cells as read."""
        cells = self.cells
        if isinstance(cells, MalformedRow):
            return cells.cells or ()
        return [cells.get(h, "") for h in headers]


@dataclass
class IterableSource:
    """API callers' rows: LoyaltyProfile objects or mappings (held in memory)."""

    items: list[LoyaltyProfile | Mapping[str, Any]]
    name: str = "<rows>"
    mapping: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)

    def rows(self) -> Iterator[Raw]:
        for index, item in enumerate(self.items):
            yield Raw(index, item)  # type: ignore[arg-type]


class Source:
    """A file to sync: CSV (separator detected) or JSON Lines (``.jsonl``/``.ndjson``).

    Re-iterable: :meth:`rows` reads the file again each time (a sync reads it twice:
    once for duplicates, once to plan), so memory does not grow with its size.

    Raises:
        SourceError: the file can't be opened or its header is refused.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, mapping: Mapping[str, str] | None = None
    ) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.mapping: dict[str, str] = dict(mapping or {})
        self.format: Format = (
            "jsonl" if self.path.suffix.lower() in (".jsonl", ".ndjson") else "csv"
        )
        self.delimiter = ";"
        self.headers: list[str] = []
        self.columns: dict[str, str] = {}
        if self.format == "csv":
            try:
                with self.path.open(encoding="utf-8-sig", newline="") as handle:
                    sample = handle.read(_SNIFF_BYTES)
            except (OSError, UnicodeDecodeError) as exc:
                raise SourceError(f"{self.path}: {exc}") from None
            first = next(csv.reader(io.StringIO(sample)), None)
            if not sample.strip() or first is None:
                raise SourceError(f"{self.path}: empty file, expected a header line")
            self.delimiter = _detect_delimiter(sample)
            self.headers = next(csv.reader(io.StringIO(sample), delimiter=self.delimiter))
            self.columns = resolve_columns(self.headers, self.mapping, str(self.path))
        else:
            if not self.path.is_file():
                raise SourceError(f"{self.path}: no such file")
            self.columns = {}

    def rows(self) -> Iterator[Raw]:
        """Every data row, streamed.

        Raises:
            SourceError: a line is not valid (JSON Lines) or a column is unknown.
        """
        if self.format == "csv":
            yield from self._csv_rows()
        else:
            yield from self._jsonl_rows()

    def _csv_rows(self) -> Iterator[Raw]:
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            next(reader, None)
            headers = self.headers
            width = len(headers)
            index = 0
            # A record starts on the line after the one the previous record ended on
            # (line_num counts lines, so a quoted cell spanning lines is numbered right).
            ended = reader.line_num
            for cells in reader:
                line, ended = ended + 1, reader.line_num
                if len(cells) != width:
                    if not any(cell.strip() for cell in cells):
                        continue  # a blank line is no row
                    # Kept, and refused by validation with the line number; the cells as
                    # read go to a failures file.
                    reason = f"line {line}: {len(cells)} cells, header has {width}"
                    yield Raw(index, MalformedRow(line, reason, tuple(cells)), None, line)
                    index += 1
                    continue
                text = "\0".join(cells)
                # The first test is cheap and true for every blank line; the second decides.
                if not text.replace("\0", "").strip() and not any(c.strip() for c in cells):
                    continue  # a blank line is no row
                # Joined by NUL: unambiguous unless a cell holds a NUL (then no raw text).
                yield Raw(
                    index,
                    dict(zip(headers, cells, strict=True)),
                    text if text.count("\0") == width - 1 else None,
                    line,
                )
                index += 1

    def csv_cells(self, header: str) -> Iterator[tuple[int, str | None]]:
        """``(index, cell)`` of one column for every row :meth:`rows` yields, numbered the
        same (None for a row of the wrong width): reading one column costs less than rows.

        Raises:
            SourceError: not a CSV source, or no such column.
        """
        for index, _, cells in self.csv_columns((header,)):
            yield index, None if cells is None else cells[0]

    def csv_columns(
        self, headers: tuple[str, ...]
    ) -> Iterator[tuple[int, int, tuple[str, ...] | None]]:
        """``(index, line, cells)`` of some columns for every row :meth:`rows` yields,
        numbered the same (cells None for a row of the wrong width).

        Raises:
            SourceError: not a CSV source, or no such column.
        """
        if self.format != "csv" or any(h not in self.headers for h in headers):
            raise SourceError(f"{self.path}: no CSV column(s) {', '.join(map(repr, headers))}")
        positions = [self.headers.index(h) for h in headers]
        first = positions[0]
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            next(reader, None)
            width = len(self.headers)
            index = 0
            ended = reader.line_num
            for cells in reader:
                line, ended = ended + 1, reader.line_num
                if len(cells) == width and cells[first].strip():
                    yield index, line, tuple(cells[p] for p in positions)  # not blank: a row
                    index += 1
                    continue
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line is no row (as in _csv_rows)
                yield (
                    index,
                    line,
                    tuple(cells[p] for p in positions) if len(cells) == width else None,
                )
                index += 1

    def _jsonl_rows(self) -> Iterator[Raw]:
        with self.path.open(encoding="utf-8") as handle:
            index = 0
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                item: dict[str, Any] | MalformedRow
                try:
                    item = json.loads(line)
                except ValueError as exc:
                    item = MalformedRow(number, f"line {number}: not JSON ({exc})")
                if not isinstance(item, dict | MalformedRow):
                    item = MalformedRow(number, f"line {number}: expected a JSON object")
                yield Raw(index, item, line, number)
                index += 1

    def write_rows(self, path: str | os.PathLike[str], rows: list[Mapping[str, Any]]) -> None:
        """Write raw rows in this source's own format (a failures file to feed back)."""
        target = Path(path)
        if self.format == "jsonl":
            with target.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(dict(row), ensure_ascii=False) + "\n")
            return
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
            writer.writerow(self.headers)
            for row in rows:
                writer.writerow([row.get(h, "") for h in self.headers])

    def write_table(
        self, path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Write other records in this source's format: CSV with its separator, or JSON
        Lines (one object per row, keyed by ``header``)."""
        target = Path(path)
        if self.format == "jsonl":
            with target.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False))
                    out.write("\n")
            return
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])

    def write_failures(self, path: str | os.PathLike[str], rows: Iterable[Raw]) -> None:
        """Write rows as they were read, in this source's format (a failures file).

        A JSON Lines row is its line as read (a line that is not JSON included); a CSV row
        its cells (a row of the wrong width keeps its own cells), under the header.
        """
        target = Path(path)
        if self.format == "jsonl":
            with target.open("w", encoding="utf-8") as out:
                for raw in rows:
                    text = raw.text
                    if text is None:  # not read from a file: written as its cells
                        given = raw.cells if isinstance(raw.cells, Mapping) else {}
                        text = json.dumps(dict(given), ensure_ascii=False)
                    out.write(text if text.endswith("\n") else text + "\n")
            return
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=self.delimiter, lineterminator="\n")
            writer.writerow(self.headers)
            for raw in rows:
                writer.writerow(raw.as_read(self.headers))


def _detect_delimiter(sample: str) -> str:
    """``;`` or ``,``: whichever splits the header line into more columns."""
    header = sample.splitlines()[0] if sample else ""
    by_semicolon = len(next(csv.reader([header], delimiter=";"), []))
    by_comma = len(next(csv.reader([header], delimiter=","), []))
    return ";" if by_semicolon >= by_comma and by_semicolon > 1 else ","

"""The import file: `;`-separated CSV exactly as Brevo parses it, chunked under a size limit.

Escaping (RFC 4180 with `;` as the separator): a cell containing `;`, `"`, a line feed or a
carriage return, or starting or ending with whitespace, is quoted, and quotes inside are
doubled. A bare ``\\r`` is quoted too: a CSV reader takes it for a line break, and one such
value used to fail a whole chunk. Numbers are written in plain decimal notation, never
``1e+20`` or ``1e-07`` (an importer reads those as text and drops the value).

``emptyContactsAttributes`` (the rule, see :class:`ImportChunk`): every row of a chunk
touches exactly the chunk's columns (rows are grouped by the set of attributes they touch),
so an empty cell always means "clear this attribute". The chunk asks Brevo to clear empty
cells (``true``) exactly when it has at least one; a chunk without empty cells sends
``false`` (Brevo's default), so no chunk can ever clear a value by accident.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

#: Brevo's import body limit is 10 MB; chunks stay under 8 MB.
DEFAULT_MAX_IMPORT_BYTES = 8_000_000
#: Where the sync closes a chunk (a larger row goes alone, up to the limit above). A body
#: is in memory about three times while it is sent (the text, its JSON, the bytes): at
#: 8 MB a sync of 1,000,000 rows peaked at 94 MiB against 49 MiB for 10,000 rows; at 2 MB
#: it stays flat (62 MiB) and a million rows still take about 40 imports.
DEFAULT_IMPORT_CHUNK_BYTES = 2_000_000
#: Room kept in an import request for the JSON around fileBody.
IMPORT_ENVELOPE = 4096

Value = str | float | bool | None
_NEEDS_QUOTES = frozenset(';"\n\r')


def format_number(value: float) -> str:
    """A number in plain decimal notation: ``1e+20`` -> ``100000000000000000000``.

    Integral values are written without a fraction; others with the shortest digits
    that read back as the same float (``repr``), never with an exponent.
    """
    if isinstance(value, bool):  # pragma: no cover - callers encode booleans first
        raise TypeError("booleans are not numbers here")
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    if "e" in text or "n" in text:  # an exponent (or inf / nan): spell it out
        return format(Decimal(text), "f")
    return text  # already plain: what Decimal would write, digit for digit


def format_cell(value: Value) -> str:
    """One cell's text (not yet quoted): None is the empty cell (clear)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    return value


def quote(text: str) -> str:
    """Quote a cell when a CSV reader would otherwise split it or trim it."""
    if (text and (text[0].isspace() or text[-1].isspace())) or not _NEEDS_QUOTES.isdisjoint(text):
        return '"' + text.replace('"', '""') + '"'
    return text


#: A line some cell of which :func:`quote` would quote (with a ``;`` count check, below).
_UNSAFE_LINE = re.compile(r'["\n\r]|(?:^|;)\s|\s(?:;|$)')


def csv_line(cells: Sequence[str]) -> str:
    """One CSV line (``\\n`` terminated) of already formatted cells."""
    line = ";".join(cells)
    # Most lines need no quotes: one search of the line, not one quote() per cell. A ";"
    # inside a cell shows in the count; whitespace at a cell's edge sits next to a ";" or
    # an end of the line (re's \s is str.isspace, as in quote).
    if line.count(";") == len(cells) - 1 and not _UNSAFE_LINE.search(line):
        return line + "\n"
    return ";".join(quote(cell) for cell in cells) + "\n"


#: What JSON escapes in a string: quotes, backslashes, control characters.
_JSON_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


def json_size(text: str) -> int:
    """What ``text`` costs inside the JSON request body (escapes included)."""
    if text.isascii() and text.endswith("\n") and not _JSON_ESCAPED.search(text, 0, len(text) - 1):
        return len(text) + 1  # one byte a character, and the line feed is written \n
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


@dataclass
class ImportChunk:
    """One import request being built: rows with the same target lists and columns.

    Attributes:
        list_ids: the lists every row of the chunk is added to.
        columns: the attribute columns after ``EMAIL``, in a fixed order.
        keys: the contacts' keys (lower-cased emails), in file order.
        lines: the CSV lines, header first.
        size: the body's size as JSON, in bytes.
        has_empty_cells: whether any cell is empty (a value to clear).
    """

    list_ids: tuple[int, ...]
    columns: tuple[str, ...]
    keys: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    size: int = 0
    has_empty_cells: bool = False

    def __post_init__(self) -> None:
        header = csv_line(["EMAIL", *self.columns])
        self.lines = [header]
        self.size = json_size(header)

    @property
    def empty_contacts_attributes(self) -> bool:
        """The import's ``emptyContactsAttributes``: true exactly when a cell is empty."""
        return self.has_empty_cells

    def body(self) -> str:
        """The ``fileBody``."""
        return "".join(self.lines)

    def __len__(self) -> int:
        return len(self.keys)


def encode_row(email: str, columns: Sequence[str], values: Mapping[str, Value]) -> tuple[str, bool]:
    """A row's CSV line for ``columns`` and whether it has an empty cell.

    Raises:
        KeyError: a column the row does not touch (a caller's grouping error: an empty
            cell there would clear a value the source never mentioned).
    """
    cells = [email]
    empty = False
    for name in columns:
        value = values[name]
        if type(value) is str:
            cells.append(value)
            empty = empty or not value
        else:
            cell = format_cell(value)
            cells.append(cell)
            empty = empty or not cell
    return csv_line(cells), empty


def request_body(chunk: ImportChunk) -> dict[str, object]:
    """The JSON body of ``POST /contacts/import`` for a chunk."""
    return {
        "fileBody": chunk.body(),
        "listIds": list(chunk.list_ids),
        "updateExistingContacts": True,
        "emptyContactsAttributes": chunk.empty_contacts_attributes,
    }

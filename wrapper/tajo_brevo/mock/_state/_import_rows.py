"""An import's rows: the CSV header and rows of a fileBody, the rows of a jsonBody.

Plain parsing, no account state: :func:`prepare_rows` runs in the helper process for a
large body (``_offload``), and the import worker (``_imports``) reads a small body's rows
with the same functions.
"""

from __future__ import annotations

import csv
import io
import pickle
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._base import MockAPIError, invalid

__all__ = [
    "BATCH_ROWS",
    "PreparedRows",
    "csv_header",
    "csv_rows",
    "json_columns",
    "json_rows",
    "prepare_rows",
    "prepared_rows",
]

#: Rows per pickled batch of a prepared import: unpickling one takes about a millisecond.
BATCH_ROWS = 1000
#: What stands in a prepared import's body for the fileBody / jsonBody rows parsed apart:
#: a present, non-blank value, so ``import_contacts`` checks the body exactly as before.
_PREPARED = "(rows parsed in a helper process)"


@dataclass
class PreparedRows:
    """An import's rows, parsed apart from the server (see :func:`prepare_rows`).

    Attributes:
        columns: the import's columns (CSV header, or EMAIL + jsonBody attribute names).
        batches: pickled lists of (cells in column order, cells as given), BATCH_ROWS each.
        text: the cells are CSV text (typed per attribute), not JSON values.
        header_error: (status, code, message) of a fileBody without a usable header,
            raised where ``import_contacts`` checks the header.
        failure: the csv error after the last batch (the process then ends ``failed``).
        rows: how many rows the batches hold.
    """

    columns: list[str]
    batches: list[bytes]
    text: bool
    header_error: tuple[int, str, str] | None = None
    failure: str | None = None
    rows: int = 0


def csv_header(text: str) -> list[str]:
    """The header line of a ``;``-separated CSV (first non-blank line), upper case.

    Raises:
        MockAPIError: 400 when there is no usable header.
    """
    reader = csv.reader(io.StringIO(text), delimiter=";")
    try:
        first = next((row for row in reader if any(cell.strip() for cell in row)), None)
    except csv.Error as exc:
        raise invalid(f"fileBody: malformed CSV ({exc})") from None
    if first is None:
        raise invalid("fileBody: no header line")
    header = [cell.strip().upper() for cell in first]
    if "EMAIL" not in header and "SMS" not in header:
        raise invalid("fileBody: the header line needs an EMAIL (or SMS) column, separated by ';'")
    if len(set(header)) != len(header) or "" in header:
        raise invalid("fileBody: header columns must be named and unique")
    return header


def csv_rows(text: str, columns: Sequence[str]) -> Iterator[tuple[list[Any], list[str]]]:
    reader = csv.reader(io.StringIO(text), delimiter=";")
    header_seen = False
    width = len(columns)
    for row in reader:
        if not any(row) or not "".join(row).strip():
            continue  # a blank line
        if not header_seen:
            header_seen = True
            continue
        cells: list[Any] = [cell.strip() for cell in row]
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        yield cells, row


def json_columns(items: Sequence[Any]) -> list[str]:
    """EMAIL, then each attribute name the jsonBody's contacts use (upper case, in order)."""
    columns: list[str] = ["EMAIL"]
    seen = {"EMAIL"}
    for item in items:
        for name in (item.get("attributes") or {}) if isinstance(item, dict) else {}:
            upper = str(name).upper()
            if upper not in seen:
                seen.add(upper)
                columns.append(upper)
    return columns


def prepared_rows(prepared: PreparedRows) -> Iterator[tuple[list[Any], list[str]]]:
    """The rows of a prepared import, one small batch unpickled at a time (each batch is
    dropped once read, so memory shrinks as the import goes)."""
    batches = prepared.batches
    for index in range(len(batches)):
        batch: list[tuple[list[Any], list[str]]] = pickle.loads(batches[index])
        batches[index] = b""
        yield from batch
    if prepared.failure is not None:
        raise csv.Error(prepared.failure)


def _pickled_batches(
    columns: list[str], rows: Iterator[tuple[list[Any], list[str]]], *, text: bool
) -> PreparedRows:
    batches: list[bytes] = []
    batch: list[tuple[list[Any], list[str]]] = []
    failure: str | None = None
    count = 0
    try:
        for row in rows:
            batch.append(row)
            count += 1
            if len(batch) >= BATCH_ROWS:
                batches.append(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
                batch = []
    except csv.Error as exc:
        failure = str(exc)
    if batch:
        batches.append(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
    return PreparedRows(columns, batches, text, None, failure, count)


def prepare_rows(body: Mapping[str, Any]) -> tuple[dict[str, Any], PreparedRows | None]:
    """Parse a (validated) import body's rows apart from the account (no state needed).

    Runs in the helper process for a large body. Returns the light body (a non-blank
    fileBody and a non-empty jsonBody replaced by a small stand-in, so ``import_contacts``
    checks it exactly as it checks the full body) and the rows, or None when this body
    has no rows to parse here (a fileUrl import, no source or more than one, a blank
    source: ``import_contacts`` rejects those or fetches the file itself).
    """
    light = dict(body)
    file_body = body.get("fileBody")
    json_body = body.get("jsonBody")
    if isinstance(file_body, str) and file_body.strip():
        light["fileBody"] = _PREPARED
    if isinstance(json_body, list) and json_body:
        light["jsonBody"] = [_PREPARED]
    sources = [k for k in ("fileUrl", "fileBody", "jsonBody") if body.get(k) is not None]
    if sources == ["fileBody"] and light["fileBody"] is _PREPARED:
        assert isinstance(file_body, str)
        try:
            columns = csv_header(file_body)
        except MockAPIError as err:
            return light, PreparedRows([], [], True, (err.status, err.code, err.message))
        return light, _pickled_batches(columns, csv_rows(file_body, columns), text=True)
    if sources == ["jsonBody"] and isinstance(json_body, list) and json_body:
        columns = json_columns(json_body)
        return light, _pickled_batches(columns, json_rows(json_body, columns), text=False)
    return light, None


def json_rows(
    items: Sequence[Any], columns: Sequence[str]
) -> Iterator[tuple[list[Any], list[str]]]:
    at = {name: index for index, name in enumerate(columns)}
    for item in items:
        item = item if isinstance(item, dict) else {}
        cells: list[Any] = [None] * len(columns)
        cells[0] = item.get("email")
        for name, value in (item.get("attributes") or {}).items():
            cells[at[str(name).upper()]] = value
        yield cells, ["" if cell is None else str(cell) for cell in cells]

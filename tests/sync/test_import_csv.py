"""The import file Brevo receives: cells, numbers, quoting (``sync/_csv.py``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from _parts_support import PROGRAM, rows_of, valid, write
from tajo_brevo.sync._csv import ImportChunk, csv_line, encode_row, format_cell, request_body
from tajo_brevo.sync._plan import Chunker
from tajo_brevo.sync._source import Source


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e20, "100000000000000000000"),
        (1e-07, "0.0000001"),
        (1.5e-10, "0.00000000015"),
        (123456789.125, "123456789.125"),
        (2**60 * 1.0, "1152921504606847000"),  # shortest digits that read back
        (0.1, "0.1"),
        (7, "7"),
        (True, "true"),
        (False, "false"),
        (None, ""),
    ],
)
def test_numbers_are_written_without_an_exponent(value: float | bool | None, text: str) -> None:
    assert format_cell(value) == text


def test_floats_reach_the_import_file_in_plain_notation(tmp_path: Path) -> None:
    source = Source(
        write(
            tmp_path / "in.csv",
            "EMAIL,LOYALTY_ID,LOYALTY_POINTS,TOTAL_SPENT,EMAIL_OPEN_RATE\n"
            "a@example.com,L1,9000000000000000,0.0000001,0.00001\n",
        )
    )
    row = valid(rows_of(source)[0])
    chunker = Chunker(PROGRAM, 100_000)
    chunker.add(row)
    [ready] = chunker.finish()
    body = ready.chunk.body()
    assert "e+" not in body and "e-" not in body
    [header, line] = list(csv.reader(io.StringIO(body), delimiter=";"))
    cells = dict(zip(header, line, strict=True))
    assert cells["LOYALTY_POINTS"] == "9000000000000000"  # repr: 9000000000000000.0
    assert cells["TOTAL_SPENT"] == "0.0000001"
    assert cells["EMAIL_OPEN_RATE"] == "0.00001"


@pytest.mark.parametrize(
    "text",
    ['A;B "C"', 'A;B "C"\nD', "line\nbreak", "bare\rreturn", "crlf\r\n", " lead", "trail ", 'q"'],
)
def test_cells_that_a_csv_reader_would_split_or_trim_are_quoted(text: str) -> None:
    line = csv_line(["a@example.com", text])
    [cells] = list(csv.reader(io.StringIO(line, newline=""), delimiter=";"))
    assert cells == ["a@example.com", text]


def test_a_bare_carriage_return_does_not_break_the_following_rows() -> None:
    chunk = ImportChunk(list_ids=(1,), columns=("FIRSTNAME",))
    for n, name in enumerate(["one\rtwo", "plain", "x\r\ny"]):
        line, _ = encode_row(f"c{n}@example.com", ["FIRSTNAME"], {"FIRSTNAME": name})
        chunk.lines.append(line)
    parsed = list(csv.reader(io.StringIO(chunk.body(), newline=""), delimiter=";"))
    assert [r[1] for r in parsed[1:]] == ["one\rtwo", "plain", "x\r\ny"]


def test_empty_contacts_attributes_is_true_exactly_when_a_cell_is_empty() -> None:
    full = ImportChunk(list_ids=(1, 2), columns=("FIRSTNAME",))
    line, empty = encode_row("a@example.com", ["FIRSTNAME"], {"FIRSTNAME": "Ana"})
    assert not empty
    full.lines.append(line)
    assert request_body(full)["emptyContactsAttributes"] is False

    clearing = ImportChunk(list_ids=(1, 2), columns=("FIRSTNAME",))
    line, empty = encode_row("b@example.com", ["FIRSTNAME"], {"FIRSTNAME": None})
    assert empty
    clearing.lines.append(line)
    clearing.has_empty_cells = empty
    assert request_body(clearing)["emptyContactsAttributes"] is True


def test_a_row_can_not_be_written_under_a_column_it_does_not_touch() -> None:
    # An empty cell there would clear a value the source never mentioned.
    with pytest.raises(KeyError):
        encode_row("a@example.com", ["FIRSTNAME", "LASTNAME"], {"FIRSTNAME": "Ana"})

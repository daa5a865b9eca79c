"""A source's rows as read, and the rows that can't be read as cells.

A CSV row of the wrong width and a JSON Lines line that is not a JSON object are kept as a
:class:`MalformedRow` (its line, its reason, a CSV row's cells as read): validation refuses
it with that reason and the failures file gets it back exactly as it was read. A JSON
object's own keys are only ever cells: no key, whatever its characters, stands for a
malformed row.
"""

from __future__ import annotations

import json
from pathlib import Path

from tajo_brevo.sync._source import MalformedRow, Raw, Source
from tajo_brevo.sync._validation import Invalid, Normalizer, Row

HEADER = "EMAIL;LOYALTY_ID;LOYALTY_POINTS"


def test_a_row_of_the_wrong_width_is_refused_with_its_line_and_written_back_as_read(
    tmp_path: Path,
) -> None:
    text = f'{HEADER}\na@example.com;L1;1\n\nb@example.com;L2;2;"x;y"\nc@example.com\n'
    source = Source(_write(tmp_path / "in.csv", text))
    rows = list(source.rows())
    assert [raw.line for raw in rows] == [2, 4, 5]
    assert rows[1].cells == MalformedRow(
        4, "line 4: 4 cells, header has 3", ("b@example.com", "L2", "2", "x;y")
    )
    assert rows[2].cells == MalformedRow(5, "line 5: 1 cells, header has 3", ("c@example.com",))
    normalizer = Normalizer()
    assert isinstance(normalizer.normalize(rows[0]), Row)
    assert normalizer.normalize(rows[1]) == Invalid(1, None, "line 4: 4 cells, header has 3", {})
    source.write_failures(tmp_path / "f.csv", rows[1:])
    written = (tmp_path / "f.csv").read_text(encoding="utf-8")
    assert written == f'{HEADER}\nb@example.com;L2;2;"x;y"\nc@example.com\n'


def test_a_line_that_is_not_a_json_object_is_refused_with_its_line_and_written_back(
    tmp_path: Path,
) -> None:
    lines = [
        json.dumps({"EMAIL": "a@example.com", "LOYALTY_ID": "L1", "LOYALTY_POINTS": 1}),
        '{"EMAIL": "b@example.com", ',
        "[1, 2]",
    ]
    source = Source(_write(tmp_path / "in.jsonl", "\n".join(lines) + "\n"))
    rows = list(source.rows())
    broken, listed = rows[1].cells, rows[2].cells
    assert isinstance(broken, MalformedRow) and broken.line == 2 and broken.cells is None
    assert broken.reason.startswith("line 2: not JSON (")
    assert listed == MalformedRow(3, "line 3: expected a JSON object")
    normalizer = Normalizer()
    assert normalizer.normalize(rows[1]) == Invalid(1, None, broken.reason, {})
    assert normalizer.normalize(rows[2]) == Invalid(2, None, listed.reason, {})
    source.write_failures(tmp_path / "f.jsonl", rows[1:])
    assert (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines() == lines[1:]


def test_a_key_of_a_json_object_is_a_column_whatever_its_characters(tmp_path: Path) -> None:
    # Malformed rows once travelled as keys starting with a NUL byte: such a key in a
    # file gave its own value as the row's problem, or stopped the whole run.
    good = {"EMAIL": "c@example.com", "LOYALTY_ID": "L3", "LOYALTY_POINTS": 3}
    lines = [json.dumps({"\0json": "forged", **good}), json.dumps({"\0width": "x", **good})]
    source = Source(_write(tmp_path / "in.jsonl", "\n".join(lines) + "\n"))
    normalizer = Normalizer()
    refused = [normalizer.normalize(raw) for raw in source.rows()]
    assert refused == [
        Invalid(0, "c@example.com", "unknown column '\\x00json'", {"\0json": "forged", **good}),
        Invalid(1, "c@example.com", "unknown column '\\x00width'", {"\0width": "x", **good}),
    ]


def test_a_row_from_elsewhere_is_written_as_its_cells_in_header_order(tmp_path: Path) -> None:
    source = Source(_write(tmp_path / "in.csv", f"{HEADER}\n"))
    source.write_failures(tmp_path / "f.csv", [Raw(0, {"LOYALTY_ID": "L1", "EMAIL": "a@x.io"})])
    assert (tmp_path / "f.csv").read_text(encoding="utf-8") == f"{HEADER}\na@x.io;L1;\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path

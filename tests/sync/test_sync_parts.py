"""The sans-IO parts of the sync: source reading, import CSV, state file, planner."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from tajo_brevo import LoyaltyProfile, Tier
from tajo_brevo.errors import StateError
from tajo_brevo.sync._csv import (
    ImportChunk,
    csv_line,
    encode_row,
    format_cell,
    json_size,
    request_body,
)
from tajo_brevo.sync._plan import Chunker, is_unchanged, state_digest, unlink_batches
from tajo_brevo.sync._program import Program
from tajo_brevo.sync._source import Raw, Source, SourceError, load_mapping
from tajo_brevo.sync._state import SCHEMA_VERSION, Confirmed, SyncState
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


# -- import CSV ----------------------------------------------------------------------------


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


# -- source --------------------------------------------------------------------------------


def test_comma_and_semicolon_sources_read_the_same(tmp_path: Path) -> None:
    comma = write(
        tmp_path / "c.csv",
        'email,loyalty_id,loyalty_points,first_name\na@example.com,L1,1200,"Ana, Jr"\n',
    )
    semi = write(
        tmp_path / "s.csv",
        "EMAIL;LOYALTY_ID;LOYALTY_POINTS;FIRSTNAME\na@example.com;L1;1200;Ana, Jr\n",
    )
    a, b = valid(rows_of(Source(comma))[0]), valid(rows_of(Source(semi))[0])
    assert Source(comma).delimiter == "," and Source(semi).delimiter == ";"
    assert a.values == b.values and a.digest == b.digest
    assert a.values["FIRSTNAME"] == "Ana, Jr"
    assert a.tier is Tier.SILVER  # computed from the points


def test_headers_are_brevo_names_or_field_names_in_any_case(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.csv",
        "Email,LOYALTY_ID,Loyalty_Points,loyalty_TIER\nA@Example.com,L1,5,gold\n",
    )
    row = valid(rows_of(Source(path))[0])
    assert row.email == "A@Example.com" and row.key == "a@example.com"
    assert row.tier is Tier.GOLD
    assert set(row.values) == {"LOYALTY_ID", "LOYALTY_POINTS", "LOYALTY_TIER"}


def test_an_empty_cell_clears_and_an_absent_column_is_untouched(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.csv",
        "EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME,FAVORITE_CATEGORIES\na@example.com,L1,10,,\n",
    )
    row = valid(rows_of(Source(path))[0])
    assert row.values["FIRSTNAME"] is None
    assert row.values["FAVORITE_CATEGORIES"] is None
    assert "LASTNAME" not in row.values


def test_a_core_field_can_not_be_cleared(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "EMAIL,LOYALTY_ID,LOYALTY_POINTS\na@example.com,,10\n")
    item = rows_of(Source(path))[0]
    assert isinstance(item, Invalid)
    assert "LOYALTY_ID" in item.reason and "cleared" in item.reason


def test_invalid_rows_carry_the_reason_and_the_raw_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.csv",
        "EMAIL,LOYALTY_ID,LOYALTY_POINTS\nnot-an-email,L1,10\nb@example.com,L2,-5\n"
        "c@example.com,L3\n",
    )
    first, second, third = rows_of(Source(path))
    assert isinstance(first, Invalid) and "email" in first.reason
    assert first.raw["EMAIL"] == "not-an-email"
    assert isinstance(second, Invalid) and "loyalty_points" in second.reason
    assert isinstance(third, Invalid) and "2 cells, header has 3" in third.reason


def test_unknown_columns_refuse_the_source_and_a_mapping_renames_them(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "mail,id,points\na@example.com,L1,10\n")
    with pytest.raises(SourceError, match="unknown column 'mail'"):
        Source(path)
    mapping_file = write(
        tmp_path / "map.json",
        json.dumps({"mail": "EMAIL", "id": "LOYALTY_ID", "points": "loyalty_points"}),
    )
    source = Source(path, mapping=load_mapping(mapping_file))
    row = valid(rows_of(source)[0])
    assert row.values["LOYALTY_ID"] == "L1" and row.values["LOYALTY_POINTS"] == 10


def test_a_source_without_email_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no EMAIL column"):
        Source(write(tmp_path / "in.csv", "LOYALTY_ID,LOYALTY_POINTS\nL1,10\n"))


def test_json_lines_null_clears_and_missing_keys_are_untouched(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.jsonl",
        '{"email": "a@example.com", "loyalty_id": "L1", "loyalty_points": 10,'
        ' "first_name": null, "favorite_categories": []}\n'
        "\n"
        "not json\n",
    )
    first, second = rows_of(Source(path))
    row = valid(first)
    assert row.values["FIRSTNAME"] is None and row.values["FAVORITE_CATEGORIES"] is None
    assert "LASTNAME" not in row.values
    assert isinstance(second, Invalid) and "line 3" in second.reason


def test_values_are_checked_against_the_account_types(tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.csv", "EMAIL,LOYALTY_ID,LOYALTY_POINTS,SHOE_SIZE\na@example.com,L1,10,42\n"
    )
    source = Source(path)
    types = {"LOYALTY_ID": "text", "LOYALTY_POINTS": "float", "LOYALTY_TIER": "text"}
    types |= {"TIER_PROGRESS": "float", "NEXT_TIER_POINTS": "float"}
    normalizer = Normalizer(attribute_types=types, columns=source.columns)
    [item] = [normalizer.normalize(raw) for raw in source.rows()]
    assert isinstance(item, Invalid) and "SHOE_SIZE does not exist" in item.reason
    normalizer = Normalizer(attribute_types=types | {"SHOE_SIZE": "float"})
    [item] = [normalizer.normalize(raw) for raw in source.rows()]
    assert valid(item).values["SHOE_SIZE"] == 42


def test_the_failures_file_has_the_inputs_format(tmp_path: Path) -> None:
    path = write(tmp_path / "in.csv", "EMAIL;LOYALTY_ID;LOYALTY_POINTS\na@example.com;L;1\n")
    source = Source(path)
    out = tmp_path / "failures.csv"
    source.write_rows(out, [{"EMAIL": "x@example.com", "LOYALTY_ID": "A;B", "LOYALTY_POINTS": ""}])
    again = Source(out)
    assert again.delimiter == ";"
    assert [r.cells for r in again.rows()] == [
        {"EMAIL": "x@example.com", "LOYALTY_ID": "A;B", "LOYALTY_POINTS": ""}
    ]


def test_a_profile_row_leaves_none_fields_alone_and_clears_empty_arrays() -> None:
    normalizer = Normalizer()
    profile = LoyaltyProfile(
        email="a@example.com", loyalty_id="L1", loyalty_points=10, favorite_categories=()
    )
    row = valid(normalizer.from_profile(0, profile))
    assert row.values["FAVORITE_CATEGORIES"] is None
    assert "FIRSTNAME" not in row.values


# -- planner -------------------------------------------------------------------------------


def make_row(n: int, tier: Tier = Tier.GOLD, **values: object) -> Row:
    normalizer = Normalizer()
    cells = {"EMAIL": f"c{n}@example.com", "LOYALTY_ID": f"L{n}", "LOYALTY_POINTS": "5"}
    cells["LOYALTY_TIER"] = tier.value
    cells.update({k: str(v) if v is not None else "" for k, v in values.items()})
    return valid(normalizer.normalize(Raw(n, cells)))


def test_chunks_group_by_lists_and_columns_and_stay_under_the_limit() -> None:
    chunker = Chunker(PROGRAM, 20_000)
    sent = []
    for n in range(300):
        ready, too_large = chunker.add(make_row(n, Tier.GOLD if n % 2 else Tier.SILVER))
        assert not too_large
        sent += ready
    sent += chunker.finish()
    assert sorted(m.index for r in sent for m in r.members) == list(range(300))
    for ready in sent:
        assert json_size(ready.chunk.body()) <= 20_000 - 4096
        assert ready.chunk.body().startswith("EMAIL;")
        tiers = {m.tier for m in ready.members}
        assert len(tiers) == 1
        assert ready.chunk.list_ids == PROGRAM.lists_for(Tier(tiers.pop()))
    other = make_row(1000, Tier.GOLD, FIRSTNAME="Ana")
    chunker.add(other)
    [alone] = chunker.finish()
    assert alone.chunk.columns == other.columns and len(alone.members) == 1


def test_a_row_too_large_for_any_chunk_is_refused() -> None:
    chunker = Chunker(PROGRAM, 10_000)
    ready, too_large = chunker.add(make_row(1, FIRSTNAME="x" * 9_000))
    assert too_large and ready == [] and chunker.finish() == []


def test_chunks_close_near_the_target_and_a_larger_row_goes_alone() -> None:
    chunker = Chunker(PROGRAM, 40_000, target_bytes=10_000)
    sent = []
    for n in range(600):
        ready, too_large = chunker.add(make_row(n))
        assert not too_large
        sent += ready
    big = make_row(1000, FIRSTNAME="x" * 20_000)  # over the target, under the limit
    ready, too_large = chunker.add(big)
    assert not too_large
    sent += ready
    ready, _ = chunker.add(make_row(1001, FIRSTNAME="y"))  # other columns: another chunk
    sent += ready
    ready, too_large = chunker.add(make_row(1002, FIRSTNAME="z" * 50_000))  # over the limit
    assert too_large
    sent += ready + chunker.finish()
    indexes = sorted(m.index for r in sent for m in r.members)
    assert indexes == [*range(600), 1000, 1001]
    for chunk in sent:
        size = json_size(chunk.chunk.body())
        assert size <= 40_000 - 4096
        assert size <= 10_000 - 4096 or [m.index for m in chunk.members] == [1000]
    assert len(sent) >= 5  # the 600 small rows (about 15 kB) took at least 3 chunks


def test_unchanged_means_the_same_values_and_lists_as_confirmed() -> None:
    row = make_row(1)
    lists = PROGRAM.lists_for(row.tier)
    from tajo_brevo.sync._state import ContactState

    same = ContactState(row.key, state_digest(row, lists), "Gold", lists, 1)
    assert is_unchanged(row, same, PROGRAM)
    assert not is_unchanged(row, None, PROGRAM)
    assert not is_unchanged(make_row(1, FIRSTNAME="B"), same, PROGRAM)
    moved = Program(all_customers=9, tier_lists=PROGRAM.tier_lists)
    assert not is_unchanged(row, same, moved)
    unconfirmed = ContactState(row.key, None, None, lists, 0)
    assert not is_unchanged(row, unconfirmed, PROGRAM)


def test_unlinks_leave_exactly_the_recorded_old_tier_list_150_at_a_time() -> None:
    from tajo_brevo.sync._state import ContactState

    movers = [ContactState(f"k{n}", b"x", "Gold", (1, 3, 4), 1) for n in range(320)]
    unknown = [ContactState("u", None, None, (1, 2, 4), 0)]
    batches = list(unlink_batches(movers + unknown, PROGRAM))
    assert [(list_id, len(b)) for list_id, b in batches] == [(3, 150), (3, 150), (3, 20)]


# -- state (SQLite files; both backends: tests/sync/test_state_backends.py) ------------


def test_state_round_trip_and_compact(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SyncState(path) as state:
        run = state.start_run("in.csv", "upsert")
        state.confirm(
            [Confirmed(f"c{n}@example.com", b"0" * 16, "Gold", (1, 4)) for n in range(3)], run
        )
        state.finish_run(run, "ok", {"counts": {"applied": 3}})
    with SyncState(path) as state:
        known = state.lookup(["c0@example.com", "nobody@example.com"])
        assert list(known) == ["c0@example.com"]
        assert known["c0@example.com"].lists == (1, 4)
        [entry] = state.history()
        assert entry.status == "ok" and entry.summary["counts"] == {"applied": 3}
        columns = [r[1] for r in state.db.execute("PRAGMA table_info(contacts)")]
        assert columns == ["key", "digest", "tier", "lists", "run", "stale", "raw"]


#: The schema 1 tables as tajo-brevo 0.1 wrote them (before the raw-row hash).
_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE contacts (key TEXT PRIMARY KEY, digest BLOB, tier TEXT, lists TEXT NOT NULL,
    run INTEGER NOT NULL, stale INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX contacts_stale ON contacts (stale) WHERE stale = 1;
CREATE TABLE runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT,
    source TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL, summary TEXT);
CREATE TABLE inflight (id INTEGER PRIMARY KEY, run INTEGER NOT NULL, kind TEXT NOT NULL,
    lists TEXT NOT NULL, process_id INTEGER, maybe TEXT NOT NULL DEFAULT '');
CREATE TABLE inflight_rows (chunk INTEGER NOT NULL, key TEXT NOT NULL, email TEXT NOT NULL,
    digest BLOB NOT NULL, tier TEXT NOT NULL, idx INTEGER NOT NULL,
    PRIMARY KEY (chunk, key)) WITHOUT ROWID;
INSERT INTO meta VALUES ('application', 'tajo-brevo sync state');
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO contacts VALUES ('a@example.com', x'31313131313131313131313131313131', 'Gold',
    '1,4', 1, 0);
INSERT INTO inflight VALUES (7, 1, 'import', '1,4', 99, '');
INSERT INTO inflight_rows VALUES (7, 'b@example.com', 'B@example.com',
    x'32323232323232323232323232323232', 'Silver', 3);
"""


def schema_1_state(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA_1)
    db.close()
    return path


def test_a_schema_1_state_is_migrated_keeping_everything_without_raw_hashes(
    tmp_path: Path,
) -> None:
    path = schema_1_state(tmp_path / "old.db")
    with SyncState(path, read_only=True) as old:  # history reads it as it is
        assert old.history() == []
    with SyncState(path) as state:
        version = state.db.execute("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version.fetchone()[0] == str(SCHEMA_VERSION) == "3"
        [known] = state.lookup(["a@example.com"]).values()
        assert (known.digest, known.tier, known.lists, known.raw) == (
            b"1" * 16,
            "Gold",
            (1, 4),
            None,
        )
        [chunk] = state.inflight()
        assert (chunk.id, chunk.process_id) == (7, 99)
        [m] = state.chunk_rows(7)
        assert (m.key, m.email, m.digest, m.tier, m.index, m.raw) == (
            "b@example.com",
            "B@example.com",
            b"2" * 16,
            "Silver",
            3,
            None,
        )
        # The migrated state takes new rows with their raw hash.
        state.confirm([Confirmed("c@example.com", b"3" * 16, "Bronze", (1, 2), raw=b"r" * 16)], 2)
        assert state.lookup(["c@example.com"])["c@example.com"].raw == b"r" * 16


def test_a_newer_or_foreign_state_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SyncState(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(StateError, match="newer tajo-brevo"):
        SyncState(path)
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE x (a)")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="not a tajo-brevo sync state"):
        SyncState(other)
    junk = write(tmp_path / "junk.db", "this is not sqlite at all, not even close" * 50)
    with pytest.raises(StateError, match="not a tajo-brevo state file"):
        SyncState(junk)


@pytest.mark.parametrize("points", [0, 999.5, 1000, 1499.99, 2500, 1e7, 1234.5678])
def test_the_computed_tier_equals_with_tier(points: float) -> None:
    normalizer = Normalizer()
    profile = LoyaltyProfile(email="a@example.com", loyalty_id="L1", loyalty_points=points)
    attributes, tier = normalizer._encode(profile)
    expected = profile.with_tier(normalizer.policy)
    assert attributes == expected.to_attributes()
    assert tier is expected.loyalty_tier
    assert {k: type(v) for k, v in attributes.items()} == {
        k: type(v) for k, v in expected.to_attributes().items()
    }

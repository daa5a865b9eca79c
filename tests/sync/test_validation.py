"""Rows read from a source and validated: columns, clearing, types, reasons, failures file
(``sync/_source.py``, ``sync/_validation.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _parts_support import rows_of, valid, write
from tajo_brevo import LoyaltyProfile, Tier
from tajo_brevo.sync._source import Source, SourceError, load_mapping
from tajo_brevo.sync._validation import Invalid, Normalizer


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

"""The sync's shortcuts are invisible: the raw-row hash and the fast validation path.

An unchanged row is recognised by a hash of its text and of a run fingerprint, without
validating it; anything that changes what would be sent (mapping, column order, tier
policy) must not be taken for unchanged. The fast validation path must give exactly what
the full path (a LoyaltyProfile) gives, for every row.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _scenario_support import Driver, sync
from hypothesis import given, settings
from hypothesis import strategies as st
from tajo_brevo import TierPolicy
from tajo_brevo._profile_codec import BY_ATTRIBUTE
from tajo_brevo.attributes import TAJO_ATTRIBUTES
from tajo_brevo.sync import _source, _validation
from tajo_brevo.sync._csv import csv_line, format_number, json_size, quote
from tajo_brevo.sync._source import MalformedRow, Raw
from tajo_brevo.sync._validation import Invalid, Normalizer, Row

WRITES = {"POST", "PUT", "DELETE"}


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def writes_since(driver: Driver, mark: int) -> int:
    return sum(1 for r in list(driver.mock.requests)[mark:] if r.method in WRITES)


def attributes(driver: Driver, email: str) -> dict[str, Any]:
    found = driver.mock.state.contact_by_email(email)
    assert found is not None, email
    return dict(found.attributes)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts rows validated (fast or full path) by the sync."""
    seen: list[int] = []
    original = Normalizer.normalize

    def counted(self: Normalizer, raw: Raw, raw_digest: bytes | None = None) -> Row | Invalid:
        seen.append(raw.index)
        return original(self, raw, raw_digest)

    monkeypatch.setattr(Normalizer, "normalize", counted)
    return seen


ROWS = [f"c{i}@example.com,L{i},{100 + i},Ann{i},Lee{i}" for i in range(60)]
HEADER = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME,LASTNAME"


def test_an_unchanged_row_is_not_validated_again(
    brevo: Driver, tmp_path: Path, validations: list[int]
) -> None:
    source = write_csv(tmp_path / "in.csv", HEADER, ROWS)
    state = tmp_path / "s.db"
    assert sync(brevo, source, state=state).counts == {"applied": 60}
    assert len(validations) == 60
    changed = list(ROWS)
    changed[5] = "c5@example.com,L5,105,Changed,Lee5"
    write_csv(source, HEADER, changed)
    validations.clear()
    mark = len(brevo.mock.requests)
    assert sync(brevo, source, state=state).counts == {"unchanged": 59, "updated": 1}
    assert validations == [5]  # only the changed row took the full path
    assert writes_since(brevo, mark) == 1
    validations.clear()
    mark = len(brevo.mock.requests)
    assert sync(brevo, source, state=state).counts == {"unchanged": 60}
    assert validations == [] and writes_since(brevo, mark) == 0


def test_a_state_without_raw_hashes_takes_the_full_path_once(
    brevo: Driver, tmp_path: Path, validations: list[int]
) -> None:
    source = write_csv(tmp_path / "in.csv", HEADER, ROWS)
    state = tmp_path / "s.db"
    sync(brevo, source, state=state)
    db = sqlite3.connect(state)
    db.execute("UPDATE contacts SET raw = NULL")  # as a state migrated from schema 1
    db.commit()
    db.close()
    validations.clear()
    mark = len(brevo.mock.requests)
    assert sync(brevo, source, state=state).counts == {"unchanged": 60}
    assert len(validations) == 60 and writes_since(brevo, mark) == 0
    validations.clear()
    assert sync(brevo, source, state=state).counts == {"unchanged": 60}
    assert validations == []


def test_a_changed_mapping_is_not_taken_for_unchanged(brevo: Driver, tmp_path: Path) -> None:
    header = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,nick"
    source = write_csv(tmp_path / "in.csv", header, [r.rsplit(",", 1)[0] for r in ROWS])
    state = tmp_path / "s.db"
    sync(brevo, source, state=state, mapping={"nick": "FIRSTNAME"})
    assert attributes(brevo, "c3@example.com")["FIRSTNAME"] == "Ann3"
    report = sync(brevo, source, state=state, mapping={"nick": "LASTNAME"})
    assert report.counts == {"updated": 60}
    assert attributes(brevo, "c3@example.com")["LASTNAME"] == "Ann3"


def test_reordered_columns_with_the_same_cells_are_not_taken_for_unchanged(
    brevo: Driver, tmp_path: Path
) -> None:
    state = tmp_path / "s.db"
    sync(brevo, write_csv(tmp_path / "in.csv", HEADER, ROWS), state=state)
    swapped = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,LASTNAME,FIRSTNAME"
    # The same text on every line; the columns mean something else.
    report = sync(brevo, write_csv(tmp_path / "in.csv", swapped, ROWS), state=state)
    assert report.counts == {"updated": 60}
    found = attributes(brevo, "c3@example.com")
    assert (found["FIRSTNAME"], found["LASTNAME"]) == ("Lee3", "Ann3")


def test_a_changed_tier_policy_is_not_taken_for_unchanged(brevo: Driver, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", HEADER, ROWS)
    state = tmp_path / "s.db"
    sync(brevo, source, state=state)
    assert attributes(brevo, "c3@example.com")["LOYALTY_TIER"] == "Bronze"
    low = TierPolicy(silver=50, gold=1000, platinum=2000)
    report = sync(brevo, source, state=state, policy=low)
    assert report.counts == {"updated": 60}
    assert attributes(brevo, "c3@example.com")["LOYALTY_TIER"] == "Silver"


# -- the fast validation path equals the full path ------------------------------------------

#: Per column: values the full path accepts (blank clears), then values it refuses or that
#: sit on an edge (whitespace, limits, escapes). Most drawn cells are of the first kind, so
#: that most rows are valid and the two paths' values are compared, not just two refusals.
_CELLS: dict[str, tuple[list[str], list[str]]] = {
    "EMAIL": (
        ["a@example.com", " B@Example.com ", "x.y+z@sub.example.org"],
        ["bad", "a@@x.com", "é@x.com", "", "a@x", ".a@x.com", "a\ud800@example.com"],
    ),
    "LOYALTY_ID": (["L1", " L2 ", "12", "L 3"], ["", "  ", "L\x01", "x" * 70000, "L\udfff"]),
    "LOYALTY_POINTS": (
        ["0", "1500", " 2500.5 ", "12.0", "+7", " 3 ", "999.999", "1e3", "1_000", "1000"],
        ["-1", "abc", "", "nan", "inf", "9007199254740993", "9007199254740992", "1e400"],
    ),
    "LOYALTY_TIER": (["", "gold", "Gold", " PLATINUM ", "bronze", "SILVER"], ["tin", "1"]),
    "TIER_PROGRESS": (["", "50", "-0", "99.9", "100", "0.5"], ["101", "-1", "x"]),
    "FIRSTNAME": (
        ["Ann", "", " ", " Bo ", "x;y", 'a"b', "a\rb", "a\nb", "\u00e9l\u00e8ne", "a\tb"],
        ["a\x7f", "x" * 70000, "a\x00b", "\ud83d"],
    ),
    "SMS": (["", "+33612345678", "33612345678", " +4915112345678 "], ["123", "phone", "+1 23"]),
    "ENGAGEMENT_SCORE": (["", "1", "10", "5.5", " 7 "], ["0", "10.5", "x"]),
    "LAST_PURCHASE": (
        ["", "2024-01-02", " 2024-02-29 ", "2024-01-02T10:00:00Z", "2024-01-02T23:59:59+02:00"],
        ["2024-02-30", "2024-1-2", "02/01/2024"],
    ),
    "FAVORITE_CATEGORIES": (
        ["", "Home,Books", ",", "a\\,b", " x , y ,", "\\", "a\\\\b", "Home"],
        ["," * 40000, ("x" * 9 + ",") * 7000, "a\x01", "Home,\ud800", "a\x01,b"],
    ),
    "SEASONAL_BUYER": (["", "yes", "No", "1", " TRUE ", "false"], ["maybe", "2"]),
    "PREFERRED_CHANNEL": (["", "sms", "WhatsApp", " email "], ["fax"]),
    "CLUB": (["", "Gold Club", " x ", "1500"], ["a\x00b", "x" * 70000]),
    "VISITS": (["", "3", "3.5", " 12 ", "0"], ["many", "1e400", "nan"]),
    "JOINED": (["", "2020-05-06", "2020-05-06T01:02:03Z"], ["2020-13-01", "06/05/2020"]),
    "VIP": (["", "true", "0", "No"], ["perhaps"]),
}
_EXTRA_TYPES = {"CLUB": "text", "VISITS": "float", "JOINED": "date", "VIP": "boolean"}
_ACCOUNT = {**{n: a.type for n, a in TAJO_ATTRIBUTES.items()}, **_EXTRA_TYPES}


@st.composite
def raw_rows(draw: st.DrawFn) -> dict[str, str]:
    columns = draw(
        st.lists(st.sampled_from(sorted(_CELLS)), unique=True, min_size=0, max_size=len(_CELLS))
    )
    if draw(st.integers(0, 9)) > 0:
        columns = list(dict.fromkeys(["EMAIL", "LOYALTY_ID", "LOYALTY_POINTS", *columns]))
    row: dict[str, str] = {}
    for column in columns:
        good, bad = _CELLS[column]
        kind = draw(st.integers(0, 39))
        if kind == 0:
            row[column] = draw(st.text(max_size=8))
        elif kind == 1:
            row[column] = draw(st.sampled_from(bad))
        else:
            row[column] = draw(st.sampled_from(good))
    return row


def outcome(item: Row | Invalid) -> tuple[Any, ...]:
    if isinstance(item, Invalid):
        return ("invalid", item.index, item.email, item.reason)
    typed = sorted((k, type(v).__name__, repr(v)) for k, v in item.values.items())
    return ("row", item.email, item.key, item.tier, typed, item.digest)


@pytest.mark.parametrize(
    "account",
    [
        _ACCOUNT,
        None,  # no account types: nothing checked against them
        {**_ACCOUNT, "LOYALTY_POINTS": "text", "VISITS": "text"},  # types that differ
        {k: v for k, v in _ACCOUNT.items() if k not in ("TIER_PROGRESS", "CLUB")},  # missing
    ],
    ids=["account", "no-types", "other-types", "missing"],
)
@settings(max_examples=300, deadline=None, derandomize=True)
@given(row=raw_rows())
def test_the_fast_path_gives_what_the_full_path_gives(
    account: dict[str, str] | None, row: dict[str, str]
) -> None:
    fast = Normalizer(attribute_types=account)
    full = Normalizer(attribute_types=account, fast=False)
    raw = Raw(0, row)
    assert outcome(fast.normalize(raw)) == outcome(full.normalize(raw))


#: A ``--mapping``: source column (case-folded) -> a Brevo attribute or a profile field.
_MAPPING = {
    "points": "LOYALTY_POINTS",
    "e-mail": "EMAIL",
    "member": "loyalty_id",
    "categories": "favorite_categories",
    "club name": "CLUB",
}
#: Cells a JSON Lines row or an API caller may give besides text, and text on an edge:
#: lone surrogates, numbers too large for a float or an exact integer, other digits.
_ODD_CELLS: list[Any] = [
    None,
    0,
    1500,
    -1,
    2.5,
    10**30,
    1e308,
    float("nan"),
    True,
    False,
    [],
    ["Home", "Books"],
    [1],
    {"a": 1},
    "L\ud800",
    "\udfff",
    "a\ud83d@example.com",
    "1" + "0" * 400,
    "9" * 20,
    "1e-400",
    "0x10",
    "\u0661\u0662",
    "\u00bd",
    "\u00a0",
    "\u200b",
]
#: Rows a file can't give as cells.
_MALFORMED = [
    MalformedRow(4, "line 4: 2 cells, header has 3", ("a@example.com", "L1")),
    MalformedRow(5, "line 5: not JSON (Expecting value: line 1 column 1 (char 0))"),
    MalformedRow(6, "line 6: expected a JSON object"),
]


def _headers(attribute: str) -> list[str]:
    """Headers that name the attribute: as Brevo spells it, in other cases, the profile
    field's name, a column the mapping renames to it."""
    names = [attribute]
    if attribute in BY_ATTRIBUTE or attribute == "EMAIL":
        names += [attribute.lower(), f" {attribute.title()} "]
    if attribute in BY_ATTRIBUTE:
        names.append(BY_ATTRIBUTE[attribute].name)
    for column, target in _MAPPING.items():
        if target.upper() == attribute:
            names += [column, column.title()]
    return names


@st.composite
def source_rows(draw: st.DrawFn) -> Raw:
    """Any row a source may give: headers spelled every way, cells of any JSON type or
    odd text, a column named twice or unknown, a malformed row."""
    if draw(st.integers(0, 19)) == 0:
        return Raw(0, draw(st.sampled_from(_MALFORMED)))
    columns = draw(st.lists(st.sampled_from(sorted(_CELLS)), unique=True, max_size=8))
    if draw(st.integers(0, 9)) > 0:
        columns = list(dict.fromkeys(["EMAIL", "LOYALTY_ID", "LOYALTY_POINTS", *columns]))
    # Cells the full path accepts, but for one at most: that one decides the outcome.
    odd = draw(st.integers(-1, len(columns) - 1)) if columns else -1
    row: dict[str, Any] = {}
    for number, column in enumerate(columns):
        header = draw(st.sampled_from(_headers(column)))
        good, bad = _CELLS[column]
        if number != odd:
            row[header] = draw(st.sampled_from(good))
            continue
        row[header] = draw(
            st.one_of(
                st.sampled_from(bad),
                st.sampled_from(_ODD_CELLS),
                st.text(st.characters(codec=None), max_size=6),
            )
        )
    if draw(st.integers(0, 19)) == 0:
        row[draw(st.sampled_from(["mystery", "club", "Points", " EMAIL"]))] = "7"
    return Raw(0, row)


@pytest.mark.parametrize(
    "account",
    [_ACCOUNT, None, {**_ACCOUNT, "FIRSTNAME": "float", "CLUB": "date"}],
    ids=["account", "no-types", "other-types"],
)
@settings(max_examples=300, deadline=None, derandomize=True)
@given(raw=source_rows())
def test_the_two_paths_agree_on_any_row_a_source_gives(
    account: dict[str, str] | None, raw: Raw
) -> None:
    # The same Row (values, tier, hash) or the same refusal (same reason) either way.
    fast = Normalizer(attribute_types=account, mapping=_MAPPING)
    full = Normalizer(attribute_types=account, mapping=_MAPPING, fast=False)
    assert outcome(fast.normalize(raw)) == outcome(full.normalize(raw))


def test_the_fast_path_is_taken_for_an_ordinary_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # Else the test above would compare the full path with itself.
    def refuse(*args: Any) -> Any:
        raise AssertionError("full path taken")

    normalizer = Normalizer(attribute_types=_ACCOUNT)
    monkeypatch.setattr(_validation.LoyaltyProfile, "from_row", refuse)
    cells = {"EMAIL": "a@example.com", "LOYALTY_ID": "L1", "LOYALTY_POINTS": "1600"}
    cells |= {"FAVORITE_CATEGORIES": "Home,Books", "LAST_PURCHASE": "2024-01-02", "VIP": "yes"}
    row = normalizer.normalize(Raw(0, cells))
    assert isinstance(row, Row) and row.tier.value == "Gold"
    assert row.values["VIP"] is True and row.values["LOYALTY_POINTS"] == 1600


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_plain_numbers_are_written_as_decimal_would_write_them(value: float) -> None:
    # format_number skips Decimal when repr has no exponent: the text must not change.
    assert format_number(value) == format(Decimal(repr(value)), "f")


@given(
    cells=st.lists(
        st.one_of(
            st.text(max_size=6),
            st.text(alphabet=' ;"\r\n\t\x1c\x85\u3000ab', max_size=4),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_a_line_is_quoted_exactly_as_cell_by_cell_quoting(cells: list[str]) -> None:
    # csv_line skips quote() when one search of the line finds nothing to quote.
    assert csv_line(cells) == ";".join(quote(cell) for cell in cells) + "\n"


def test_one_column_is_read_with_the_row_numbers_of_whole_rows(tmp_path: Path) -> None:
    # Pass one reads only the email column: its numbering must be that of rows().
    text = (
        "EMAIL;LOYALTY_ID;LOYALTY_POINTS\n"
        "a@example.com;L1;1\n"
        "\n"
        ";;\n"
        " ;L2;2\n"
        "b@example.com;L3\n"
        "  ; ;\n"
        "c@example.com;L4;4;extra\n"
        "d@example.com;L5;5\n"
    )
    source = _source.Source(write_text(tmp_path / "in.csv", text))
    expected = [
        (raw.index, None if isinstance(raw.cells, _source.MalformedRow) else raw.cells.get("EMAIL"))
        for raw in source.rows()
    ]
    assert list(source.csv_cells("EMAIL")) == expected
    assert [i for i, _ in expected] == [0, 1, 2, 3, 4]


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@given(text=st.one_of(st.text(max_size=12), st.text(max_size=12).map(lambda t: t + "\n")))
def test_the_json_size_of_a_line_is_that_of_json_dumps(text: str) -> None:
    # json_size skips json.dumps for plain ASCII lines: the size must not change.
    assert json_size(text) == len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2

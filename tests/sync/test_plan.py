"""The planner: chunks, the unchanged test, unlink batches (``sync/_plan.py``)."""

from __future__ import annotations

from _parts_support import PROGRAM, valid
from tajo_brevo import Tier
from tajo_brevo.sync._csv import json_size
from tajo_brevo.sync._plan import Chunker, is_unchanged, state_digest, unlink_batches
from tajo_brevo.sync._program import Program
from tajo_brevo.sync._source import Raw
from tajo_brevo.sync._validation import Normalizer, Row


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

"""Progress events of a sync: every phase in order, counts that never run ahead."""

from __future__ import annotations

from pathlib import Path

from _scenario_support import Driver, sync
from tajo_brevo import SyncProgress
from tajo_brevo.sync._progress import PHASES

HEADER = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME"
FAST = {"poll_interval": 0.01, "max_poll_interval": 0.05}


def write_csv(path: Path, points: list[int]) -> Path:
    lines = [f"c{i}@example.com,L{i},{p},Ana{i}" for i, p in enumerate(points)]
    path.write_text(HEADER + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def check(events: list[SyncProgress]) -> list[str]:
    """The phases in the order they started; asserts each phase's counts are sane."""
    order: list[str] = []
    for event in events:
        if not order or order[-1] != event.phase:
            assert event.phase not in order, f"{event.phase} started twice: {order}"
            order.append(event.phase)
        assert event.done >= 0
        if event.total is not None:
            assert event.done <= event.total, event
    assert order == sorted(order, key=PHASES.index), order
    for phase in order:
        mine = [e for e in events if e.phase == phase]
        dones = [e.done for e in mine]
        assert dones == sorted(dones), (phase, dones)
        # done == total only once the phase's work is over: at its last event.
        full = [i for i, e in enumerate(mine) if e.total is not None and e.done == e.total]
        assert all(i >= len(mine) - 1 or mine[i + 1].done == mine[i].done for i in full), (
            phase,
            mine,
        )
    return order


def test_a_run_reports_its_phases_in_order_with_sane_counts(brevo: Driver, tmp_path: Path) -> None:
    events: list[SyncProgress] = []
    state = tmp_path / "s.db"
    rows = 300
    first = sync(
        brevo,
        write_csv(tmp_path / "in.csv", [100] * rows),
        state=state,
        import_chunk_bytes=10_000,
        progress=events.append,
        **FAST,
    )
    imports = first.plan["import_chunks"]
    assert first.counts == {"applied": rows} and imports > 1
    assert check(events) == ["provisioning", "checking", "reading", "sending", "processing", "done"]
    reading = [e for e in events if e.phase == "reading"]
    assert reading[-1].done == reading[-1].total == rows
    assert all(e.total in (None, rows) for e in reading)
    sending = [e for e in events if e.phase == "sending"]
    assert sending[-1].done == sending[-1].total == rows
    processing = [e for e in events if e.phase == "processing"]
    assert all(e.unit == "imports" and e.total == imports for e in processing)
    assert processing[0].done == 0 and processing[-1].done == imports
    assert events[-1] == SyncProgress("done", rows, rows, "rows", rows)

    # A second run: 60 customers move up a tier (imports, then unlinks), read back.
    events.clear()
    again = sync(
        brevo,
        write_csv(tmp_path / "in.csv", [100] * (rows - 60) + [6000] * 60),
        state=state,
        verify=True,
        progress=events.append,
        **FAST,
    )
    assert again.counts == {"unchanged": rows - 60, "updated": 60}
    assert again.plan["unlink_requests"] == 1
    assert check(events) == [
        "provisioning",
        "checking",
        "reading",
        "sending",
        "processing",
        "unlinking",
        "verifying",
        "done",
    ]
    unlinking = [e for e in events if e.phase == "unlinking"]
    assert (unlinking[0].done, unlinking[-1].done, unlinking[-1].total) == (0, 1, 1)
    verifying = [e for e in events if e.phase == "verifying"]
    assert verifying[-1].done == verifying[-1].total == 60

"""The CLI's progress views, fed sequences of ``SyncProgress`` events on a fake clock."""

from __future__ import annotations

import io
import re

import pytest
from tajo_brevo import SyncProgress
from tajo_brevo._cli_progress import (
    NoProgress,
    PlainProgress,
    TerminalProgress,
    describe_event,
    progress_view,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def run(view_type: type, events: list[tuple[float, SyncProgress]], **kwargs: object) -> str:
    """Feed ``events`` (seconds since the start, event) to a view; return what it wrote."""
    clock, out = Clock(), io.StringIO()
    view = view_type(out, clock=clock, **kwargs)
    for at, event in events:
        clock.now = 100.0 + at
        view(event)
    view.close()
    return out.getvalue()


def P(phase: str, done: int = 0, total: int | None = None, unit: str = "rows") -> SyncProgress:
    return SyncProgress(phase, done, total, unit, rows_read=done if phase == "reading" else 0)  # type: ignore[arg-type]


# A run as the engine emits it: provisioning, reading 3,000 rows, sending them in
# imports, 4 imports processed by Brevo, the tier moves, done.
RUN = [
    (0.0, P("provisioning", 0, None, "requests")),
    (0.8, P("checking", 0, None, "requests")),
    (0.9, P("reading", 0, None)),
    (1.0, P("reading", 0, 3000)),
    (1.5, P("reading", 1000, 3000)),
    (2.0, P("reading", 2000, 3000)),
    (2.5, P("reading", 3000, 3000)),
    (2.5, P("sending", 0, 3000)),
    (3.5, P("sending", 1000, 3000)),
    (4.5, P("sending", 2999, 3000)),
    (4.6, P("sending", 3000, 3000)),
    (4.6, P("processing", 0, 4, "imports")),
    (6.0, P("processing", 1, 4, "imports")),
    (9.0, P("processing", 4, 4, "imports")),
    (9.1, P("unlinking", 0, 8, "requests")),
    (9.5, P("unlinking", 8, 8, "requests")),
    (9.5, P("done", 3000, 3000)),
]


def test_a_line_never_says_100_percent_while_work_remains() -> None:
    assert "(99 %)" in describe_event(P("sending", 2999, 3000), 3.0)
    assert "(100 %)" in describe_event(P("sending", 3000, 3000), 3.0)
    assert "(0 %)" in describe_event(P("sending", 0, 3000), 0.0)


def test_rate_and_time_left_only_when_the_total_is_known() -> None:
    line = describe_event(P("sending", 1000, 3000), 2.0)
    assert line == "sending: 1,000 of 3,000 rows (33 %), 500 rows/s, about 4 s left"
    streamed = describe_event(P("reading", 5000, None), 2.0)
    assert streamed == "reading and planning: 5,000 rows, 2,500 rows/s"
    assert "left" not in streamed and "%" not in streamed
    # Too early for a rate: none is guessed.
    assert describe_event(P("sending", 10, 3000), 0.2) == "sending: 10 of 3,000 rows (0 %)"


def test_processing_says_how_many_imports_brevo_is_working_on() -> None:
    line = describe_event(P("processing", 1, 4, "imports"), 3.2)
    assert line == "waiting for Brevo to process 4 imports: 1 of 4 done, 3 s so far"
    assert "left" not in line


def test_a_phase_without_counts_says_only_what_it_is() -> None:
    assert describe_event(P("provisioning", 0, None, "requests"), 0.1) == (
        "provisioning the program (attributes, folder, lists) ..."
    )
    final = describe_event(P("provisioning", 0, None, "requests"), 0.8, final=True)
    assert final == "provisioning the program (attributes, folder, lists): in 0.8 s"


def test_the_terminal_view_leaves_one_line_per_phase_in_order() -> None:
    written = run(TerminalProgress, RUN, width=200, refresh=0.0)
    lines = written.split("\n")
    assert lines[-1] == ""  # the last phase's line is finished
    finals = [line.rsplit("\r", 1)[-1].replace("\x1b[K", "") for line in lines[:-1]]
    assert finals == [
        "provisioning the program (attributes, folder, lists): in 0.8 s",
        "checking the account against the state: in 0.1 s",
        "reading and planning: 3,000 of 3,000 rows (100 %), in 1.6 s, 1,875 rows/s",
        "sending: 3,000 of 3,000 rows (100 %), in 2.1 s, 1,429 rows/s",
        "waiting for Brevo to process 4 imports: 4 of 4 done, in 4.5 s",
        "unlinking old tier lists: 8 of 8 requests (100 %), in 0.4 s",
    ]
    # Every state drawn in place: never 100 % while rows remain.
    for frame in re.split(r"[\r\n]", written):
        found = re.search(r"([\d,]+) of ([\d,]+) \w+ \(100 %\)", frame)
        if found:
            assert found.group(1) == found.group(2), frame
    assert "sending: 2,999 of 3,000 rows (99 %)" in written


def test_the_terminal_view_redraws_at_most_every_refresh_interval() -> None:
    events = [(i * 0.01, P("sending", i, 1000)) for i in range(1, 101)]
    written = run(TerminalProgress, events, width=200, refresh=0.25)
    assert 3 <= written.count("\r") <= 7  # 1 s of events, 100 of them


def test_the_terminal_view_cuts_a_line_to_the_width() -> None:
    written = run(TerminalProgress, [(0.0, P("sending", 1, 3000))], width=20, refresh=0.0)
    for frame in re.split(r"[\r\n]", written.replace("\x1b[K", "")):
        assert len(frame) <= 19


def test_plain_lines_say_each_phase_start_and_end_and_at_most_one_per_interval() -> None:
    slow = [(0.0, P("sending", 0, 10_000))] + [
        (i * 0.5, P("sending", i * 100, 10_000)) for i in range(1, 41)
    ]
    lines = run(PlainProgress, slow, interval=5.0).splitlines()
    assert "\r" not in "".join(lines)
    assert lines[0] == "sending: 0 of 10,000 rows (0 %)"
    assert lines[-1].startswith("sending: 4,000 of 10,000 rows (40 %), in 20.0 s")
    assert len(lines) == 2 + 4  # start, every 5 s over 20 s, end


def test_plain_lines_of_a_whole_run() -> None:
    lines = run(PlainProgress, RUN).splitlines()
    phases = [line.split(":")[0] for line in lines]
    assert phases == [
        "provisioning the program (attributes, folder, lists) ...",
        "provisioning the program (attributes, folder, lists)",
        "checking the account against the state ...",
        "checking the account against the state",
        "reading and planning ...",
        "reading and planning",
        "sending",
        "sending",
        "waiting for Brevo to process 4 imports",
        "waiting for Brevo to process 4 imports",
        "unlinking old tier lists",
        "unlinking old tier lists",
    ]


def test_json_shows_nothing_but_counts_the_rows_read() -> None:
    clock, out = Clock(), io.StringIO()
    view = NoProgress(out, clock=clock)
    for _, event in RUN:
        view(event)
    view.close()
    assert out.getvalue() == ""
    assert view.rows_read == 3000


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("json", "stream", "expected"),
    [
        (True, Tty(), NoProgress),
        (False, Tty(), TerminalProgress),
        (False, io.StringIO(), PlainProgress),
    ],
)
def test_the_view_follows_the_output(json: bool, stream: io.StringIO, expected: type) -> None:
    assert type(progress_view(json=json, stream=stream)) is expected


def test_a_run_that_stops_says_where_it_stopped() -> None:
    clock, out = Clock(), io.StringIO()
    view = PlainProgress(out, clock=clock)
    view(P("sending", 0, 3000))
    clock.now += 2.0
    view(P("sending", 1200, 3000))
    view.close(ok=False)
    last = out.getvalue().splitlines()[-1]
    assert last == "sending: 1,200 of 3,000 rows (40 %), stopped after 2.0 s"


def test_a_dry_run_never_says_it_sends() -> None:
    written = run(
        PlainProgress,
        [(0.0, P("provisioning", 0, None, "requests")), (0.1, P("sending", 2, 2))],
        dry_run=True,
    )
    assert "sending" not in written
    assert "reading the program's attributes (dry run)" in written
    assert "would send (dry run): 2 of 2 rows (100 %)" in written


@pytest.mark.parametrize("view_type", [PlainProgress, TerminalProgress])
def test_a_phase_with_nothing_to_do_has_no_line(view_type: type) -> None:
    events = [
        (0.0, P("sending", 3, 3)),
        (0.1, P("processing", 0, 0, "imports")),
        (0.2, P("processing", 0, 0, "imports")),
        (0.3, P("done", 3, 3)),
    ]
    written = run(view_type, events)
    assert "sending: 3 of 3 rows" in written
    assert "waiting" not in written

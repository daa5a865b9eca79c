"""How ``tajo-brevo sync`` and ``demo`` show a run's progress events (``SyncProgress``).

Three views, chosen by :func:`progress_view`:

- on a terminal, one line per phase, rewritten in place while the phase runs and left
  behind when the next one starts: ``sending: 1,200 of 3,000 rows (40 %), 800 rows/s,
  about 2 s left``; a percentage and a time left only when the phase's total is known,
  and never 100 % while work remains;
- plain lines when the output is a file or a pipe (a log): one when a phase starts, then
  at most one every ``interval`` seconds, and the phase's last state when it ends;
- nothing with ``--json`` (the report is the only output), though the rows read are
  still counted for the report's header.

Progress goes to stdout, with the report: stderr carries only the error line of a
failed run. The views only read events; they never change the run.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import IO

from .sync._progress import SyncProgress

__all__ = [
    "PHASE_TITLES",
    "NoProgress",
    "PlainProgress",
    "ProgressView",
    "TerminalProgress",
    "describe_event",
    "progress_view",
]

#: What each phase is called on screen.
PHASE_TITLES: dict[str, str] = {
    "provisioning": "provisioning the program (attributes, folder, lists)",
    "checking": "checking the account against the state",
    "reading": "reading and planning",
    "sending": "sending",
    "processing": "waiting for Brevo to process",
    "unlinking": "unlinking old tier lists",
    "verifying": "verifying",
    "done": "done",
}
#: Titles that differ in a dry run (nothing is written: nothing is provisioned or sent).
DRY_RUN_TITLES: dict[str, str] = {
    "provisioning": "reading the program's attributes (dry run)",
    "sending": "would send (dry run)",
}


def _count(n: int) -> str:
    return f"{n:,}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, math.ceil(seconds))} s"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _percent(done: int, total: int) -> int:
    """Whole percent done; 100 only when nothing remains."""
    if total <= 0:
        return 100
    if done >= total:
        return 100
    return min(99, done * 100 // total)


def describe_event(
    event: SyncProgress,
    elapsed: float,
    first_done: int = 0,
    *,
    final: bool = False,
    stopped: bool = False,
    dry_run: bool = False,
) -> str:
    """One line for ``event``, ``elapsed`` seconds into its phase.

    Args:
        event: the latest event of the phase.
        elapsed: seconds since the phase started.
        first_done: ``done`` when the phase started (a resumed count), for the rate.
        final: the phase is over: say how long it took instead of what is left.
        stopped: the run stopped in this phase (an error, Ctrl-C): say so.
        dry_run: the run writes nothing: phases that would write say so.
    """
    took = f"stopped after {elapsed:.1f} s" if stopped else f"in {elapsed:.1f} s"
    final = final or stopped
    unit = event.unit
    total = event.total
    if event.phase == "done":
        return PHASE_TITLES["done"]
    if event.phase == "processing":
        imports = total if total is not None else event.done
        head = f"waiting for Brevo to process {_count(imports)} import{'s' * (imports != 1)}"
        parts = [f"{_count(event.done)} of {_count(imports)} done"] if total is not None else []
        # No rate or time left: Brevo processes imports at its own pace. The seconds
        # waited so far show that the run is alive.
        parts.append(took if final else f"{elapsed:.0f} s so far")
        return f"{head}: " + ", ".join(parts)
    titles = {**PHASE_TITLES, **DRY_RUN_TITLES} if dry_run else PHASE_TITLES
    head = titles.get(event.phase, event.phase)
    parts = []
    if total is not None:
        parts.append(
            f"{_count(event.done)} of {_count(total)} {unit} ({_percent(event.done, total)} %)"
        )
    elif event.done:
        parts.append(f"{_count(event.done)} {unit}")
    moved = event.done - first_done
    rate = moved / elapsed if elapsed > 0 else 0.0
    if final:
        parts.append(took)
        if moved and elapsed >= 0.5 and not stopped:
            parts.append(f"{rate:,.0f} {unit}/s")
    elif elapsed >= 1.0 and moved > 0:
        parts.append(f"{rate:,.0f} {unit}/s")
        if total is not None and event.done < total:
            parts.append(f"about {_duration((total - event.done) / rate)} left")
    return f"{head}: " + ", ".join(parts) if parts else f"{head} ..."


class ProgressView:
    """What every view shares: the current phase, its start, and the rows read so far.

    Call it with each ``SyncProgress``; call :meth:`close` when the run ends (whatever
    way it ends) to finish the last line.
    """

    def __init__(
        self,
        stream: IO[str],
        *,
        dry_run: bool = False,
        indent: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.dry_run = dry_run
        self.indent = indent
        self.clock = clock
        self.stopped = False
        #: Source rows read so far (the highest ``rows_read`` seen).
        self.rows_read = 0
        self.event: SyncProgress | None = None
        self.started = 0.0
        self.first_done = 0

    def __call__(self, event: SyncProgress) -> None:
        self.rows_read = max(self.rows_read, event.rows_read)
        now = self.clock()
        if self.event is None or event.phase != self.event.phase:
            if self.event is not None:
                self.end_phase(now)
            self.event, self.started, self.first_done = event, now, event.done
            self.start_phase(now)
        else:
            self.event = event
            self.advance(now)

    def close(self, *, ok: bool = True) -> None:
        """The run is over (``ok``: it ended, else it stopped): finish the phase's line."""
        self.stopped = not ok
        if self.event is not None:
            self.end_phase(self.clock())
            self.event = None

    def line(self, now: float, *, final: bool = False) -> str:
        assert self.event is not None
        return self.indent + describe_event(
            self.event,
            now - self.started,
            self.first_done,
            final=final,
            stopped=final and self.stopped,
            dry_run=self.dry_run,
        )

    def shown(self) -> bool:
        """Whether the current phase has a line: not "done", not one with nothing to do
        (a total of 0, e.g. no import to wait for)."""
        event = self.event
        return event is not None and event.phase != "done" and event.total != 0

    def start_phase(self, now: float) -> None:
        """A phase starts (``self.event`` is its first event)."""

    def advance(self, now: float) -> None:
        """The phase moved on."""

    def end_phase(self, now: float) -> None:
        """The phase is over (``self.event`` is its last event)."""


class NoProgress(ProgressView):
    """``--json``: shows nothing; still counts the rows read."""


class PlainProgress(ProgressView):
    """Plain lines for a log: a phase's start, every ``interval`` s, and its end."""

    def __init__(
        self,
        stream: IO[str],
        *,
        interval: float = 5.0,
        dry_run: bool = False,
        indent: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(stream, dry_run=dry_run, indent=indent, clock=clock)
        self.interval = interval
        self.printed = 0.0
        self.last_line = ""

    def _print(self, text: str, now: float) -> None:
        if text == self.last_line:
            return
        print(text, file=self.stream, flush=True)
        self.last_line, self.printed = text, now

    def start_phase(self, now: float) -> None:
        if self.shown():
            self._print(self.line(now), now)

    def advance(self, now: float) -> None:
        if self.shown() and now - self.printed >= self.interval:
            self._print(self.line(now), now)

    def end_phase(self, now: float) -> None:
        if self.shown():
            self._print(self.line(now, final=True), now)


class TerminalProgress(ProgressView):
    """One line per phase, redrawn in place (at most every ``refresh`` s)."""

    def __init__(
        self,
        stream: IO[str],
        *,
        refresh: float = 0.1,
        width: int | None = None,
        dry_run: bool = False,
        indent: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(stream, dry_run=dry_run, indent=indent, clock=clock)
        self.refresh = refresh
        self.width = width
        self.drawn = -math.inf
        self.text = ""

    def _draw(self, text: str, now: float, *, end: str = "") -> None:
        if text == self.text and not end:
            return
        self.text = text
        width = self.width
        if width is None:
            import shutil

            width = shutil.get_terminal_size((100, 24)).columns
        if len(text) > width - 1:
            text = text[: max(1, width - 2)] + "…"
        # \r back to the line's start, \x1b[K clears what a longer line left behind.
        self.stream.write(f"\r{text}\x1b[K{end}")
        self.stream.flush()
        self.drawn = now

    def start_phase(self, now: float) -> None:
        if self.shown():
            self._draw(self.line(now), now)

    def advance(self, now: float) -> None:
        if self.shown() and now - self.drawn >= self.refresh:
            self._draw(self.line(now), now)

    def end_phase(self, now: float) -> None:
        if self.shown():
            self._draw(self.line(now, final=True), now, end="\n")


def progress_view(
    *,
    json: bool,
    stream: IO[str] | None = None,
    interval: float = 5.0,
    dry_run: bool = False,
    indent: str = "",
) -> ProgressView:
    """The view for a run: nothing with ``json``, live lines on a terminal, else plain."""
    out = sys.stdout if stream is None else stream
    if json:
        return NoProgress(out)
    isatty = getattr(out, "isatty", None)
    if isatty is not None and isatty():
        return TerminalProgress(out, dry_run=dry_run, indent=indent)
    return PlainProgress(out, interval=interval, dry_run=dry_run, indent=indent)

"""Progress events of a sync: what a terminal, a log line or a service's callback shows.

The engine emits one ``SyncProgress`` whenever a phase starts and as its work advances;
renderers (the CLI's terminal view, plain lines when piped, a library caller's logger)
only read them. A phase's ``total`` is ``None`` while it is not known (a source being
streamed), so nothing ever shows 100 % while work remains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

#: The phases of a run, in the order a run passes through them (a run may skip some).
Phase = Literal[
    "provisioning",  # attributes, folder and lists made to exist
    "checking",  # the account checked against the state (identity, drift reads)
    "reading",  # the source read, validated and planned
    "sending",  # imports and upserts sent
    "processing",  # waiting for Brevo to process the queued imports
    "unlinking",  # tier moves and mirror removals taken off lists
    "verifying",  # the touched contacts read back
    "done",
]
PHASES: tuple[Phase, ...] = (
    "provisioning",
    "checking",
    "reading",
    "sending",
    "processing",
    "unlinking",
    "verifying",
    "done",
)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """One step of a run: ``done`` of ``total`` ``unit`` in ``phase``.

    Attributes:
        phase: which part of the run this is (``PHASES`` gives their order).
        done: units of this phase finished so far (never more than ``total``).
        total: units this phase has in all, or ``None`` while that is not known.
        unit: what is counted: ``"rows"``, ``"imports"``, ``"contacts"``, ``"lists"``,
            ``"requests"``.
        rows_read: source rows read so far in the whole run (for a "rows, rows/s" line).
    """

    phase: Phase
    done: int = 0
    total: int | None = None
    unit: str = "rows"
    rows_read: int = 0


#: What ``sync_customers(progress=...)`` takes.
ProgressCallback = Callable[[SyncProgress], None]

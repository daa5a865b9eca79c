"""Recovery: finish what an interrupted run left in flight.

A queued import (Brevo answered with a process id) is confirmed through
``GET /processes/{id}``; a chunk whose fate is unknown is *abandoned*: its contacts are
re-sent and the lists it may have added are checked.
"""

from __future__ import annotations

from . import _imports as imports
from ._context import RunContext
from ._effects import Plan

__all__ = ["recover"]


def recover(ctx: RunContext) -> Plan:
    """Confirm or abandon every chunk an earlier run left in flight."""
    queued: list[int] = []
    for chunk in ctx.state.inflight():
        if chunk.kind == "import" and chunk.process_id is not None:
            queued.append(chunk.id)
        else:
            ctx.report.recovered["requeued_rows"] += len(ctx.state.chunk_rows(chunk.id))
            ctx.state.abandon(chunk.id)
    if queued:
        yield from imports.confirm(ctx, queued, emit=False)

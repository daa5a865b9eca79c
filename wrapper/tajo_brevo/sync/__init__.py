"""The sync engine: keep a source of loyalty customers in step with Brevo.

Data flow (ARCHITECTURE.md, "How a sync flows"): source rows, streamed (``_source``) ->
validated and encoded rows -> plan against the state (``_plan``: only changes go out;
import chunks or per-contact upserts; tier moves unlink the old list the state recorded)
-> send -> confirm -> state (``_state``: advanced only for what Brevo confirmed) ->
report. Everything here is sans-IO except the SQLite state and reading the source.
"""

from __future__ import annotations

from ._source import Source, load_mapping
from ._sql import SqlSource
from ._state import SyncState
from ._validation import Invalid, Normalizer, Row

__all__ = [
    "Invalid",
    "Normalizer",
    "Row",
    "Source",
    "SqlSource",
    "SyncState",
    "load_mapping",
]

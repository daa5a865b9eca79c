"""In-memory state of the mock Brevo account and the rules production Brevo applies to it.

Everything here is plain Python (no web framework): the app validates a request against
the spec, then calls one method of :class:`MockState`, which either returns a result or
raises :class:`MockAPIError`. Every method checks everything before it changes anything,
so a refused request leaves no half-written state. One module per resource:
``_contacts``, ``_lists`` (lists, members, folders), ``_attributes``, ``_imports``
(imports and processes); ``_base`` holds the records, indexes and shared rules.

Rules, as production Brevo applies them:

- emails are case-insensitive and unique (stored lower case); SMS numbers are unique;
- a contact attribute value is kept only when the attribute exists and the value fits its
  type; anything else is silently dropped (the request still succeeds);
- list counters: ``totalSubscribers`` (and ``uniqueSubscribers``) count members whose
  email is not blacklisted, ``totalBlacklisted`` those whose email is; a folder adds up
  its lists, and its ``uniqueSubscribers`` counts each such contact once across its lists;
- deleting a list keeps its contacts (they just leave the list);
- an import is asynchronous: 202, then a process (see ``_imports``); so is a contact
  export (``_exports``), whose completed process gives the URL of a CSV file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypedDict

from ._attributes import AttributesMixin
from ._base import (
    BUILTIN_ATTRIBUTES,
    EMAIL_RE,
    INT64_MAX,
    MEMBERSHIP_CAP,
    Attribute,
    Contact,
    ContactList,
    Folder,
    MockAPIError,
    format_timestamp,
    utc_now,
)
from ._exports import EXPORT_PROCESS_NAME, ExportProcess, ExportsMixin
from ._import_rows import PreparedRows, prepare_rows
from ._imports import (
    REPORT_KINDS,
    REPORT_PATH,
    ImportFileError,
    ImportProcess,
    ImportsMixin,
    is_loopback_url,
)


class AccountOptions(TypedDict, total=False):
    """The keyword arguments of :class:`MockState` a ``BrevoMock`` passes on to every
    account it serves (MockState documents them and holds their defaults)."""

    now: Callable[[], datetime]
    account_email: str
    import_delay: float
    import_rows_per_second: float | None
    membership_process_above: int | None


class MockState(ExportsMixin, ImportsMixin, AttributesMixin):
    """The account: contacts, lists, folders, attributes, imports, exports and processes.

    Thread-safe: one re-entrant lock guards every public method, so the mock can be
    driven from a server thread while a test inspects it.

    Args:
        now: wall clock for ``createdAt``/``modifiedAt`` (injectable for tests).
        account_email: the account's own registered email; deleting that contact is a 405.
        import_delay: seconds an import stays ``queued`` before it is processed.
        import_rows_per_second: cap on import processing speed (None: no cap).
        membership_process_above: answer an add/remove of more members than this as a
            process (production's asynchronous form); None: always synchronous.
        sleep: how the import worker waits (injectable for tests).
        notify: how a finished import's loopback ``notifyUrl`` is called
            (``notify(url, process_json)``; default: not called).
        fetch: how a loopback ``fileUrl`` is read (``fetch(url) -> text``, raising
            ``ImportFileError``; default: such imports fail). ``BrevoMock`` passes both
            from ``tajo_brevo.mock._network``.
        files_path: path, on the mock's address, of this account's report and export
            files (each account of a mock has its own).

    Raises:
        ValueError: a negative delay, a non-positive speed or a negative member count.
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime] = utc_now,
        account_email: str = "owner@tajo-brevo-mock.example",
        import_delay: float = 0.0,
        import_rows_per_second: float | None = None,
        membership_process_above: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        notify: Callable[[str, dict[str, Any]], None] | None = None,
        fetch: Callable[[str], str] | None = None,
        files_path: str = REPORT_PATH,
    ) -> None:
        super().__init__(now=now, account_email=account_email)
        self.files_path = files_path
        self._init_imports(import_delay, import_rows_per_second, sleep, notify, fetch)
        self.membership_process_above = membership_process_above


__all__ = [
    "BUILTIN_ATTRIBUTES",
    "EMAIL_RE",
    "EXPORT_PROCESS_NAME",
    "INT64_MAX",
    "MEMBERSHIP_CAP",
    "REPORT_KINDS",
    "REPORT_PATH",
    "AccountOptions",
    "Attribute",
    "Contact",
    "ContactList",
    "ExportProcess",
    "Folder",
    "ImportFileError",
    "ImportProcess",
    "MockAPIError",
    "MockState",
    "PreparedRows",
    "format_timestamp",
    "is_loopback_url",
    "prepare_rows",
    "utc_now",
]

"""The processes ``GET /processes`` shows: an import's (with its report files) and what
every kind of process offers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "IMPORT_PROCESS",
    "MEMBERSHIP_PROCESS",
    "REPORT_KINDS",
    "REPORT_PATH",
    "BackgroundProcess",
    "ImportProcess",
]

#: The report files of a completed import (brevo-python 5.1.0 GetProcessResponseInfoImport).
REPORT_KINDS = (
    "invalid_emails",
    "duplicate_contact_id",
    "duplicate_ext_id",
    "duplicate_email_id",
    "duplicate_phone_id",
    "duplicate_whatsapp_id",
    "duplicate_landline_number_id",
)
#: Path (on the mock's own address) of a report file: /_mock/processes/{id}/{kind}.csv
REPORT_PATH = "/_mock/processes"
_FINISHED = frozenset({"completed", "failed", "cancelled"})
IMPORT_PROCESS = "IMPORTUSER"
#: The mock's name for a membership change answered as a process (production's name for
#: such a process is not published; its shape is GetProcessResponse's all the same).
MEMBERSHIP_PROCESS = "LIST_MEMBERSHIP"


@dataclass
class ImportProcess:
    """One import and its process (``GET /processes/{id}``).

    Attributes:
        id: the process id (the 202's ``processId``).
        status: ``queued``, ``in_process``, ``completed`` or ``failed``.
        created: ids of the contacts the import created, in row order.
        updated: ids of the contacts it updated.
        skipped: a label (email or SMS) of every row not imported, in row order.
        list_ids: lists the imported contacts joined.
        columns: header of the report files (the import's columns).
        reports: report kind -> the skipped rows of that kind (cells, as given).
        error: why a failed process failed.
    """

    id: int
    root_url: str = ""
    status: str = "queued"
    name: str = IMPORT_PROCESS
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    list_ids: list[int] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    reports: dict[str, list[list[str]]] = field(default_factory=dict)
    error: str | None = None
    notify_url: str | None = None
    #: Path of the account's files on the mock's address (one prefix per account).
    files_path: str = REPORT_PATH

    @property
    def finished(self) -> bool:
        """The process will not change any more."""
        return self.status in _FINISHED

    def report_url(self, kind: str) -> str | None:
        """URL of one report file, or None when no row was skipped for that reason."""
        if not self.reports.get(kind):
            return None
        return f"{self.root_url}{self.files_path}/{self.id}/{kind}.csv"

    def report_csv(self, kind: str) -> str | None:
        """One report file: the import's columns, then each skipped row (``;``-separated)."""
        rows = self.reports.get(kind)
        if not rows:
            return None
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(rows)
        return out.getvalue()

    def to_json(self) -> dict[str, Any]:
        """The process as ``GET /processes/{id}`` answers it."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "status": self.status}
        if self.status == "completed" and self.name == IMPORT_PROCESS:
            out["info"] = {"import": {kind: self.report_url(kind) for kind in REPORT_KINDS}}
        return out


class BackgroundProcess(Protocol):
    """What every kind of process (an import, an export) offers ``/processes``."""

    id: int
    status: str

    def to_json(self) -> dict[str, Any]: ...

"""Which documented (operation, status) pairs a test suite does not handle.

A respx suite declares the pairs it exercises; :func:`check` compares them with what the
spec documents, so a spec bump that adds an operation or a response status fails the
suite until someone handles it (and a pair the spec no longer documents is reported too).

Example::

    report = check(spec_path, handled={("getContactInfo", "200"), ...})
    assert report.ok, report.format()
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tajo_brevo._openapi_kit import iter_operations, load_spec

__all__ = ["CompletenessReport", "OperationStatus", "check", "documented_pairs"]


@dataclass(frozen=True, order=True)
class OperationStatus:
    """A response status an operation documents."""

    operation_id: str
    status: str
    method: str = field(compare=False)
    path: str = field(compare=False)

    def __str__(self) -> str:
        return f"{self.operation_id} {self.status} ({self.method.upper()} {self.path})"


@dataclass(frozen=True)
class CompletenessReport:
    """Result of :func:`check`.

    Attributes:
        missing: documented pairs the suite does not handle.
        unknown: handled pairs the spec does not document (stale test entries).
    """

    missing: tuple[OperationStatus, ...]
    unknown: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        """True when the suite handles exactly the documented pairs."""
        return not self.missing and not self.unknown

    def format(self) -> str:
        """Return a readable description of every gap, one per line."""
        lines = [f"not exercised: {pair}" for pair in self.missing]
        lines += [f"not in the spec: {op} {status}" for op, status in self.unknown]
        return "\n".join(lines) or "complete"


def documented_pairs(spec_path: Path | str) -> list[OperationStatus]:
    """Enumerate every (operation, response status) a spec documents.

    Args:
        spec_path: an OpenAPI 3.x document (YAML or JSON).

    Returns:
        The pairs, sorted by operation id then status (``default`` included as is).

    Raises:
        ValueError: the file is not an OpenAPI document, or an operation has no id.
        OSError: the file can't be read.
    """
    doc = load_spec(spec_path)
    pairs = [
        OperationStatus(op.operation_id, str(status), op.method, op.path)
        for op in iter_operations(doc)
        for status in (op.node.get("responses") or {})
    ]
    return sorted(pairs)


def check(spec_path: Path | str, handled: Iterable[tuple[str, str]]) -> CompletenessReport:
    """Compare the pairs a suite handles with the pairs a spec documents.

    Args:
        spec_path: the OpenAPI document the suite claims to cover.
        handled: ``(operation_id, status)`` pairs the suite exercises; statuses as
            strings (``"200"``), as in the spec.

    Returns:
        The missing and unknown pairs.

    Raises:
        ValueError: the file is not an OpenAPI document, or an operation has no id.
        OSError: the file can't be read.
    """
    documented = documented_pairs(spec_path)
    handled_set = {(op, str(status)) for op, status in handled}
    documented_keys = {(p.operation_id, p.status) for p in documented}
    missing = tuple(p for p in documented if (p.operation_id, p.status) not in handled_set)
    unknown = tuple(sorted(handled_set - documented_keys))
    return CompletenessReport(missing, unknown)

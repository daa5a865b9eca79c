"""The outcome of a contract run: per operation, the run's verdict, its summary and JUnit file."""

from __future__ import annotations

import collections
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ContractResult", "OperationReport"]


@dataclass
class OperationReport:
    """What the run did and found for one operation.

    Attributes:
        label: ``METHOD /path``.
        operation_id: the spec's operationId.
        cases: test cases sent.
        statuses: response status -> count.
        failures: check name -> failing cases.
        messages: check name -> the first failure's title and message.
        errors: errors that stopped cases from running (network, schema, ...).
    """

    label: str
    operation_id: str = ""
    cases: int = 0
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    failures: collections.Counter[str] = field(default_factory=collections.Counter)
    messages: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """``operationId (METHOD /path)``, or the label alone."""
        return f"{self.operation_id} ({self.label})" if self.operation_id else self.label

    @property
    def ok(self) -> bool:
        """True when no check failed and nothing errored."""
        return not self.failures and not self.errors

    def add(self, data: dict[str, Any]) -> None:
        """Add the results the schemathesis handler wrote for this operation."""
        self.operation_id = self.operation_id or str(data.get("operation_id", ""))
        self.cases += int(data.get("cases", 0))
        self.statuses.update({int(k): int(v) for k, v in dict(data.get("statuses", {})).items()})
        self.failures.update({str(k): int(v) for k, v in dict(data.get("failures", {})).items()})
        for check, message in dict(data.get("messages", {})).items():
            self.messages.setdefault(str(check), str(message))
        self.errors += [str(e) for e in data.get("errors", [])]


@dataclass
class ContractResult:
    """Outcome of :func:`~tajo_brevo.contract.runner.run_contract`.

    Attributes:
        base_url: the target.
        operations: label -> report, for every operation the run selected.
        warnings: problems that make the run untrustworthy (they fail it).
        errors: errors not tied to one operation.
        elapsed: seconds.
        read_only: whether only GET operations ran.
        report: schemathesis' own report of the run (reproductions as curl commands).
        notes: what the run could not test, said plainly (they don't fail it).
        junit: schemathesis' JUnit report of the run (XML text), see :meth:`write_junit`.
        exit_code: the exit code of ``schemathesis run`` (None: not run).
    """

    base_url: str
    operations: dict[str, OperationReport]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    read_only: bool = True
    report: str = ""
    notes: list[str] = field(default_factory=list)
    junit: str = ""
    exit_code: int | None = None
    _secret: str = field(default="", repr=False)

    def _redact(self, text: str) -> str:
        # Failure messages can quote request headers: never let the key out. Whole tokens
        # only, so a short test key does not blank every matching letter.
        if not self._secret:
            return text
        token = rf"(?<![\w-]){re.escape(self._secret)}(?![\w-])"
        return re.sub(token, "***", text)

    @property
    def ok(self) -> bool:
        """True when every operation passed and there was no warning or error."""
        return (
            all(op.ok for op in self.operations.values()) and not self.warnings and not self.errors
        )

    @property
    def failed_operations(self) -> list[OperationReport]:
        """Reports of the operations with a failure or an error."""
        return [op for op in self.operations.values() if not op.ok]

    def summary(self) -> str:
        """A report a person can read: one line per operation, then the failures."""
        mode = "read-only (GET operations)" if self.read_only else "all operations (writes allowed)"
        lines = [f"Contract run against {self.base_url}: {mode}, {self.elapsed:.1f}s", ""]
        width = max((len(op.name) for op in self.operations.values()), default=10)
        lines.append(f"{'operation':<{width}}  {'cases':>6}  result")
        for op in sorted(self.operations.values(), key=lambda o: o.label):
            if op.ok:
                verdict = "ok"
            else:
                checks = ", ".join(f"{name} x{n}" for name, n in sorted(op.failures.items()))
                verdict = "FAILED " + "; ".join(filter(None, [checks, *op.errors[:1]]))
            lines.append(f"{op.name:<{width}}  {op.cases:>6}  {verdict}")
        failing = self.failed_operations
        if failing:
            lines += ["", "Failures:"]
            for op in failing:
                for check, message in sorted(op.messages.items()):
                    lines.append(f"- {op.name}: check {check}: {_one_line(message)}")
                lines += [f"- {op.name}: error: {_one_line(e)}" for e in op.errors]
        lines += [f"Note: {note}" for note in self.notes]
        if self.warnings:
            lines += ["", "Warnings (they fail the run):"]
            lines += [f"- {w}" for w in self.warnings]
        if self.errors:
            lines += ["", "Errors:"] + [f"- {_one_line(e)}" for e in self.errors]
        total = sum(op.cases for op in self.operations.values())
        verdict = "PASSED" if self.ok else "FAILED"
        lines += [
            "",
            f"{verdict}: {len(self.operations)} operations, {total} cases, "
            f"{len(failing)} failing operations, {len(self.warnings)} warnings",
        ]
        return self._redact("\n".join(lines))

    def write_junit(self, path: Path) -> None:
        """Write schemathesis' JUnit report of the run, with this run's verdict added.

        Schemathesis writes one test case per operation (its label), a failure per
        scenario with failing checks, and errors. Here each test case is named
        ``operationId (METHOD /path)`` like the summary, every operation the run selected
        is present, and warnings and run-level errors (which fail the run) are one more
        test case, ``run``. The API key is redacted.

        Raises:
            OSError: the file can't be written.
        """
        root = _parse_junit(self.junit)
        suite = root.find("testsuite")
        if suite is None:
            suite = ET.SubElement(root, "testsuite", name="schemathesis")
        cases = {case.get("name", ""): case for case in suite.findall("testcase")}
        for op in sorted(self.operations.values(), key=lambda o: o.label):
            case = cases.get(op.label)
            if case is None:
                case = ET.SubElement(suite, "testcase", name=op.label, time="0")
            case.set("name", op.name)
            case.set("classname", "contract")
            ET.SubElement(
                case, "system-out"
            ).text = f"cases={op.cases} statuses={dict(sorted(op.statuses.items()))}"
        if self.warnings or self.errors:
            case = ET.SubElement(suite, "testcase", classname="contract", name="run", time="0")
            for text in self.warnings + self.errors:
                ET.SubElement(case, "error", message=_xml_text(_one_line(text))).text = _xml_text(
                    text
                )
        _recount(root)
        ET.indent(root)
        document = ET.tostring(root, encoding="unicode")
        path.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n' + self._redact(document), encoding="utf-8"
        )


def _parse_junit(text: str) -> ET.Element:
    if text.strip():
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            root = ET.Element("testsuites")
        if root.tag == "testsuite":
            wrapper = ET.Element("testsuites")
            wrapper.append(root)
            return wrapper
        return root
    return ET.Element("testsuites")


def _recount(root: ET.Element) -> None:
    """Set the tests/failures/errors/skipped counts from the test cases present."""
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(
                1 for c in cases if c.find("error") is not None and c.find("failure") is None
            ),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))


def _one_line(text: str) -> str:
    first = " ".join(text.strip().split())
    return first if len(first) <= 300 else first[:297] + "..."


def _xml_text(text: str) -> str:
    # XML 1.0 can't carry most control characters, which fuzzed payloads contain.
    return "".join(c if c in "\t\n\r" or ord(c) >= 0x20 else f"\\x{ord(c):02x}" for c in text)

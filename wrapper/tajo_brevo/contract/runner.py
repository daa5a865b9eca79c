"""Run the schemathesis contract suite against a base URL and report per operation.

This is what ``tajo-brevo contract`` and ``make contract`` run. It drives schemathesis'
own engine (all phases: examples, coverage, fuzzing, stateful; all default checks;
positive and negative data) over a schema configured by
:mod:`tajo_brevo.contract.schemathesis_setup`, the same setup the pytest suite against
the mock uses, so both apply identical checks.

Against a live account the default is read-only: GET operations only, and no stateful
phase (its links start at create operations). ``allow_writes`` runs every operation and
every phase; everything the run creates is named with :data:`WRITE_PREFIX` where the
generator allows, recorded by id, and deleted afterwards (see :func:`cleanup`); updates
and deletes are kept off data the run did not create (see ``_ours_only``).

Example::

    result = run_contract(base_url="http://127.0.0.1:8080/v3", api_key=key)
    print(result.summary())
    result.write_junit(Path("contract.xml"))
    assert result.ok
"""

from __future__ import annotations

import collections
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from tajo_brevo.contract import default_spec_path

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "WRITE_PREFIX",
    "ContractResult",
    "OperationReport",
    "cleanup",
    "run_contract",
]

#: Fuzzing examples per operation by default (coverage and stateful add their own).
DEFAULT_MAX_EXAMPLES = 20
#: Prefix of everything a run with writes creates (lists, folders, contacts, attributes).
WRITE_PREFIX = "tajo-contract-"
_ATTRIBUTE_PREFIX = "TAJO_CONTRACT_"  # attribute names are upper case in Brevo
# An operation whose every answer is one of these tested nothing but authentication.
_AUTH_ONLY = frozenset({401, 403})


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


@dataclass
class ContractResult:
    """Outcome of :func:`run_contract`.

    Attributes:
        base_url: the target.
        operations: label -> report, for every operation the run selected.
        warnings: problems that make the run untrustworthy (they fail it).
        errors: errors not tied to one operation.
        elapsed: seconds.
        read_only: whether only GET operations ran.
        report: schemathesis' own report of the run (reproductions as curl commands).
    """

    base_url: str
    operations: dict[str, OperationReport]
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    read_only: bool = True
    report: str = ""
    notes: list[str] = field(default_factory=list)
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
        """Write a JUnit XML report: one test case per operation, one failure per check.

        Raises:
            OSError: the file can't be written.
        """
        failures = sum(1 for op in self.operations.values() if op.failures)
        errors = sum(1 for op in self.operations.values() if op.errors and not op.failures)
        errors += 1 if (self.warnings or self.errors) else 0
        tests = len(self.operations) + (1 if (self.warnings or self.errors) else 0)
        suite = ET.Element(
            "testsuite",
            name="tajo-brevo contract",
            tests=str(tests),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{self.elapsed:.3f}",
        )
        for op in sorted(self.operations.values(), key=lambda o: o.label):
            case = ET.SubElement(suite, "testcase", classname="contract", name=op.name, time="0")
            for check, count in sorted(op.failures.items()):
                failure = ET.SubElement(
                    case, "failure", type=check, message=f"{check} failed on {count} case(s)"
                )
                failure.text = _xml_text(op.messages.get(check, ""))
            for error in op.errors:
                ET.SubElement(case, "error", message=_xml_text(_one_line(error))).text = _xml_text(
                    error
                )
            ET.SubElement(
                case, "system-out"
            ).text = f"cases={op.cases} statuses={dict(sorted(op.statuses.items()))}"
        if self.warnings or self.errors:
            case = ET.SubElement(suite, "testcase", classname="contract", name="run", time="0")
            for text in self.warnings + self.errors:
                ET.SubElement(case, "error", message=_xml_text(_one_line(text))).text = _xml_text(
                    text
                )
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        document = ET.tostring(root, encoding="unicode")
        path.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n' + self._redact(document), encoding="utf-8"
        )


@dataclass
class _Created:
    """What a write run created, read from the 2xx answers of create operations.

    The prefix hooks don't reach every generated body (e.g. coverage-phase cases), so
    cleanup deletes by recorded id as well as by prefix.
    """

    contact_ids: set[int] = field(default_factory=set)
    contact_emails: set[str] = field(default_factory=set)
    list_ids: set[int] = field(default_factory=set)
    folder_ids: set[int] = field(default_factory=set)
    attributes: set[tuple[str, str]] = field(default_factory=set)

    def record(
        self, operation_id: str, status: int, uri: str, request: bytes, answer: bytes
    ) -> None:
        if not 200 <= status < 300:
            return
        created_id = _json_field(answer, "id")
        if operation_id == "createContact" and isinstance(created_id, int):
            self.contact_ids.add(created_id)
        elif operation_id == "createContactList" and isinstance(created_id, int):
            self.list_ids.add(created_id)
        elif operation_id == "createFolder" and isinstance(created_id, int):
            self.folder_ids.add(created_id)
        elif operation_id == "createContactAttribute":
            parts = httpx.URL(uri).path.rstrip("/").split("/")
            self.attributes.add((parts[-2], parts[-1]))
        elif operation_id == "importContacts":
            self.contact_emails |= _imported_emails(request)


def _json_field(content: bytes, key: str) -> Any:
    try:
        data = json.loads(content or b"null")
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) else None


def _imported_emails(request: bytes) -> set[str]:
    """Emails in an import's ``fileBody`` (CSV separated by semicolons, EMAIL column)."""
    body = _json_field(request, "fileBody")
    if not isinstance(body, str):
        return set()
    lines = body.splitlines()
    header = [h.strip().upper() for h in lines[0].split(";")] if lines else []
    if "EMAIL" not in header:
        return set()
    column = header.index("EMAIL")
    cells = (line.split(";") for line in lines[1:])
    return {c[column].strip() for c in cells if len(c) > column and "@" in c[column]}


def _cli_warnings(report: str) -> list[str]:
    """The lines of the WARNINGS section of a schemathesis report."""
    lines = report.splitlines()
    start = next((i for i, line in enumerate(lines) if "WARNINGS" in line), None)
    if start is None:
        return []
    found: list[str] = []
    for line in lines[start + 1 :]:
        text = line.strip()
        if set(text) <= set("=_- ") and found:
            break
        if text and not set(text) <= set("=_- "):
            found.append(f"schemathesis: {text}")
    return found


def _one_line(text: str) -> str:
    first = " ".join(text.strip().split())
    return first if len(first) <= 300 else first[:297] + "..."


def _xml_text(text: str) -> str:
    # XML 1.0 can't carry most control characters, which fuzzed payloads contain.
    return "".join(c if c in "\t\n\r" or ord(c) >= 0x20 else f"\\x{ord(c):02x}" for c in text)


def _prefix_names(body: Any) -> Any:
    """Give every name/email a run creates the recognisable prefix (writes only)."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    for key in ("name", "listName"):
        if isinstance(body.get(key), str) and not body[key].startswith(WRITE_PREFIX):
            body[key] = WRITE_PREFIX + body[key]
    email = body.get("email")
    if isinstance(email, str) and "@" in email and not email.startswith(WRITE_PREFIX):
        body["email"] = WRITE_PREFIX + email
    return body


# Ids far above any real account's, still int64: a mutating call on one gets a 404.
_FOREIGN_ID_BASE = 10**15


class _Owned:
    """Ids and emails the running write run created, seen as soon as each answer arrives."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.contacts: set[str] = set()
        self.lists: set[int] = set()

    def add_contact(self, *values: Any) -> None:
        with self._lock:
            self.contacts.update(str(v) for v in values if v is not None)

    def add_list(self, value: Any) -> None:
        if isinstance(value, int):
            with self._lock:
                self.lists.add(value)


# The write run in progress (None otherwise). A schemathesis check is global to the
# process, so the recorder below is registered once and only acts during a write run.
_CURRENT: _Owned | None = None
_RECORDER_REGISTERED = False


def _record_owned(ctx: Any, response: Any, case: Any) -> None:
    """Check-shaped recorder of created ids; never fails a case."""
    owned = _CURRENT
    if owned is None or not 200 <= response.status_code < 300:
        return None
    operation_id = case.operation.definition.raw.get("operationId")
    if operation_id not in ("createContact", "createContactList"):
        return None
    created_id = _json_field(response.content or b"", "id")
    if operation_id == "createContactList":
        owned.add_list(created_id)
    else:
        email = case.body.get("email") if isinstance(case.body, dict) else None
        owned.add_contact(created_id, email)
    return None


def _register_recorder() -> None:
    global _RECORDER_REGISTERED
    if not _RECORDER_REGISTERED:
        import schemathesis

        _record_owned.__name__ = "tajo_contract_created_ids"
        schemathesis.check(_record_owned)
        _RECORDER_REGISTERED = True


def _ours_only(path_parameters: Any, owned: _Owned | None = None) -> Any:
    """Point a mutating call's path at something the run owns, never at existing data.

    Fuzzing draws contact ids, list ids, emails and attribute names at random; against a
    real account, ``deleteContact 12`` would delete somebody's contact 12. Values of the
    right shape are moved out of reach (ids into a range no account has, names and emails
    under the prefix); values of the wrong shape (negative tests) are left as they are.
    """
    if not isinstance(path_parameters, dict):
        return path_parameters
    params = dict(path_parameters)
    identifier = params.get("identifier")
    if owned is not None and isinstance(identifier, str) and identifier in owned.contacts:
        pass  # created by this run (a stateful link): the real target
    elif isinstance(identifier, str):
        if identifier.isdigit() and int(identifier) < _FOREIGN_ID_BASE:
            params["identifier"] = str(_FOREIGN_ID_BASE + int(identifier))
        elif "@" in identifier and not identifier.startswith(WRITE_PREFIX):
            params["identifier"] = WRITE_PREFIX + identifier
    list_id = params.get("listId")
    if owned is not None and list_id in owned.lists:
        pass
    elif (
        isinstance(list_id, int)
        and not isinstance(list_id, bool)
        and 0 <= list_id < _FOREIGN_ID_BASE
    ):
        params["listId"] = _FOREIGN_ID_BASE + list_id
    name = params.get("attributeName")
    if isinstance(name, str) and not name.startswith(_ATTRIBUTE_PREFIX):
        params["attributeName"] = _ATTRIBUTE_PREFIX + name
    return params


def _configure_writes(schema: Any, owned: _Owned) -> None:
    """Hooks that keep a write run on what it creates itself (see :func:`cleanup`)."""

    # A case-level hook: schemathesis applies container hooks (map_body,
    # map_path_parameters) to fuzzed cases only, case hooks to coverage cases as well.
    def map_case(context: Any, case: Any) -> Any:
        operation = case.operation
        case.body = _prefix_names(case.body)
        if operation.definition.raw.get("operationId") == "importContacts" and isinstance(
            case.body, dict
        ):
            # An imported row must never update a contact that was already there.
            case.body = {**case.body, "updateExistingContacts": False}
        if operation.method.upper() != "GET":
            # Only stateful steps follow links to what the run created; a fuzzed id that
            # happens to equal one of those must still be moved, or it deletes the list a
            # later stateful step expects.
            meta = case.meta
            stateful = meta is not None and str(meta.phase.name) == "stateful"
            case.path_parameters = _ours_only(case.path_parameters, owned if stateful else None)
        return case

    # The same move as a container hook, which runs while a case is generated, before
    # schemathesis stores the case's original parameters. A stateful step that explores
    # (leaves its link's value out and generates the parameter) then carries the moved
    # id as generated. Moved by map_case alone, the id differs from what was generated,
    # schemathesis takes it for a link's value, and ensure_resource_availability reports
    # the 404 on it as "Created resource not found" for the list the step's parent just
    # created. Link values are given, not generated, so this hook never sees them.
    def map_path_parameters(context: Any, path_parameters: Any) -> Any:
        operation = getattr(context, "operation", None)
        if operation is not None and operation.method.upper() == "GET":
            return path_parameters  # reads stay on existing data, as in map_case
        return _ours_only(path_parameters)

    schema.hooks.register_hook_with_name(map_path_parameters, "map_path_parameters")
    schema.hook(map_case)
    # Schemathesis feeds ids seen in responses (e.g. listContactLists) into later cases,
    # after the hooks: that would aim updates and deletes at existing lists and contacts.
    phases = schema.config.phases
    for name in ("examples", "coverage", "fuzzing"):
        sources = getattr(getattr(phases, name, None), "extra_data_sources", None)
        if sources is not None:
            sources.responses = False


def _load_schema(
    spec_path: Path,
    *,
    base_url: str,
    api_key: str,
    app: Any,
    max_examples: int,
    writes: bool,
) -> tuple[Any, bool]:
    # The shared setup: the pytest suite against the mock uses the very same schema.
    from tajo_brevo.contract import schemathesis_setup

    with _http_client(base_url, api_key, app) as client:
        known, verified_empty = _discover(client, schemathesis_setup.KnownData, ours_only=writes)
    schema = schemathesis_setup.load_schema(
        base_url=base_url,
        api_key=api_key,
        app=app,
        spec_path=spec_path,
        max_examples=max_examples,
        known=known,
    )
    return schema, verified_empty


def _discover(client: httpx.Client, known_data: Any, *, ours_only: bool) -> tuple[Any, bool]:
    """Identifiers that exist on the target, read with GETs only.

    Without them every generated contact id or list id is a 404, so the run would test
    nothing but "not found" (schemathesis' missing_test_data warning).

    Returns:
        ``(KnownData, verified_empty)``: verified_empty is True when the contact and list
        listings both answered and one of them is empty (nothing exists to read).
    """

    answered: list[bool] = []

    def read(path: str, key: str) -> list[dict[str, Any]]:
        try:
            response = client.get(path, params={"limit": 20} if key != "attributes" else None)
            items = response.json().get(key) if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError, AttributeError):
            items = None  # the run itself reports an unreachable or broken target
        answered.append(isinstance(items, list))
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    contacts = read("/contacts", "contacts")
    if ours_only:
        # A write run may delete what it is given: only what earlier runs left behind.
        contacts = [c for c in contacts if str(c.get("email", "")).startswith(WRITE_PREFIX)]
    identifiers = [str(c["id"]) for c in contacts if "id" in c]
    identifiers += [str(c["email"]) for c in contacts if c.get("email")]
    lists = [
        int(item["id"])
        for item in read("/contacts/lists", "lists")
        if "id" in item and (not ours_only or str(item.get("name", "")).startswith(WRITE_PREFIX))
    ]
    names = [
        str(a["name"])
        for a in read("/contacts/attributes", "attributes")
        if a.get("name") and (not ours_only or str(a["name"]).startswith(_ATTRIBUTE_PREFIX))
    ]
    processes = [int(p["id"]) for p in read("/processes", "processes") if "id" in p]
    known = known_data(
        contact_identifiers=identifiers,
        list_ids=lists,
        attribute_names=names,
        process_ids=processes,
    )
    # Both listings answered and one came back empty: the account has nothing to read.
    verified_empty = all(answered[:2]) and not (identifiers and lists)
    return known, verified_empty


def _execute_with_cli_reporter(schema: Any, on_event: Callable[[Any], None]) -> tuple[int, str]:
    """Run the engine through schemathesis' own CLI reporter, feeding every event to us too.

    The CLI reporter is what turns schemathesis warnings (missing_auth,
    missing_test_data, validation_mismatch, ...) into a failing exit code, under the
    shared setup's ``warnings.fail-on``; our collector turns the same events into the
    per-operation summary.

    Returns:
        ``(exit code of "schemathesis run", its report text)``.
    """
    import contextlib
    import io

    from schemathesis.cli.commands.run.executor import _execute
    from schemathesis.cli.events import LoadingFinished, LoadingStarted
    from schemathesis.engine import from_schema

    location = str(schema.location or "effective spec")

    def stream() -> Any:
        started = LoadingStarted(location=location)
        yield started
        yield LoadingFinished.from_schema(
            schema, location=location, start_time=started.timestamp, base_url=schema.get_base_url()
        )
        for event in from_schema(schema).execute():
            on_event(event)
            yield event

    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer):
        try:
            _execute(stream(), config=schema.config, args=[], params={}, startup_warnings=[])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, buffer.getvalue()


def run_contract(
    *,
    base_url: str,
    api_key: str,
    spec_path: Path | None = None,
    allow_writes: bool = False,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    app: Any = None,
    phases: list[str] | None = None,
    operation_ids: list[str] | None = None,
    clean_up: bool = True,
) -> ContractResult:
    """Run the schemathesis suite against ``base_url`` and collect per-operation results.

    Args:
        base_url: the API root, e.g. ``https://api.brevo.com/v3``.
        api_key: sent as the ``api-key`` header; never printed.
        spec_path: the spec to test against (default: the effective spec).
        allow_writes: run POST/PUT/DELETE operations too (names prefixed, cleaned up).
        max_examples: fuzzing examples per operation.
        app: an ASGI app to call in-process instead of over HTTP (base_url then only
            gives the path prefix, e.g. ``http://testserver/v3``).
        phases: schemathesis phases to run (default: all of them; read-only runs leave
            out ``stateful``).
        operation_ids: only these operations (default: all the mode allows).
        clean_up: after a write run, delete what carries :data:`WRITE_PREFIX`.

    Returns:
        The per-operation results; ``result.ok`` says whether the target conforms.

    Raises:
        ValueError: ``max_examples`` < 1, or no operation is selected.
    """
    from schemathesis.engine import events

    if max_examples < 1:
        raise ValueError("max_examples must be at least 1")
    started = time.monotonic()
    base_url = base_url.rstrip("/")
    schema, verified_empty = _load_schema(
        spec_path or default_spec_path(),
        base_url=base_url,
        api_key=api_key,
        app=app,
        max_examples=max_examples,
        writes=allow_writes,
    )
    if phases is None and not allow_writes:
        # Stateful testing follows links from create operations: it needs writes.
        phases = ["examples", "coverage", "fuzzing"]
    if phases is not None:
        schema.config.phases.update(phases=phases)
    # Exclude, never include: schemathesis ORs include filters with the shared setup's
    # per-operation config entries, so an include would select every operation again.
    if not allow_writes:
        schema = schema.exclude(method=["POST", "PUT", "PATCH", "DELETE"])
    if operation_ids:
        wanted = set(operation_ids)
        schema = schema.exclude(
            func=lambda ctx: ctx.operation.definition.raw.get("operationId") not in wanted
        )
    owned = _Owned()
    if allow_writes:
        _register_recorder()
        _configure_writes(schema, owned)

    operations: dict[str, OperationReport] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        op_id = str(operation.definition.raw.get("operationId", ""))
        operations[operation.label] = OperationReport(operation.label, op_id)
    if not operations:
        raise ValueError("no operation selected: check operation_ids and allow_writes")
    outcome = ContractResult(base_url, operations, read_only=not allow_writes, _secret=api_key)

    created = _Created()

    def report_for(label: str) -> OperationReport:
        return operations.setdefault(label, OperationReport(label))

    def on_event(event: Any) -> None:
        recorder = getattr(event, "recorder", None)
        if recorder is not None and isinstance(event, events.ScenarioFinished | _fuzz_finished()):
            _collect(recorder, report_for, created)
            if isinstance(event, events.ScenarioFinished) and event.skip_warning is not None:
                outcome.warnings.append(f"{event.label}: {event.skip_warning}")
        elif isinstance(event, events.NonFatalError):
            message = event.info.format(base_url_is_set=True)
            if event.related_to_operation and event.label in operations:
                operations[event.label].errors.append(message)
            else:
                outcome.errors.append(f"{event.label}: {message}")
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {event.exception}")
        elif isinstance(event, events.SchemaAnalysisWarnings):
            outcome.warnings += [f"schema analysis: {w}" for w in event.warnings]
        elif isinstance(event, events.EngineFinished) and event.stop_reason != "completed":
            outcome.errors.append(f"run stopped early: {event.stop_reason}")

    global _CURRENT
    _CURRENT = owned if allow_writes else None
    try:
        code, report = _execute_with_cli_reporter(schema, on_event)
    finally:
        _CURRENT = None
    outcome.report = outcome._redact(report)
    if code != 0 and outcome.ok:
        # Nothing failed per operation, yet schemathesis failed the run: its warnings.
        found = _cli_warnings(report)
        if allow_writes:
            # Mutating calls are pointed away from existing data on purpose (see
            # _ours_only), so their 404s are the safety measure working, not missing test
            # data; the stateful phase tests them on what the run creates. Every other
            # warning still fails the run.
            found = [w for w in found if "Missing test data" not in w]
            if not found:
                outcome.notes.append("missing_test_data is expected in a write run (not a failure)")
        elif verified_empty and any("Missing test data" in w for w in found):
            # The listings answered and the account holds no contacts or no lists: 404 is
            # then the only right answer to a lookup, and a key or routing problem would
            # have shown in the listings. Said plainly instead of failing.
            found = [w for w in found if "Missing test data" not in w]
            outcome.notes.append(
                "the account has no contacts or no lists, so getContactInfo/getContactList "
                "could only be checked for 404 answers; add data for a deeper run"
            )
        if not found and not outcome.notes:
            found = [f"schemathesis failed the run (exit {code}); see its report (--verbose)"]
        outcome.warnings += found

    for op in operations.values():
        if op.cases == 0:
            outcome.warnings.append(f"{op.name}: no test case was sent")
        elif not op.statuses:
            outcome.warnings.append(f"{op.name}: no response at all (is the base URL reachable?)")
        elif set(op.statuses) - {405} <= _AUTH_ONLY:
            # 405s answer the coverage phase's unsupported-method probes: they say nothing
            # about whether the documented method was tested past authentication.
            outcome.warnings.append(
                f"{op.name}: every response was 401/403, so nothing but authentication was "
                "tested (is the API key right?)"
            )
    if allow_writes and clean_up:
        with _http_client(base_url, api_key, app) as client:
            leftovers = cleanup(client, created)
        outcome.errors += [f"cleanup: {problem}" for problem in leftovers]
    outcome.elapsed = time.monotonic() - started
    return outcome


def _fuzz_finished() -> type:
    from schemathesis.engine import events

    found: type = getattr(events, "FuzzScenarioFinished", events.ScenarioFinished)
    return found


def _collect(
    recorder: Any, report_for: Callable[[str], OperationReport], created: _Created
) -> None:
    """Add one scenario's cases, statuses and check failures to the reports."""
    for case_id, node in recorder.cases.items():
        report = report_for(node.value.operation.label)
        report.cases += 1
        interaction = recorder.interactions.get(case_id)
        if interaction is not None and interaction.response is not None:
            answer = interaction.response
            report.statuses[answer.status_code] += 1
            created.record(
                report.operation_id,
                answer.status_code,
                interaction.request.uri,
                interaction.request.body or b"",
                answer.content or b"",
            )
    for case_id, checks in recorder.checks.items():
        node = recorder.cases.get(case_id)
        if node is None:
            continue
        report = report_for(node.value.operation.label)
        for check in checks:
            info = check.failure_info
            if info is None:
                continue
            report.failures[check.name] += 1
            failure = info.failure
            report.messages.setdefault(check.name, f"{failure.title}: {failure.message}")


def _http_client(base_url: str, api_key: str, app: Any) -> httpx.Client:
    if app is not None:
        # httpx.ASGITransport is async-only; the mock's transport runs any ASGI app sync.
        from tajo_brevo.mock import MockTransport

        return httpx.Client(
            base_url=base_url, headers={"api-key": api_key}, transport=MockTransport(app)
        )
    return httpx.Client(base_url=base_url, headers={"api-key": api_key}, timeout=30)


def cleanup(client: httpx.Client, created: _Created | None = None) -> list[str]:
    """Delete every contact, list, folder and attribute a write run created.

    Deletes what ``created`` recorded (ids from the run's own 2xx answers) and anything
    named with :data:`WRITE_PREFIX` (attributes: ``TAJO_CONTRACT_``); nothing else.

    Args:
        client: an httpx client with the base URL and ``api-key`` set.
        created: what the run recorded creating (None: prefix scan only).

    Returns:
        One line per thing that could not be listed or deleted (empty: all clean).
    """
    problems: list[str] = []

    def pages(path: str, key: str, limit: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(10_000):  # bounded: 10,000 pages is far beyond any test run
            response = client.get(path, params={"limit": limit, "offset": page * limit})
            if response.status_code != 200:
                problems.append(f"GET {path} -> {response.status_code}")
                return items
            batch = response.json().get(key) or []
            items += batch
            if len(batch) < limit:
                break
        return items

    def delete(path: str, *, gone_ok: bool = True) -> None:
        try:
            response = client.delete(path)
        except httpx.HTTPError as exc:  # one failed delete must not stop the cleanup
            problems.append(f"DELETE {path}: {type(exc).__name__}: not deleted, remove it by hand")
            return
        if response.status_code == 204 or (gone_ok and response.status_code == 404):
            return
        problems.append(f"DELETE {path} -> {response.status_code}: not deleted, remove it by hand")

    created = created or _Created()
    for contact_id in sorted(created.contact_ids):
        delete(f"/contacts/{contact_id}")
    for email in sorted(created.contact_emails):
        delete(f"/contacts/{quote(email, safe='')}")
    for list_id in sorted(created.list_ids):
        delete(f"/contacts/lists/{list_id}")
    for folder_id in sorted(created.folder_ids):
        delete(f"/contacts/folders/{folder_id}", gone_ok=False)
    for category, attribute in sorted(created.attributes):
        delete(f"/contacts/attributes/{quote(category, safe='')}/{quote(attribute, safe='')}")
    for contact in pages("/contacts", "contacts", 1000):
        address = contact.get("email")
        if isinstance(address, str) and address.startswith(WRITE_PREFIX):
            delete(f"/contacts/{contact['id']}")
    for item in pages("/contacts/lists", "lists", 50):
        if str(item.get("name", "")).startswith(WRITE_PREFIX):
            delete(f"/contacts/lists/{item['id']}")
    for item in pages("/contacts/folders", "folders", 50):
        if (
            str(item.get("name", "")).startswith(WRITE_PREFIX)
            and item["id"] not in created.folder_ids
        ):
            # Not in the pinned spec, but production Brevo has it; a 404 here means the
            # server lacks the operation, so the folder is still there.
            delete(f"/contacts/folders/{item['id']}", gone_ok=False)
    response = client.get("/contacts/attributes")
    if response.status_code == 200:
        for attribute in response.json().get("attributes") or []:
            name = str(attribute.get("name", ""))
            if name.startswith(_ATTRIBUTE_PREFIX):
                category = quote(str(attribute.get("category")), safe="")
                delete(f"/contacts/attributes/{category}/{quote(name, safe='')}")
    else:
        problems.append(f"GET /contacts/attributes -> {response.status_code}")
    return problems

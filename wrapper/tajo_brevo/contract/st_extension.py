"""Loaded by ``schemathesis run`` through ``SCHEMATHESIS_HOOKS``: tajo-brevo's hooks and handler.

:func:`tajo_brevo.contract.runner.run_contract` starts ``schemathesis run`` in a child
process with ``SCHEMATHESIS_HOOKS=tajo_brevo.contract.st_extension``; schemathesis
imports this module before it loads the spec. It adds, through schemathesis' documented
extension points (``@schemathesis.hook``, ``schemathesis.cli.add_group``,
``@schemathesis.cli.handler``):

- the hooks every run shares (realistic emails, contact identifiers that reach their
  route), as the pytest suite's :func:`~tajo_brevo.contract.schemathesis_setup.load_schema`
  registers them;
- ``--tajo-results PATH`` and ``--tajo-writes``: a handler that writes per-operation
  results (cases, statuses, failed checks, errors) as JSON to PATH and, in a write run,
  keeps mutating calls off existing data and records what the run created
  (:class:`~tajo_brevo.contract.writes.WriteRecord`) in the same file.

One process is one run: the handler owns that run's record; nothing is kept at module
level beyond what schemathesis' registries hold.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import click
import schemathesis
from schemathesis import cli

from tajo_brevo.contract import st_hooks as hooks
from tajo_brevo.contract._schemathesis_internals import decode_event, operation_id, phase_name
from tajo_brevo.contract.writes import WriteRecord, keep_off_existing_data, prefix_names

__all__ = ["ContractResults"]

hooks.register_formats()
schemathesis.hook("filter_path_parameters")(hooks.identifier_reaches_its_route)
schemathesis.hook("filter_case")(hooks.query_mutation_survives)
schemathesis.hook("map_case")(hooks.PositiveCreatesFitState())

_group = cli.add_group("tajo-brevo contract")
_group.add_option(
    "--tajo-results",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="tajo-brevo: write per-operation results and what a write run created here (JSON)",
)
_group.add_option(
    "--tajo-writes",
    is_flag=True,
    default=False,
    help="tajo-brevo: keep mutating calls on what this run creates, and record it",
)


def _install_write_hooks(record: WriteRecord) -> None:
    """Hooks that keep a write run on what it creates itself, and record what it creates."""

    # A case-level hook: schemathesis applies container hooks (map_body,
    # map_path_parameters) to fuzzed cases only, case hooks to coverage cases as well.
    def map_case(context: Any, case: Any) -> Any:
        case.body = prefix_names(case.body)
        if operation_id(case.operation) == "importContacts" and isinstance(case.body, dict):
            # An imported row must never update a contact that was already there.
            case.body = {**case.body, "updateExistingContacts": False}
        if case.operation.method.upper() != "GET":
            # Only stateful steps follow links to what the run created; a fuzzed id that
            # happens to equal one of those must still be moved, or it deletes the list a
            # later stateful step expects.
            stateful = phase_name(case) == "stateful"
            case.path_parameters = keep_off_existing_data(
                case.path_parameters, record if stateful else None
            )
        return case

    # The same move as a container hook, which runs while a case is generated, before
    # schemathesis stores the case's original parameters. A stateful step that explores
    # (leaves its link's value out and generates the parameter) then carries the moved id
    # as generated. Moved by map_case alone, the id differs from what was generated,
    # schemathesis takes it for a link's value, and ensure_resource_availability reports
    # the 404 on it as "Created resource not found" for the list the step's parent just
    # created. Link values are given, not generated, so this hook never sees them.
    def map_path_parameters(context: Any, path_parameters: Any) -> Any:
        operation = getattr(context, "operation", None)
        if operation is not None and operation.method.upper() == "GET":
            return path_parameters  # reads stay on existing data, as in map_case
        return keep_off_existing_data(path_parameters)

    # Recorded as each answer arrives: a later stateful step may follow a link to it.
    def after_call(context: Any, case: Any, response: Any) -> None:
        record.record(
            operation_id(case.operation),
            int(response.status_code),
            body=case.body if isinstance(case.body, dict) else None,
            path_parameters=case.path_parameters,
            answer=response.content,
        )

    # The examples phase sends the spec's examples as written: neither map_case nor the
    # container hooks see them, only before_add_examples, which gets the list of cases
    # to send. Without this, a write run updated and deleted the example contact
    # (ada.lovelace@example.com) and attribute (PREFERRED_STORE) on an account that had
    # them, and would have changed list 1 through the list examples.
    def before_add_examples(context: Any, examples: list[Any]) -> None:
        for case in examples:
            map_case(context, case)

    schemathesis.hook("map_case")(map_case)
    schemathesis.hook("map_path_parameters")(map_path_parameters)
    schemathesis.hook("before_add_examples")(before_add_examples)
    schemathesis.hook("after_call")(after_call)


@cli.handler()
class ContractResults(cli.EventHandler):  # type: ignore[type-arg]
    """Collect per-operation results of the run and write them, with the write record."""

    def __init__(self, *args: Any, **params: Any) -> None:
        path = params.get("tajo_results")
        self.path = Path(path) if path else None
        self.record = WriteRecord()
        self.operations: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []
        self.stop_reason = ""
        if self.path is not None and params.get("tajo_writes"):
            _install_write_hooks(self.record)

    def _operation(self, label: str, op_id: str = "") -> dict[str, Any]:
        entry = self.operations.setdefault(
            label,
            {
                "operation_id": op_id,
                "cases": 0,
                "statuses": collections.Counter(),
                "failures": collections.Counter(),
                "messages": {},
                "errors": [],
            },
        )
        entry["operation_id"] = entry["operation_id"] or op_id
        return entry

    def handle_event(self, ctx: Any, event: Any) -> None:
        """Add one engine event to the results."""
        if self.path is None:
            return
        note = decode_event(event)
        if note is None:
            return
        if note.kind == "cases":
            for case in note.cases:
                entry = self._operation(case.label, case.operation_id)
                entry["cases"] += 1
                if case.status is not None:
                    entry["statuses"][case.status] += 1
                for check, message in case.failures:
                    entry["failures"][check] += 1
                    entry["messages"].setdefault(check, message)
        elif note.kind == "error" and note.label:
            self._operation(note.label)["errors"].append(note.message)
        elif note.kind in ("error", "fatal"):
            self.errors.append(note.message)
        elif note.kind == "finished":
            self.stop_reason = note.message

    def shutdown(self, ctx: Any) -> None:
        """Write the results file (also after an interrupted run: cleanup needs it)."""
        if self.path is None:
            return
        document = {
            "operations": {
                label: {**entry, "statuses": {str(k): v for k, v in entry["statuses"].items()}}
                for label, entry in self.operations.items()
            },
            "errors": self.errors,
            "stop_reason": self.stop_reason,
            "created": self.record.to_json(),
        }
        partial = self.path.with_suffix(self.path.suffix + ".partial")
        partial.write_text(json.dumps(document), encoding="utf-8")
        partial.replace(self.path)

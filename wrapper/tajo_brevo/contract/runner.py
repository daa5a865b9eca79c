"""Run the schemathesis contract suite against a base URL and report per operation.

This is what ``tajo-brevo contract`` and ``make contract`` run. It runs schemathesis'
own ``schemathesis run`` (all phases: examples, coverage, fuzzing, stateful; all default
checks; positive and negative data) in a child process, through its documented
interfaces only:

1. :mod:`~tajo_brevo.contract.discovery` reads what exists on the target (GETs);
2. :mod:`~tajo_brevo.contract.st_config` writes the spec (with the stateful links) and a
   ``schemathesis.toml`` built from the configuration the pytest suite against the mock
   uses, so both apply identical checks;
3. ``schemathesis run`` loads :mod:`~tajo_brevo.contract.st_extension` through
   ``SCHEMATHESIS_HOOKS`` (hooks, and a handler that writes per-operation results and, in
   a write run, the record of what it created), and writes its JUnit and JSON reports;
4. :mod:`~tajo_brevo.contract.results` turns those into the summary, the verdict and the
   JUnit file; :mod:`~tajo_brevo.contract.cleanup` deletes what a write run created.

Against a live account the default is read-only: GET operations only, and no stateful
phase (its links start at create operations). ``allow_writes`` runs every operation and
every phase, on what the run creates itself (:mod:`~tajo_brevo.contract.writes`).

Example::

    result = run_contract(base_url="http://127.0.0.1:8080/v3", api_key=key)
    print(result.summary())
    result.write_junit(Path("contract.xml"))
    assert result.ok
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from tajo_brevo.contract import default_spec_path
from tajo_brevo.contract.cleanup import cleanup
from tajo_brevo.contract.discovery import discover
from tajo_brevo.contract.results import ContractResult, OperationReport
from tajo_brevo.contract.st_config import API_KEY_ENV, RunSettings, contract_config, write_run_files
from tajo_brevo.contract.writes import WRITE_PREFIX, WriteRecord

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_TIMEOUT",
    "EXTENSION_MODULE",
    "WRITE_PREFIX",
    "ContractResult",
    "OperationReport",
    "WriteRecord",
    "cleanup",
    "run_contract",
    "select_operations",
]

#: Fuzzing examples per operation by default (coverage and stateful add their own).
DEFAULT_MAX_EXAMPLES = 20
#: Longest a run may take before it is stopped (seconds).
DEFAULT_TIMEOUT = 3600.0
_ALL_PHASES = ["examples", "coverage", "fuzzing", "stateful"]
_WRITE_METHODS = ("post", "put", "patch", "delete")
_METHODS = ("get", *_WRITE_METHODS)
# An operation whose every answer is one of these tested nothing but authentication.
_AUTH_ONLY = frozenset({401, 403})
#: The module ``schemathesis run`` loads through ``SCHEMATHESIS_HOOKS``.
EXTENSION_MODULE = "tajo_brevo.contract.st_extension"


def _selected(
    spec: dict[str, Any], *, writes: bool, operation_ids: list[str] | None
) -> dict[str, OperationReport]:
    """label -> empty report, for every operation the mode and ``operation_ids`` select."""
    wanted = set(operation_ids or ())
    reports: dict[str, OperationReport] = {}
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            if method in _WRITE_METHODS and not writes:
                continue
            op_id = str(operation.get("operationId", ""))
            if wanted and op_id not in wanted:
                continue
            label = f"{method.upper()} {path}"
            reports[label] = OperationReport(label, op_id)
    return reports


def select_operations(
    *, spec_path: Path | None = None, allow_writes: bool, operation_ids: list[str] | None
) -> list[str]:
    """The operationIds :func:`run_contract` would test, without contacting anything.

    Raises:
        ValueError: no operation is selected.
        FileNotFoundError: no spec at ``spec_path``.
    """
    with open(spec_path or default_spec_path(), encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    operations = _selected(spec, writes=allow_writes, operation_ids=operation_ids)
    if not operations:
        raise ValueError(_NONE_SELECTED)
    return [report.operation_id for report in operations.values()]


_NONE_SELECTED = "no operation selected: check operation_ids and allow_writes"


def _filters(spec: dict[str, Any], *, writes: bool, operation_ids: list[str] | None) -> list[str]:
    args: list[str] = []
    if not writes:
        # Only methods the spec has: a filter that matches nothing is a warning (it fails).
        present = {method for item in spec.get("paths", {}).values() for method in item}
        for method in _WRITE_METHODS:
            if method in present:
                args += ["--exclude-method", method.upper()]
    for op_id in operation_ids or ():
        args += ["--include-operation-id", op_id]
    return args


def _warnings_that_fail(
    report: dict[str, Any],
    operations: dict[str, OperationReport],
    *,
    writes: bool,
    lenient_missing_data: bool,
) -> tuple[list[str], list[str]]:
    """The warnings of schemathesis' JSON report that fail this run, and notes for the rest.

    Per-operation exemptions (``st_config.WARNING_EXEMPTIONS``) are in the
    config: schemathesis does not raise those, so they are not in the report.
    """
    from tajo_brevo.contract.st_config import POSITIVE_EXTRA_STATUSES

    found: list[str] = []
    notes: list[str] = []
    for kind, labels in sorted(dict(report.get("warnings") or {}).items()):
        labels = sorted(labels or [])
        if not labels or kind == "low_valid_rate":
            continue
        if kind == "missing_test_data" and lenient_missing_data:
            continue
        if kind == "validation_mismatch" and writes:
            # A write run starts from an account without its own lists and folders: the
            # valid requests of these operations name lists or folders that don't exist,
            # and production refuses them (400, see POSITIVE_EXTRA_STATUSES). The pytest
            # suite against a seeded mock keeps this warning for them.
            expected = [
                label
                for label in labels
                if label in operations and operations[label].operation_id in POSITIVE_EXTRA_STATUSES
            ]
            if expected:
                notes.append(
                    "validation_mismatch is expected in a write run for "
                    + ", ".join(operations[label].name for label in expected)
                    + ": their valid requests name lists or folders that don't exist (400)"
                )
            labels = [label for label in labels if label not in expected]
            if not labels:
                continue
        found.append(f"schemathesis warning {kind}: {', '.join(labels)}")
    return found, notes


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
    seed: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    extension: str = EXTENSION_MODULE,
) -> ContractResult:
    """Run the schemathesis suite against ``base_url`` and collect per-operation results.

    Args:
        base_url: the API root, e.g. ``https://api.brevo.com/v3``.
        api_key: sent as the ``api-key`` header; never printed, never written to a file.
        spec_path: the spec to test against (default: the effective spec).
        allow_writes: run POST/PUT/DELETE operations too (names prefixed, cleaned up).
        max_examples: fuzzing examples per operation.
        app: an ASGI app to test instead of a server: served on 127.0.0.1 (a free port)
            for the run; ``base_url`` then only gives the path prefix, e.g.
            ``http://testserver/v3``.
        phases: schemathesis phases to run (default: all of them; read-only runs leave
            out ``stateful``).
        operation_ids: only these operations (default: all the mode allows).
        clean_up: after a write run, delete what it created and what carries
            :data:`WRITE_PREFIX`.
        seed: hypothesis seed, to replay a run (default: ``TAJO_SCHEMATHESIS_SEED``,
            else random; schemathesis' report prints it).
        timeout: seconds the run may take before it is stopped.
        extension: the module ``schemathesis run`` loads through ``SCHEMATHESIS_HOOKS``;
            one of your own (hooks, checks) must import :data:`EXTENSION_MODULE`.

    Returns:
        The per-operation results; ``result.ok`` says whether the target conforms.

    Raises:
        ValueError: ``max_examples`` < 1, or no operation is selected.
        FileNotFoundError: no spec at ``spec_path``.
    """
    from tajo_brevo.contract.st_links import with_links

    if max_examples < 1:
        raise ValueError("max_examples must be at least 1")
    started = time.monotonic()
    base_url = base_url.rstrip("/")
    with open(spec_path or default_spec_path(), encoding="utf-8") as handle:
        spec = with_links(yaml.safe_load(handle))
    operations = _selected(spec, writes=allow_writes, operation_ids=operation_ids)
    if not operations:
        raise ValueError(_NONE_SELECTED)
    if phases is None:
        # Stateful testing follows links from create operations: it needs writes.
        phases = _ALL_PHASES if allow_writes else ["examples", "coverage", "fuzzing"]
    settings = RunSettings(writes=allow_writes, phases=phases, max_examples=max_examples, seed=seed)
    outcome = ContractResult(base_url, operations, read_only=not allow_writes, _secret=api_key)

    with ExitStack() as stack:
        target = base_url
        if app is not None:
            from tajo_brevo.mock import BackgroundServer

            server = stack.enter_context(BackgroundServer(app))
            target = server.root_url + urlsplit(base_url).path
        client = stack.enter_context(
            httpx.Client(base_url=target, headers={"api-key": api_key}, timeout=30)
        )
        discovery = discover(client, ours_only=allow_writes)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tajo-contract-")))
        junit, json_report, results = (
            work / "junit.xml",
            work / "report.json",
            work / "results.json",
        )
        config = contract_config(target, settings, discovery, junit=junit, json_report=json_report)
        spec_file, config_file = write_run_files(work, spec, config)
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config_file),
            "--no-color",
            "run",
            str(spec_file),
            "--tajo-results",
            str(results),
            *(["--tajo-writes"] if allow_writes else []),
            *_filters(spec, writes=allow_writes, operation_ids=operation_ids),
        ]
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": extension,
            API_KEY_ENV: api_key,
            "NO_COLOR": "1",
            "COLUMNS": "120",
        }
        try:
            process = subprocess.run(
                command, cwd=work, env=env, capture_output=True, text=True, timeout=timeout
            )
            outcome.exit_code = process.returncode
            outcome.report = outcome._redact(process.stdout + process.stderr)
        except subprocess.TimeoutExpired:
            outcome.errors.append(f"the run took longer than {timeout:g}s and was stopped")
        finally:
            # Also after an interrupt or a timeout: what the run created must go.
            created = _read_results(results, outcome)
            if allow_writes and clean_up:
                outcome.errors += [f"cleanup: {p}" for p in cleanup(client, created)]
        if json_report.is_file():
            report = json.loads(json_report.read_text(encoding="utf-8"))
        else:
            report = {}
        if junit.is_file():
            outcome.junit = junit.read_text(encoding="utf-8")

    _judge(
        outcome,
        report,
        writes=allow_writes,
        lenient_missing_data=settings.lenient_missing_data(discovery),
    )
    if allow_writes:
        outcome.notes.append(
            "missing_test_data does not fail a write run: mutating calls are moved off "
            "existing data on purpose, and the stateful phase tests them on what the run creates"
        )
    elif discovery.verified_empty:
        outcome.notes.append(
            "the account has no contacts or no lists, so getContactInfo/getContactList "
            "could only be checked for 404 answers; add data for a deeper run"
        )
    outcome.elapsed = time.monotonic() - started
    return outcome


def _read_results(path: Path, outcome: ContractResult) -> WriteRecord:
    """Add the handler's per-operation results to ``outcome``; return the write record."""
    if not path.is_file():
        outcome.errors.append("schemathesis wrote no results (see its report: --verbose)")
        return WriteRecord()
    data = json.loads(path.read_text(encoding="utf-8"))
    for label, entry in dict(data.get("operations", {})).items():
        outcome.operations.setdefault(label, OperationReport(label)).add(entry)
    outcome.errors += [str(e) for e in data.get("errors", [])]
    stop = str(data.get("stop_reason", ""))
    if stop and stop != "completed":
        outcome.errors.append(f"run stopped early: {stop}")
    return WriteRecord.from_json(dict(data.get("created", {})))


def _judge(
    outcome: ContractResult, report: dict[str, Any], *, writes: bool, lenient_missing_data: bool
) -> None:
    """Turn schemathesis' verdict and our per-operation checks into warnings."""
    code = outcome.exit_code
    if code is not None and code != 0 and outcome.ok:
        # Nothing failed per operation, yet schemathesis failed the run: its warnings,
        # or an error before any case ran (exit 2: the configuration or the spec).
        found, notes = _warnings_that_fail(
            report, outcome.operations, writes=writes, lenient_missing_data=lenient_missing_data
        )
        outcome.notes += notes
        if not found and not notes:
            found = [f"schemathesis failed the run (exit {code}); see its report (--verbose)"]
        outcome.warnings += found
    for op in outcome.operations.values():
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

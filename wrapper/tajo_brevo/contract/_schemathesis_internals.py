"""The one place that touches schemathesis beyond its documented interfaces.

Everything else in :mod:`tajo_brevo.contract` uses what schemathesis documents: the
``schemathesis run`` command, its configuration file, ``SCHEMATHESIS_HOOKS`` with
``@schemathesis.hook`` and ``schemathesis.cli.handler``, and its JUnit and JSON reports.
Three things have no documented form, so they live here, each checked by
:func:`check_compatibility` (``tests/contract/test_schemathesis_internals.py`` calls it,
so a schemathesis upgrade that moves them fails loudly, naming what moved):

- reading one scenario's cases, responses and check results from an engine event (the
  extension guide hands events to handlers but documents no field of them);
- whether a generated case has a body (:func:`has_body`: schemathesis marks "no body"
  with its ``NotSet`` sentinel);
- the phase a case was generated in (``case.meta.phase``), which keeps a write run's
  stateful steps on what the run created;
- running an in-process schema (an ASGI app) through schemathesis' CLI reporter, for the
  pytest suite against the mock (:func:`run_with_cli_reporter`); ``schemathesis run``
  itself only takes a URL;
- the stateful phase's exploration knobs (``BASE_EXPLORATION_RATE`` and the link
  calibration's ``use_probability``), which a test turns to "always explore past a link"
  (:func:`always_explore_links`).

Tested with schemathesis 4.32 (``pyproject.toml`` pins ``>=4.32,<5``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CaseOutcome",
    "EngineNote",
    "always_explore_links",
    "check_compatibility",
    "decode_event",
    "has_body",
    "operation_id",
    "phase_name",
    "run_with_cli_reporter",
]


@dataclass(frozen=True)
class CaseOutcome:
    """One test case of a finished scenario, as plain data.

    Attributes:
        label: ``METHOD /path`` of the operation.
        operation_id: the spec's operationId ("" when it has none).
        status: the response status, None when no response arrived.
        failures: (check name, "title: message") of every check that failed.
    """

    label: str
    operation_id: str
    status: int | None
    failures: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EngineNote:
    """What one engine event says: a finished scenario's cases, an error, or the end.

    Attributes:
        kind: ``"cases"`` (a finished scenario), ``"error"``, ``"fatal"`` or ``"finished"``.
        label: the operation an error belongs to ("" when none).
        message: what happened (errors) or the stop reason (finished).
        cases: the finished scenario's cases (kind ``"cases"``).
    """

    kind: str
    label: str = ""
    message: str = ""
    cases: tuple[CaseOutcome, ...] = field(default=())


def operation_id(operation: Any) -> str:
    """The operationId of a schemathesis ``APIOperation`` ("" when it has none)."""
    return str(operation.definition.raw.get("operationId", "") or "")


def has_body(case: Any) -> bool:
    """Whether a schemathesis case carries a body (its ``NotSet`` sentinel means none)."""
    from schemathesis.core import NotSet

    return not isinstance(case.body, NotSet)


def phase_name(case: Any) -> str:
    """The phase (``examples``, ``coverage``, ``fuzzing``, ``stateful``) a case comes from."""
    meta = getattr(case, "meta", None)
    if meta is None:
        return ""
    return str(meta.phase.name.value if hasattr(meta.phase.name, "value") else meta.phase.name)


def _scenario_cases(recorder: Any) -> Iterator[CaseOutcome]:
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        response = None if interaction is None else interaction.response
        failures = tuple(
            (
                check.name,
                f"{check.failure_info.failure.title}: {check.failure_info.failure.message}",
            )
            for check in recorder.checks.get(case_id, [])
            if check.failure_info is not None
        )
        operation = node.value.operation
        yield CaseOutcome(
            label=operation.label,
            operation_id=operation_id(operation),
            status=None if response is None else int(response.status_code),
            failures=failures,
        )


def decode_event(event: Any) -> EngineNote | None:
    """What a CLI handler needs from one engine event, or None for the others.

    Returns:
        ``EngineNote("cases", cases=...)`` for a finished scenario (every phase),
        ``"error"`` / ``"fatal"`` for engine errors, ``"finished"`` at the end.
    """
    from schemathesis.engine import events

    finished: tuple[type, ...] = (events.ScenarioFinished,)
    fuzz = getattr(events, "FuzzScenarioFinished", None)
    if fuzz is not None:
        finished += (fuzz,)
    if isinstance(event, finished):
        recorder: Any = getattr(event, "recorder")  # noqa: B009 (both classes have it)
        return EngineNote("cases", cases=tuple(_scenario_cases(recorder)))
    if isinstance(event, events.NonFatalError):
        label = event.label if event.related_to_operation else ""
        return EngineNote("error", label, event.info.format(base_url_is_set=True))
    if isinstance(event, events.FatalError):
        return EngineNote("fatal", "", f"{type(event.exception).__name__}: {event.exception}")
    if isinstance(event, events.EngineFinished):
        return EngineNote("finished", "", str(event.stop_reason.value))
    return None


def run_with_cli_reporter(schema: Any) -> int:
    """Run every phase on ``schema`` through schemathesis' CLI event loop and reporter.

    The report (failures with curl reproductions, warnings, summary) goes to stdout.

    Returns:
        The exit code ``schemathesis run`` would give.
    """
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
        yield from from_schema(schema).execute()

    try:
        _execute(stream(), config=schema.config, args=[], params={}, startup_warnings=[])
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def always_explore_links(keep: str) -> None:
    """Make this process's stateful phase explore past every link except those named ``keep``.

    Schemathesis sometimes leaves a link's value out on purpose and generates the
    parameter instead (exploration, a random coin). For a test that needs every linked
    step to explore: p(use a path link) = 1 - rate * 0.5 (path parameter) * 0.5
    (required) = 0 with the rate at 4, before link calibration and after it; the links
    whose transition name contains ``keep`` always stay on. Global and irreversible:
    call it only in a process of its own (a ``schemathesis run`` hooks module).
    """
    import schemathesis.engine.link_calibration as calibration
    import schemathesis.specs.openapi.stateful as stateful

    stateful.BASE_EXPLORATION_RATE = 4.0  # type: ignore[attr-defined]

    def use_probability(_self: Any, transition_id: str) -> float:
        return 1.0 if keep in transition_id else 0.0

    calibration.LinkCalibrationState.use_probability = use_probability  # type: ignore[method-assign,assignment]


def _fields(cls: type) -> set[str]:
    names: set[str] = set(getattr(cls, "__slots__", ()))
    names |= set(getattr(cls, "__dataclass_fields__", {}))
    names |= set(getattr(cls, "__annotations__", {}))
    return names


def check_compatibility() -> list[str]:
    """What of the above the installed schemathesis no longer has (empty: all there)."""
    problems: list[str] = []
    try:
        from schemathesis.cli.commands.run.executor import _execute
        from schemathesis.cli.events import LoadingFinished, LoadingStarted  # noqa: F401
        from schemathesis.core import NotSet  # noqa: F401
        from schemathesis.engine import events, from_schema  # noqa: F401
        from schemathesis.engine.recorder import CaseNode, CheckNode, Interaction, ScenarioRecorder
    except ImportError as exc:
        return [f"import: {exc}"]
    problems += _exploration_problems()
    expected_parameters = {"config", "args", "params", "startup_warnings"}
    missing = expected_parameters - set(inspect.signature(_execute).parameters)
    if missing:
        problems.append(f"_execute lost parameters {sorted(missing)}")
    for cls, names in (
        (events.ScenarioFinished, {"recorder"}),
        (events.NonFatalError, {"info", "label", "related_to_operation"}),
        (events.FatalError, {"exception"}),
        (events.EngineFinished, {"stop_reason"}),
        (ScenarioRecorder, {"cases", "checks", "interactions"}),
        (CaseNode, {"value"}),
        (CheckNode, {"name", "failure_info"}),
        (Interaction, {"request", "response"}),
    ):
        gone = names - _fields(cls)
        if gone:
            problems.append(f"{cls.__module__}.{cls.__name__} lost {sorted(gone)}")
    return problems


def _exploration_problems() -> list[str]:
    """What :func:`always_explore_links` patches, checked without patching it."""
    try:
        import schemathesis.engine.link_calibration as calibration
        import schemathesis.specs.openapi.stateful as stateful
    except ImportError as exc:
        return [f"import: {exc} (always_explore_links)"]
    problems: list[str] = []
    rate = getattr(stateful, "BASE_EXPLORATION_RATE", None)
    if not isinstance(rate, int | float):
        problems.append(
            "schemathesis.specs.openapi.stateful.BASE_EXPLORATION_RATE is gone "
            "(always_explore_links sets it)"
        )
    state = getattr(calibration, "LinkCalibrationState", None)
    method = getattr(state, "use_probability", None)
    if method is None:
        problems.append(
            "schemathesis.engine.link_calibration.LinkCalibrationState.use_probability "
            "is gone (always_explore_links replaces it)"
        )
    elif len(inspect.signature(method).parameters) != 2:
        problems.append(
            "LinkCalibrationState.use_probability no longer takes (self, transition_id) "
            f"but {list(inspect.signature(method).parameters)} (always_explore_links)"
        )
    return problems

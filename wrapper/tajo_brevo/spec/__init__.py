"""Spec tooling: the pinned Brevo spec, its corrections overlay, the effective spec and the lock.

The effective spec is ``pin + corrections`` (OpenAPI Overlay 1.0, applied with the
``oas-patch`` library). Everything that reads a spec at run time (generation, the mock,
the contract tests) reads the effective one.

Needs the ``spec`` extra (``pip install tajo-brevo[spec]``).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "LOCK_UPSTREAM",
    "CorrectionReport",
    "SpecPaths",
    "apply_corrections",
    "build_effective",
    "check_lock",
    "dump_yaml",
    "load_yaml",
    "read_lock",
    "sha256_file",
    "validate_overlay",
    "validate_spec",
    "write_lock",
]

#: Where the pin comes from (recorded in spec.lock).
LOCK_UPSTREAM = {
    "repository": "api-evangelist/brevo",
    "path": "openapi/brevo-contacts-openapi.yml",
}


@dataclass(frozen=True)
class SpecPaths:
    """The files of the spec layer, relative to a project root."""

    root: Path

    @property
    def pin(self) -> Path:
        return self.root / "openapi" / "brevo-contacts.yml"

    @property
    def corrections(self) -> Path:
        return self.root / "openapi" / "corrections.yml"

    @property
    def effective(self) -> Path:
        return self.root / "openapi" / "brevo-contacts.effective.yml"

    @property
    def lock(self) -> Path:
        return self.root / "openapi" / "spec.lock"

    @property
    def generator_config(self) -> Path:
        return self.root / "openapi" / "generator.yml"


@dataclass
class CorrectionReport:
    """What applying the overlay did, action by action."""

    #: (index, target, description) of actions whose target matched nothing.
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)
    #: (index, target, description) of actions that changed nothing (upstream says the same).
    no_op: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.unmatched or self.no_op)


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def dump_yaml(doc: Any) -> str:
    """Deterministic YAML: insertion order kept, no aliases, no line folding."""

    class _NoAliasDumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(
        doc,
        Dumper=_NoAliasDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100_000,
        default_flow_style=False,
    )


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validate_overlay(overlay: Any) -> None:
    """Raise ``ValueError`` if ``overlay`` is not a valid OpenAPI Overlay 1.0 document."""
    from jsonschema import Draft202012Validator
    from oas_patch.validator import load_schema

    schema = load_schema("overlay_schema_1.0.0.yml")
    errors = sorted(Draft202012Validator(schema).iter_errors(overlay), key=lambda e: list(e.path))
    if errors:
        lines = [f"- {'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors]
        raise ValueError("corrections are not a valid Overlay 1.0 document:\n" + "\n".join(lines))


def validate_spec(doc: Any) -> None:
    """Raise ``ValueError`` if ``doc`` is not a valid OpenAPI 3.x document."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(doc)
    except OpenAPIValidationError as exc:
        raise ValueError(f"invalid OpenAPI document: {exc}") from exc


def apply_corrections(pin: Any, overlay: Any) -> tuple[Any, CorrectionReport]:
    """Apply the overlay's actions to a copy of ``pin``, one at a time, in order.

    Each action is applied on its own so that the report can say which corrections no
    longer apply to a new upstream spec: a target that matches nothing, or an action
    that leaves the document unchanged (upstream now says the same).

    Returns:
        The effective document and a report of stale actions.

    Raises:
        ValueError: the overlay is not a valid Overlay 1.0 document.
    """
    from jsonpath_ng.ext import parse
    from oas_patch.overlay import apply_overlay

    validate_overlay(overlay)
    doc = copy.deepcopy(pin)
    report = CorrectionReport()
    for index, action in enumerate(overlay.get("actions", [])):
        target = action["target"]
        description = action.get("description", "")
        if not parse(target).find(doc):
            report.unmatched.append((index, target, description))
            continue
        before = json.dumps(doc, sort_keys=True)
        # deepcopy: the same update mapping must never end up shared between nodes.
        doc = apply_overlay(doc, {"actions": [copy.deepcopy(action)]})
        if json.dumps(doc, sort_keys=True) == before:
            report.no_op.append((index, target, description))
    return doc, report


def build_effective(paths: SpecPaths, *, strict: bool = True) -> tuple[str, CorrectionReport]:
    """Produce the effective spec text from the pin and the corrections.

    Args:
        paths: where the spec files live.
        strict: raise if any correction no longer applies.

    Returns:
        The effective spec as YAML text and the corrections report.

    Raises:
        ValueError: invalid overlay, invalid result, or (strict) a stale correction.
    """
    pin = load_yaml(paths.pin)
    overlay = load_yaml(paths.corrections)
    effective, report = apply_corrections(pin, overlay)
    if strict and report.stale:
        raise ValueError("stale corrections:\n" + format_report(report))
    validate_spec(effective)
    header = (
        "# GENERATED by `make generate` from brevo-contacts.yml + corrections.yml.\n"
        "# Do not edit: change corrections.yml and regenerate.\n"
    )
    return header + dump_yaml(effective), report


def format_report(report: CorrectionReport) -> str:
    lines = []
    for index, target, description in report.unmatched:
        lines.append(f"- action {index} ({description}): target {target} matches nothing")
    for index, target, description in report.no_op:
        lines.append(
            f"- action {index} ({description}): changes nothing at {target} "
            "(upstream already says the same)"
        )
    return "\n".join(lines) or "all corrections apply"


def generator_version() -> str:
    from importlib.metadata import version

    return version("openapi-python-client")


def read_lock(paths: SpecPaths) -> dict[str, Any]:
    data = json.loads(paths.lock.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{paths.lock} is not a JSON object")
    return data


def lock_data(paths: SpecPaths) -> dict[str, Any]:
    return {
        "upstream": LOCK_UPSTREAM,
        "pin": {"path": "openapi/brevo-contacts.yml", "sha256": sha256_file(paths.pin)},
        "corrections": {
            "path": "openapi/corrections.yml",
            "sha256": sha256_file(paths.corrections),
        },
        "effective": {
            "path": "openapi/brevo-contacts.effective.yml",
            "sha256": sha256_file(paths.effective),
        },
        "generator": {"name": "openapi-python-client", "version": generator_version()},
    }


def write_lock(paths: SpecPaths) -> None:
    paths.lock.write_text(json.dumps(lock_data(paths), indent=2) + "\n", encoding="utf-8")


def check_lock(paths: SpecPaths) -> list[str]:
    """Return the problems found comparing the spec files to the lock (empty: all good)."""
    problems = []
    lock = read_lock(paths)
    for key, path in (
        ("pin", paths.pin),
        ("corrections", paths.corrections),
        ("effective", paths.effective),
    ):
        recorded = lock.get(key, {}).get("sha256")
        actual = sha256_file(path)
        if recorded != actual:
            problems.append(f"{path.name}: sha256 {actual} does not match spec.lock ({recorded})")
    return problems

"""The ``schemathesis.toml`` and the spec file a contract run hands to ``schemathesis run``.

Built from :func:`tajo_brevo.contract.schemathesis_setup.config_data`, the configuration
the pytest suite against the mock uses too, plus what the contract command adds: its
reports, the mode's warnings, and (write runs) no reuse of response data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tajo_brevo.contract.discovery import Discovery

__all__ = ["API_KEY_ENV", "contract_config", "dumps_toml", "write_run_files"]

#: The child process reads the API key from this variable: the config file only names it.
API_KEY_ENV = "TAJO_CONTRACT_API_KEY"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML config: {value!r} is not a finite number")
        return repr(value)
    if isinstance(value, str):
        # A JSON string with ASCII escapes is a TOML basic string.
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"TOML config: unsupported value {value!r}")


def _toml_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"TOML config: keys are strings, got {key!r}")
    return json.dumps(key, ensure_ascii=True)


def dumps_toml(data: Mapping[str, Any]) -> str:
    """``data`` as TOML: one ``key = value`` line per top-level key, inline below that.

    Enough for a schemathesis configuration (strings, numbers, booleans, lists, tables);
    ``tomllib.loads`` gives ``data`` back.
    """
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in data.items())


def contract_config(
    *,
    base_url: str,
    max_examples: int,
    seed: int | None,
    discovery: Discovery,
    writes: bool,
    phases: list[str],
    junit: Path,
    json_report: Path,
) -> dict[str, Any]:
    """The schemathesis configuration of one contract run.

    Args:
        base_url: the API root.
        max_examples: fuzzing examples per operation.
        seed: hypothesis seed (None: random, printed in the report).
        discovery: what exists on the target (fed to the generators).
        writes: a write run (see :mod:`tajo_brevo.contract.writes`).
        phases: the phases to run.
        junit: where schemathesis writes its JUnit report.
        json_report: where schemathesis writes its JSON run report.

    Returns:
        The configuration as ``schemathesis.toml`` holds it.
    """
    from schemathesis.config import SchemathesisWarning

    from tajo_brevo.contract import schemathesis_setup as setup

    known = setup.KnownData(
        contact_identifiers=discovery.contact_identifiers,
        list_ids=discovery.list_ids,
        attribute_names=discovery.attribute_names,
        process_ids=discovery.process_ids,
    )
    data: dict[str, Any] = setup.config_data(
        base_url=base_url,
        api_key="${" + API_KEY_ENV + "}",
        max_examples=max_examples,
        seed=seed,
        known=known,
    )
    if writes or discovery.verified_empty:
        # Write run: mutating calls are moved off existing data on purpose, so their 404s
        # are the safety measure working; the stateful phase tests them on what the run
        # creates. Empty account: a lookup can only be a 404, and a key or routing
        # problem shows in the listings. Every other warning still fails the run.
        data["warnings"] = {
            "fail-on": [
                w.value
                for w in SchemathesisWarning
                if w.value not in ("low_valid_rate", "missing_test_data")
            ]
        }
    phase_config = data.setdefault("phases", {})
    for name in ("examples", "coverage", "fuzzing", "stateful"):
        phase_config.setdefault(name, {})["enabled"] = name in phases
    if writes:
        # Schemathesis feeds ids seen in responses (e.g. listContactLists) into later
        # cases, after the hooks: that would aim updates and deletes at existing data.
        for name in ("examples", "coverage", "fuzzing"):
            phase_config[name]["extra-data-sources"] = {"responses": False}
    data["reports"] = {
        "junit": {"enabled": True, "path": str(junit)},
        "json": {"enabled": True, "path": str(json_report)},
    }
    # Nothing of a run is kept in the working directory.
    data["cache"] = {"enabled": False}
    return data


def write_run_files(
    directory: Path, spec: Mapping[str, Any], config: Mapping[str, Any]
) -> tuple[Path, Path]:
    """Write the spec (with the stateful links) and the config into ``directory``.

    Returns:
        ``(spec path, config path)``.
    """
    spec_path = directory / "spec.yml"
    spec_path.write_text(yaml.safe_dump(dict(spec), sort_keys=False), encoding="utf-8")
    config_path = directory / "schemathesis.toml"
    config_path.write_text(dumps_toml(config), encoding="utf-8")
    return spec_path, config_path

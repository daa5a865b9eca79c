"""The schemathesis configuration of a run on this spec, and the files ``schemathesis run`` gets.

:func:`config_data` is what every run shares (the pytest suite against the mock loads it
with ``schemathesis_setup.load_schema``): the ``api-key`` header, every warning failing
the run (a wrong key makes every answer a documented 401, i.e. a false pass), the
fuzzing cap ``TAJO_SCHEMATHESIS_MAX_EXAMPLES``, per-operation statuses a schema-valid
request may get (:data:`POSITIVE_EXTRA_STATUSES`, each with the production reason) and
warning exemptions, and the identifiers that exist on the server (:class:`KnownData`).
:func:`contract_config` adds what the contract command needs: its reports, the mode's
warnings, and (write runs) no reuse of response data; :func:`write_run_files` writes it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tajo_brevo.contract.discovery import Discovery

__all__ = [
    "API_KEY_ENV",
    "MAX_EXAMPLES_ENV",
    "POSITIVE_EXTRA_STATUSES",
    "SEED_ENV",
    "WARNING_EXEMPTIONS",
    "KnownData",
    "RunSettings",
    "config_data",
    "contract_config",
    "default_max_examples",
    "dumps_toml",
    "write_run_files",
]

#: The child process reads the API key from this variable: the config file only names it.
API_KEY_ENV = "TAJO_CONTRACT_API_KEY"
#: Environment variable capping schemathesis' fuzzing phase (examples per operation).
MAX_EXAMPLES_ENV = "TAJO_SCHEMATHESIS_MAX_EXAMPLES"
#: Environment variable fixing the hypothesis seed (to replay a run; default: random).
SEED_ENV = "TAJO_SCHEMATHESIS_SEED"
_DEFAULT_MAX_EXAMPLES = 25

_DEFAULT_POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

#: operationId -> (extra statuses a schema-valid request may get, why production does so).
#: Only operations whose valid requests can name something that does not exist, or
#: collide with existing state, are listed; the rest keep schemathesis' defaults.
POSITIVE_EXTRA_STATUSES: dict[str, tuple[tuple[str, ...], str]] = {
    "createContact": (
        ("400",),
        "listIds may name lists that don't exist (400 invalid_parameter); the email or SMS "
        "may belong to an existing contact (400 duplicate_parameter); a contact needs an "
        "email or attributes.SMS (400 missing_parameter)",
    ),
    "updateContact": (
        ("400",),
        "listIds/unlinkListIds may name lists that don't exist; attributes.EMAIL or SMS "
        "may belong to another contact (400 duplicate_parameter)",
    ),
    "createContactList": (
        ("400",),
        "folderId may name a folder that does not exist (400 invalid_parameter)",
    ),
    "updateContactList": (
        ("400",),
        "folderId may name a folder that does not exist (400 invalid_parameter)",
    ),
    "addContactsToList": (
        ("400",),
        "a body naming neither emails nor ids is refused (400 missing_parameter); the "
        "contacts named may not exist (they land in failure[])",
    ),
    "removeContactsFromList": (
        ("400",),
        "a body naming neither emails nor ids is refused (400 missing_parameter); the "
        "contacts named may not exist (they land in failure[])",
    ),
    "importContacts": (
        ("400",),
        "listIds / newList.folderId may name lists or folders that don't exist "
        "(400 invalid_parameter); a CSV header must name each column once",
    ),
    "requestContactExport": (
        ("400",),
        "customContactFilter.listId / segmentId may name a list or segment that doesn't "
        "exist, exportAttributes attributes that don't exist (400 invalid_parameter); an "
        "action needs a list, a segment or a date filter (400 missing_parameter)",
    ),
    "createContactAttribute": (
        ("400",),
        "the attribute may already exist (names are unique); names are letters, digits "
        "and underscores; category attributes need an enumeration, calculated and global "
        "ones a value (400 invalid_parameter / missing_parameter)",
    ),
}


#: operationId -> (warnings not raised for it, why). Everything else fails the run.
WARNING_EXEMPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "importContacts": (
        ("validation_mismatch", "missing_test_data"),
        "the spec now says an import's shape (one source, listIds or newList, a CSV header "
        "naming EMAIL or SMS), but its listIds / newList.folderId are body fields that "
        "KnownData can't bind, and generated ids almost never name an existing list or "
        "folder, which production refuses (400 invalid_parameter); it takes no "
        "identifier, so there is no test data to miss (schemathesis gates both warnings "
        "together per operation)",
    ),
    "requestContactExport": (
        ("validation_mismatch", "missing_test_data"),
        "its customContactFilter.listId and exportAttributes are body fields KnownData "
        "can't bind, and generated ones almost never name an existing list or attribute, "
        "which production refuses (400 invalid_parameter); it takes no identifier, so "
        "there is no test data to miss",
    ),
}


@dataclass(frozen=True)
class KnownData:
    """Identifiers that exist on the server under test, mixed into generated requests.

    Without them, generated ids and emails almost never name an existing contact, list
    or attribute, every answer is a 404 and schemathesis warns "missing test data".

    Attributes:
        contact_identifiers: contact ids (as strings) and emails.
        list_ids: list ids.
        attribute_names: attribute names (any category).
        process_ids: process ids (imports); processes can't be created by a read.
        probability: share of generated values taken from these lists.
    """

    contact_identifiers: Sequence[str] = ()
    list_ids: Sequence[int] = ()
    attribute_names: Sequence[str] = ()
    process_ids: Sequence[int] = ()
    probability: float = 0.5

    def config(self) -> tuple[dict[str, Any], list[tuple[str | None, str, str]]]:
        """The ``dictionaries`` section and ``(operationId or None, parameter, dictionary)``.

        Attribute names are bound for ``deleteContactAttribute`` only: given to
        ``createContactAttribute`` they would only ever be duplicates (400).
        """
        dictionaries: dict[str, Any] = {}
        bindings: list[tuple[str | None, str, str]] = []
        contacts = [str(v) for v in self.contact_identifiers]
        lists = [int(v) for v in self.list_ids]
        names = [str(v) for v in self.attribute_names]
        for name, operation, key, values in (
            ("contact_identifiers", None, "path.identifier", contacts),
            ("list_ids", None, "path.listId", lists),
            ("attribute_names", "deleteContactAttribute", "path.attributeName", names),
            ("process_ids", "getProcess", "path.processId", [int(v) for v in self.process_ids]),
        ):
            if values:
                dictionaries[name] = {"values": values}
                bindings.append((operation, key, name))
        if lists:
            # The lists a body names (createContact, updateContact, importContacts):
            # generated ids almost never exist, which production refuses (400).
            bindings.append((None, "body.listIds[*]", "list_ids"))
        return dictionaries, bindings


def default_max_examples() -> int:
    """``TAJO_SCHEMATHESIS_MAX_EXAMPLES``, or 25.

    Raises:
        ValueError: the variable is set but not a positive integer.
    """
    value = _int_from_env(MAX_EXAMPLES_ENV, positive=True)
    return _DEFAULT_MAX_EXAMPLES if value is None else value


def _int_from_env(name: str, *, positive: bool = False) -> int | None:
    """The integer environment variable ``name`` holds, or None when it is unset or blank.

    Raises:
        ValueError: the variable holds no integer (or, with ``positive``, one below 1).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value: int | None = int(raw)
    except ValueError:
        value = None
    if value is None or (positive and value < 1):
        expected = "a positive integer" if positive else "an integer"
        raise ValueError(f"{name}={raw!r}: expected {expected}")
    return value


def config_data(
    *,
    base_url: str,
    api_key: str,
    max_examples: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    known: KnownData | None = None,
) -> Any:
    """The schemathesis configuration of a full contract run, as data.

    Args:
        base_url: the API root, e.g. ``http://127.0.0.1:8080/v3``.
        api_key: sent as the ``api-key`` header.
        max_examples: fuzzing examples per operation (default :func:`default_max_examples`).
        seed: hypothesis seed (None: ``TAJO_SCHEMATHESIS_SEED``, else random; the report
            prints the seed of every run).
        workers: concurrent workers.
        known: identifiers that exist on the server (see :class:`KnownData`).

    Returns:
        The configuration as ``schemathesis.toml`` would hold it (a dict).
    """
    from schemathesis.config import SchemathesisWarning

    operations = [
        {
            "include-operation-id": [operation_id],
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": [*_DEFAULT_POSITIVE, *statuses],
                }
            },
        }
        for operation_id, (statuses, _reason) in POSITIVE_EXTRA_STATUSES.items()
    ]
    every_warning = [w.value for w in SchemathesisWarning if w.value != "low_valid_rate"]
    operations += [
        {
            "include-operation-id": [operation_id],
            "warnings": [w for w in every_warning if w not in exempt],
        }
        for operation_id, (exempt, _reason) in WARNING_EXEMPTIONS.items()
    ]
    data: dict[str, Any] = {
        "base-url": base_url,
        "headers": {"api-key": api_key},
        "workers": workers,
        # Every warning fails the run: missing_auth (all 401: wrong key), missing_test_data
        # (all 404), validation_mismatch (valid data always refused), ...
        "warnings": {"fail-on": True},
        "generation": {"max-examples": max_examples or default_max_examples()},
        "operations": operations,
        # Links are the declared ones (the spec's and STATEFUL_LINKS), so what the run
        # chains is what the spec says; dependency analysis stays off (it once mislinked
        # the 201 schema the three creates shared). Location-header inference stays on.
        "phases": {"stateful": {"inference": {"algorithms": ["location-headers"]}}},
    }
    if seed is None:
        seed = _int_from_env(SEED_ENV)
    if seed is not None:
        data["seed"] = seed
    if known is not None:
        dictionaries, bindings = known.config()
        data["dictionaries"] = dictionaries
        probability = known.probability
        for operation_id, key, name in bindings:
            binding = {key: {"dictionary": name, "probability": probability}}
            if operation_id is None:
                data.setdefault("parameters", {}).update(binding)
            else:
                operations.append({"include-operation-id": [operation_id], "parameters": binding})
    return data


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


@dataclass(frozen=True)
class RunSettings:
    """What a contract run was asked to do, as far as its schemathesis configuration goes.

    Attributes:
        writes: a write run (see :mod:`tajo_brevo.contract.writes`).
        phases: the schemathesis phases to run.
        max_examples: fuzzing examples per operation.
        seed: hypothesis seed (None: ``TAJO_SCHEMATHESIS_SEED``, else random; the report
            prints it).
    """

    writes: bool
    phases: Sequence[str]
    max_examples: int
    seed: int | None = None

    def lenient_missing_data(self, discovery: Discovery) -> bool:
        """Whether schemathesis' ``missing_test_data`` warning does not fail the run.

        A write run moves mutating calls off existing data on purpose, so their 404s are
        the safety measure working (the stateful phase tests them on what the run
        creates). On an account without contacts or lists a lookup can only be a 404, and
        a key or routing problem shows in the listings.
        """
        return self.writes or discovery.verified_empty


def contract_config(
    base_url: str,
    settings: RunSettings,
    discovery: Discovery,
    *,
    junit: Path,
    json_report: Path,
) -> dict[str, Any]:
    """The schemathesis configuration of one contract run.

    Args:
        base_url: the API root.
        settings: the run's mode, phases, examples and seed.
        discovery: what exists on the target (fed to the generators).
        junit: where schemathesis writes its JUnit report.
        json_report: where schemathesis writes its JSON run report.

    Returns:
        The configuration as ``schemathesis.toml`` holds it.
    """
    from schemathesis.config import SchemathesisWarning

    known = KnownData(
        contact_identifiers=discovery.contact_identifiers,
        list_ids=discovery.list_ids,
        attribute_names=discovery.attribute_names,
        process_ids=discovery.process_ids,
    )
    data: dict[str, Any] = config_data(
        base_url=base_url,
        api_key="${" + API_KEY_ENV + "}",
        max_examples=settings.max_examples,
        seed=settings.seed,
        known=known,
    )
    if settings.lenient_missing_data(discovery):
        # Every other warning still fails the run.
        data["warnings"] = {
            "fail-on": [
                w.value
                for w in SchemathesisWarning
                if w.value not in ("low_valid_rate", "missing_test_data")
            ]
        }
    phase_config = data.setdefault("phases", {})
    for name in ("examples", "coverage", "fuzzing", "stateful"):
        phase_config.setdefault(name, {})["enabled"] = name in settings.phases
    if settings.writes:
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

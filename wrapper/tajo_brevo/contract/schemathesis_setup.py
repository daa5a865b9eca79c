"""Schemathesis against a Brevo Contacts server: the setup every runner shares.

One place for what a full schemathesis run needs on this spec:

- the effective spec, loaded with a config that sends the ``api-key`` header, fails the
  run on any warning (a wrong key makes every answer a documented 401, i.e. a false
  pass), and caps the fuzzing phase with ``TAJO_SCHEMATHESIS_MAX_EXAMPLES``;
- realistic generated emails (``format: email``): schemathesis' default addresses are
  valid per RFC 5322 but not per Brevo, which would fail "schema-valid request rejected";
- a ``filter_path_parameters`` hook: a contact ``identifier`` equal to ``lists``,
  ``attributes``, ``folders`` or ``import``, or containing ``/`` (schemathesis does not
  percent-encode it), would reach another operation's route;
- per-operation statuses a schema-valid request may get (:data:`POSITIVE_EXTRA_STATUSES`),
  each with the production reason; operations not listed keep schemathesis' defaults.

:func:`run` drives schemathesis' own engine and reporter (all phases, every default
check, positive and negative data) against a base URL or an in-process ASGI app and
returns the exit code the ``schemathesis run`` command would give.

Needs the ``contract`` extra.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import schemathesis
import yaml
from hypothesis import strategies as st

__all__ = [
    "MAX_EXAMPLES_ENV",
    "POSITIVE_EXTRA_STATUSES",
    "RESERVED_IDENTIFIERS",
    "SEED_ENV",
    "STATEFUL_LINKS",
    "WARNING_EXEMPTIONS",
    "KnownData",
    "PositiveCreatesFitState",
    "build_config",
    "config_data",
    "default_max_examples",
    "load_schema",
    "realistic_emails",
    "register_formats",
    "run",
    "with_links",
]

#: Environment variable capping schemathesis' fuzzing phase (examples per operation).
MAX_EXAMPLES_ENV = "TAJO_SCHEMATHESIS_MAX_EXAMPLES"
#: Environment variable fixing the hypothesis seed (to replay a run; default: random).
SEED_ENV = "TAJO_SCHEMATHESIS_SEED"
_DEFAULT_MAX_EXAMPLES = 25

#: ``/contacts/{identifier}`` values that are other routes (``/contacts/lists``, ...).
RESERVED_IDENTIFIERS = frozenset({"lists", "attributes", "folders", "import"})

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


#: (source operationId, status, link name, target operationId, parameters, requestBody):
#: links added for the stateful phase on top of those the effective spec declares
#: (openapi/corrections.yml: create contact -> get/update/delete, create list -> get/
#: update/delete/add/remove/members, ...). This one puts a value inside an array of the
#: request body, which only schemathesis understands, so it stays out of the spec.
STATEFUL_LINKS: list[tuple[str, str, str, str, dict[str, str], Any]] = [
    ("createContactList", "201", "ImportIntoList", "importContacts",
     {}, {"listIds": ["$response.body#/id"]}),
]  # fmt: skip

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


def with_links(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` with :data:`STATEFUL_LINKS` added to its responses."""
    doc: dict[str, Any] = copy.deepcopy(dict(spec))
    by_id = {
        op["operationId"]: op
        for item in doc["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for source, status, name, target, parameters, body in STATEFUL_LINKS:
        if source not in by_id or target not in by_id:
            continue  # a document with part of the operations (a test's excerpt)
        response = by_id[source]["responses"][status]
        link: dict[str, Any] = {"operationId": target}
        if parameters:
            link["parameters"] = dict(parameters)
        if body is not None:
            link["requestBody"] = copy.deepcopy(body)
        response.setdefault("links", {})[name] = link
    return doc


def default_max_examples() -> int:
    """``TAJO_SCHEMATHESIS_MAX_EXAMPLES``, or 25.

    Raises:
        ValueError: the variable is set but not a positive integer.
    """
    raw = os.environ.get(MAX_EXAMPLES_ENV, "").strip()
    if not raw:
        return _DEFAULT_MAX_EXAMPLES
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{MAX_EXAMPLES_ENV}={raw!r}: expected a positive integer") from None
    if value < 1:
        raise ValueError(f"{MAX_EXAMPLES_ENV}={raw!r}: expected a positive integer")
    return value


def realistic_emails() -> st.SearchStrategy[str]:
    """Addresses of the shape Brevo accepts: ``local[.part]@domain.tld``, lower case."""
    local = st.from_regex(r"\A[a-z0-9]{1,12}([._+-][a-z0-9]{1,8})?\Z")
    domain = st.from_regex(r"\A[a-z0-9]{1,12}(-[a-z0-9]{1,6})?\Z")
    tld = st.sampled_from(["com", "net", "org", "io", "example", "fr"])
    return st.builds(lambda a, b, c: f"{a}@{b}.{c}", local, domain, tld)


_registered = False


def register_formats() -> None:
    """Register the realistic ``email`` strategy with schemathesis (idempotent, global)."""
    global _registered
    if not _registered:
        schemathesis.openapi.format("email", realistic_emails())
        _registered = True


def _identifier_reaches_its_route(context: Any, path_parameters: Mapping[str, Any] | None) -> bool:
    identifier = (path_parameters or {}).get("identifier")
    if not isinstance(identifier, str):
        return True
    # Servers decode the path before routing: "%6Cists" is "lists" too.
    decoded = unquote(identifier)
    return (
        decoded not in RESERVED_IDENTIFIERS and "/" not in identifier and decoded not in (".", "..")
    )


#: The ``filter_path_parameters`` hook, for runs that register hooks themselves
#: (``schemathesis run`` through :mod:`tajo_brevo.contract.st_extension`).
identifier_reaches_its_route = _identifier_reaches_its_route


def _query_mutation_survives(context: Any, case: Any) -> bool:
    """Drop a negative case whose only "invalid" part is lost in the query string.

    An array query parameter (``listIds``, ``ids``: ``form``, exploded) sent with one value
    is ``?listIds=5`` whether the value was ``[5]`` or the "type-violating" scalar ``5``:
    no server can tell them apart, so schemathesis' "schema-violating request accepted"
    would be a false alarm. Such cases (negative query, a scalar for an array parameter)
    are skipped; every other negative case runs.
    """
    meta = getattr(case, "meta", None)
    components = getattr(meta, "components", None) or {}
    query = next(
        (
            info
            for location, info in components.items()
            if str(getattr(location, "value", location)) == "query"
        ),
        None,
    )
    if query is None or str(getattr(query.mode, "value", query.mode)) != "negative":
        return True
    arrays = {
        parameter.get("name")
        for parameter in case.operation.definition.raw.get("parameters", [])
        if isinstance(parameter, dict)
        and parameter.get("in") == "query"
        and isinstance(parameter.get("schema"), dict)
        and parameter["schema"].get("type") == "array"
    }
    sent = case.query or {}
    return not any(name in sent and not isinstance(sent[name], list) for name in arrays)


#: The ``filter_case`` hook, for runs that register hooks themselves.
query_mutation_survives = _query_mutation_survives

#: What each attribute category needs in a createContactAttribute body (the mock's and
#: production's rule): the spec can't say it, because the category is a path parameter.
_CATEGORY_NEEDS: dict[str, tuple[str, Any]] = {
    "category": ("enumeration", [{"value": 1, "label": "One"}]),
    "calculated": ("value", "1"),
    "global": ("value", "1"),
}


def _fits_category(category: Any, body: Mapping[str, Any]) -> bool:
    need = _CATEGORY_NEEDS.get(str(category))
    if need is None:
        return True
    field, _default = need
    given = body.get(field)
    if field == "value":
        return isinstance(given, str) and bool(given)
    if not isinstance(given, list) or not given:
        return False
    values = [item.get("value") for item in given if isinstance(item, dict)]
    return len(values) == len(given) and len(set(map(repr, values))) == len(values)


def _first_unused(
    value: str, variant: Callable[[int], str], used: set[str], key: Callable[[str], str]
) -> str:
    """``value``, or its first ``variant(2)``, ``variant(3)``... not in ``used``; marked used."""
    fresh, suffix = value, 1
    while key(fresh) in used:
        suffix += 1
        fresh = variant(suffix)
    used.add(key(fresh))
    return fresh


class PositiveCreatesFitState:
    """``map_case``: a schema-valid create names something new, as production requires.

    Some rules of production decide whether a schema-valid create is served, and none can
    be written in the spec, because they depend on the account's state or on a path
    parameter:

    - attribute names are unique in an account, case-insensitively, and what a
      createContactAttribute body needs depends on the category in the path (a
      ``category`` attribute an enumeration with distinct values, a ``calculated`` or
      ``global`` one a ``value``);
    - a createContact email must not belong to a contact already there (without
      ``updateEnabled``; 400 duplicate_parameter).

    Hypothesis draws the same name or body again and again (it replays what it found
    interesting), and the category independently of the body, so on unlucky seeds every
    schema-valid case of a phase was a duplicate or lacked its category's field, all were
    refused (400), and schemathesis failed the run with "schema validation mismatch" (CI
    of 2026-12-04 on createContactAttribute). This hook gives each positive create a name
    or email not yet used in this run (``_2``/``2`` suffixes) and, where the category
    needs it, the missing field. Negative cases are left as generated, so the server must
    still refuse them; the refusals themselves are tested against the mock
    (``tests/mock/test_mock_attributes.py``, ``tests/mock/test_mock_contacts.py``).

    One instance is one run: it remembers the names and emails its cases used.

    Args:
        taken_emails: addresses that already exist on the server (:class:`KnownData`).
    """

    def __init__(self, taken_emails: Sequence[str] = ()) -> None:
        self._attributes: set[str] = set()
        self._emails: set[str] = {e.lower() for e in taken_emails if "@" in e}

    def __call__(self, context: Any, case: Any) -> Any:
        operation = str(case.operation.definition.raw.get("operationId"))
        if operation not in ("createContactAttribute", "createContact"):
            return case
        meta = getattr(case, "meta", None)
        if meta is None or str(getattr(meta.generation.mode, "value", "")) != "positive":
            return case
        if operation == "createContact":
            self._fresh_email(case)
        else:
            self._fresh_attribute(case)
        return case

    def _fresh_email(self, case: Any) -> None:
        body = case.body
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or "@" not in email:
            return
        local, _, domain = email.rpartition("@")
        fresh = _first_unused(email, lambda n: f"{local}{n}@{domain}", self._emails, str.lower)
        if fresh != email:
            case.body = {**body, "email": fresh}

    def _fresh_attribute(self, case: Any) -> None:
        params = dict(case.path_parameters or {})
        name = params.get("attributeName")
        if isinstance(name, str):
            fresh = _first_unused(name, lambda n: f"{name}_{n}", self._attributes, str.upper)
            if fresh != name:
                params["attributeName"] = fresh
                case.path_parameters = params
        category = params.get("attributeCategory")
        if isinstance(case.body, dict) and not _fits_category(category, case.body):
            field, default = _CATEGORY_NEEDS[str(category)]
            case.body = {**case.body, field: copy.deepcopy(default)}


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
    if seed is None and os.environ.get(SEED_ENV, "").strip():
        try:
            seed = int(os.environ[SEED_ENV])
        except ValueError:
            raise ValueError(f"{SEED_ENV}={os.environ[SEED_ENV]!r}: expected an integer") from None
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


def build_config(
    *,
    base_url: str,
    api_key: str,
    max_examples: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    known: KnownData | None = None,
) -> Any:
    """:func:`config_data` as a ``schemathesis.config.SchemathesisConfig``."""
    from schemathesis.config import SchemathesisConfig

    return SchemathesisConfig.from_dict(
        config_data(
            base_url=base_url,
            api_key=api_key,
            max_examples=max_examples,
            seed=seed,
            workers=workers,
            known=known,
        )
    )


def load_schema(
    *,
    base_url: str,
    api_key: str,
    app: Any = None,
    spec_path: str | Path | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    known: KnownData | None = None,
) -> Any:
    """The effective spec as a schemathesis schema, configured for a contract run.

    Args:
        base_url: the API root (for an in-process app, e.g. ``http://testserver/v3``).
        api_key: the key the server accepts.
        app: an ASGI app to call in-process instead of the network.
        spec_path: the OpenAPI document (default: the effective spec).
        max_examples: fuzzing examples per operation.
        seed: hypothesis seed.
        known: identifiers that exist on the server (see :class:`KnownData`).

    Returns:
        A ``schemathesis`` OpenAPI schema with the hooks of this module registered.
    """
    from tajo_brevo._resources import effective_spec_path

    register_formats()
    config = build_config(
        base_url=base_url, api_key=api_key, max_examples=max_examples, seed=seed, known=known
    )
    with open(spec_path or effective_spec_path(), encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    schema = schemathesis.openapi.from_dict(with_links(spec), config=config)
    schema.hooks.register_hook_with_name(_identifier_reaches_its_route, "filter_path_parameters")
    schema.hooks.register_hook_with_name(_query_mutation_survives, "filter_case")
    taken = known.contact_identifiers if known is not None else ()
    schema.hooks.register_hook_with_name(PositiveCreatesFitState(taken), "map_case")
    if app is not None:
        schema.app = app
    return schema


def run(schema: Any) -> int:
    """Run every phase and check of schemathesis on ``schema``, reporting like its CLI.

    The report (failures with curl reproductions, warnings, summary) goes to stdout.

    Args:
        schema: from :func:`load_schema`.

    Returns:
        The exit code ``schemathesis run`` would give: 0 when nothing failed and no
        warning was raised.
    """
    # schemathesis run takes a URL, not an in-process app: its CLI event loop is reached
    # through the one module that uses schemathesis internals.
    from tajo_brevo.contract._schemathesis_internals import run_with_cli_reporter

    code = run_with_cli_reporter(schema)
    sys.stdout.flush()
    return code

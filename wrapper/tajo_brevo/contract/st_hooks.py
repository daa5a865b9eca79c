"""The data hooks every schemathesis run on this spec registers.

- realistic generated emails (``format: email``, :func:`register_formats`): schemathesis'
  default addresses are valid per RFC 5322 but not per Brevo, which would fail
  "schema-valid request rejected";
- ``filter_path_parameters`` (:func:`identifier_reaches_its_route`): a contact
  ``identifier`` equal to ``lists``, ``attributes``, ``folders`` or ``import``, or
  containing ``/`` (schemathesis does not percent-encode it), would reach another
  operation's route;
- ``filter_case`` (:func:`query_mutation_survives`) and ``map_case``
  (:class:`PositiveCreatesFitState`).

The pytest suite registers them on its schema (``schemathesis_setup.load_schema``),
``schemathesis run`` through :mod:`tajo_brevo.contract.st_extension`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import schemathesis
from hypothesis import strategies as st

__all__ = [
    "RESERVED_IDENTIFIERS",
    "PositiveCreatesFitState",
    "identifier_reaches_its_route",
    "query_mutation_survives",
    "realistic_emails",
    "register_formats",
]

#: ``/contacts/{identifier}`` values that are other routes (``/contacts/lists``, ...).
RESERVED_IDENTIFIERS = frozenset({"lists", "attributes", "folders", "import"})


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


def identifier_reaches_its_route(context: Any, path_parameters: Mapping[str, Any] | None) -> bool:
    """The ``filter_path_parameters`` hook: a contact identifier must reach its own route."""
    identifier = (path_parameters or {}).get("identifier")
    if not isinstance(identifier, str):
        return True
    # Servers decode the path before routing: "%6Cists" is "lists" too.
    decoded = unquote(identifier)
    return (
        decoded not in RESERVED_IDENTIFIERS and "/" not in identifier and decoded not in (".", "..")
    )


def query_mutation_survives(context: Any, case: Any) -> bool:
    """The ``filter_case`` hook: drop a negative case whose invalid part the query loses.

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

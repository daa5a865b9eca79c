"""What a client learns about the account (attribute types, provisioning) and the
check of values against it before sending."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import _adapter as calls
from .._adapter import to_attribute_info
from ..attributes import BREVO_TYPES, AttributeSpec, check_value
from ..errors import (
    AttributeMismatchError,
    ConfigurationError,
    ValidationError,
)
from ..results import (
    AttributeInfo,
    ProvisionResult,
)
from ._base import Plan


@dataclass
class AccountCache:
    """What a client learns about the account and reuses (shared by threads; cheap races)."""

    attribute_types: dict[str, str | None] | None = None
    #: The same attributes in full (category, enumeration), by name.
    attributes: dict[str, AttributeInfo] | None = None
    provisioning: ProvisionResult | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def fetch_attributes(state: AccountCache) -> Plan[list[AttributeInfo]]:
    """Read the account's attributes and refresh the cached types."""
    result = yield calls.list_attributes_call()
    body = result.body if isinstance(result.body, dict) else {}
    infos = [to_attribute_info(a) for a in body.get("attributes") or [] if isinstance(a, dict)]
    with state.lock:
        state.attribute_types = {info.name: info.type for info in infos}
        state.attributes = {info.name: info for info in infos}
    return infos


def attribute_types_plan(state: AccountCache) -> Plan[dict[str, str | None]]:
    with state.lock:
        cached = state.attribute_types
    if cached is None:
        yield from fetch_attributes(state)
        with state.lock:
            cached = state.attribute_types or {}
    return cached


def known_attributes(state: AccountCache) -> dict[str, AttributeInfo]:
    with state.lock:
        return state.attributes or {}


#: Categories whose values Brevo computes: a value sent for one is dropped silently.
_COMPUTED = frozenset({"calculated", "global"})
_SHOWN_CHOICES = 12


def _category_problem(info: AttributeInfo, value: object) -> str | None:
    """Why Brevo would drop ``value`` for an attribute of another category than normal."""
    if info.category in _COMPUTED:
        return (
            f"{info.name} is a {info.category} attribute: Brevo computes it and drops a "
            "value sent for a contact"
        )
    if info.category != "category":
        return None
    values = [e.get("value") for e in info.enumeration]
    labels = [e.get("label") for e in info.enumeration]
    if isinstance(value, bool):
        pass
    elif (isinstance(value, int | float) and value in values) or (
        isinstance(value, str) and value in labels
    ):
        return None
    pairs = [f"{v!r} ({label})" for v, label in zip(values, labels, strict=True)]
    choices = ", ".join(pairs[:_SHOWN_CHOICES])
    if len(pairs) > _SHOWN_CHOICES:
        choices += f", ... ({len(pairs)} in all)"
    return (
        f"{info.name} is a category attribute and {value!r} is none of its choices, which "
        f"Brevo would drop silently; send one of the values or labels: {choices}"
    )


def check_against_account(
    attributes: Mapping[str, object],
    types: Mapping[str, str | None],
    infos: Mapping[str, AttributeInfo] | None = None,
) -> None:
    """Refuse values Brevo would silently drop.

    Unknown attributes, values of the wrong type, and (with ``infos``) a value for a
    calculated or global attribute or one outside a category attribute's enumeration.

    Raises:
        AttributeMismatchError: one ``(attribute, problem)`` per value that would be lost.
    """
    problems: list[tuple[str, str]] = []
    for name, value in attributes.items():
        if name not in types:
            problems.append(
                (
                    name,
                    f"{name} does not exist in the Brevo account, which would drop the value "
                    "silently; run provision() or create the attribute",
                )
            )
            continue
        info = (infos or {}).get(name)
        if info is not None and (problem := _category_problem(info, value)) is not None:
            problems.append((name, problem))
            continue
        brevo_type = types[name]
        if brevo_type in BREVO_TYPES and (info is None or info.category != "category"):
            try:
                spec = AttributeSpec(name=name, type=brevo_type)  # type: ignore[arg-type]
            except ValidationError:
                continue
            problem = check_value(spec, value)
            if problem is not None:
                problems.append((name, f"{problem} (the account's attribute is {brevo_type})"))
    if problems:
        raise AttributeMismatchError(problems)


def cached_provisioning(state: AccountCache, given: ProvisionResult | None) -> ProvisionResult:
    if isinstance(given, ProvisionResult):
        return given
    if given is not None:
        raise ValidationError(
            [("provisioning", f"must be a ProvisionResult or None, got {type(given).__name__}")]
        )
    with state.lock:
        current = state.provisioning
    if current is None:
        raise ConfigurationError(
            "the client does not know the program's lists yet: call provision() first "
            "(it is idempotent and writes nothing when the account is ready) or pass "
            "provisioning=<a ProvisionResult>"
        )
    return current

"""What a client learns about the account (attribute types, provisioning) and the
check of values against it before sending."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import _adapter as calls
from ..attributes import AttributeSpec, check_value
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

_BREVO_TYPES = frozenset({"text", "float", "date", "boolean"})


def to_attribute_info(item: Mapping[str, Any]) -> AttributeInfo:
    raw_type = item.get("type")
    return AttributeInfo(
        name=str(item.get("name", "")),
        category=str(item.get("category", "")),
        type=raw_type if isinstance(raw_type, str) else None,
        enumeration=tuple(e for e in item.get("enumeration") or [] if isinstance(e, dict)),
    )


@dataclass
class _AccountCache:
    """What a client learns about the account and reuses (shared by threads; cheap races)."""

    attribute_types: dict[str, str | None] | None = None
    provisioning: ProvisionResult | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def fetch_attributes(state: _AccountCache) -> Plan[list[AttributeInfo]]:
    """Read the account's attributes and refresh the cached types."""
    result = yield calls.list_attributes_call()
    body = result.body if isinstance(result.body, dict) else {}
    infos = [to_attribute_info(a) for a in body.get("attributes") or [] if isinstance(a, dict)]
    with state.lock:
        state.attribute_types = {info.name: info.type for info in infos}
    return infos


def _attribute_types(state: _AccountCache) -> Plan[dict[str, str | None]]:
    with state.lock:
        cached = state.attribute_types
    if cached is None:
        yield from fetch_attributes(state)
        with state.lock:
            cached = state.attribute_types or {}
    return cached


def check_against_account(
    attributes: Mapping[str, object], types: Mapping[str, str | None]
) -> None:
    """Refuse values Brevo would silently drop: unknown attributes and mismatched types.

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
        brevo_type = types[name]
        if brevo_type in _BREVO_TYPES:
            try:
                spec = AttributeSpec(name=name, type=brevo_type)  # type: ignore[arg-type]
            except ValidationError:
                continue
            problem = check_value(spec, value)
            if problem is not None:
                problems.append((name, f"{problem} (the account's attribute is {brevo_type})"))
    if problems:
        raise AttributeMismatchError(problems)


def _provisioning(state: _AccountCache, given: ProvisionResult | None) -> ProvisionResult:
    if given is not None:
        return given
    with state.lock:
        current = state.provisioning
    if current is None:
        raise ConfigurationError(
            "the client does not know the program's lists yet: call provision() first "
            "(it is idempotent and writes nothing when the account is ready) or pass "
            "provisioning=<a ProvisionResult>"
        )
    return current

"""Call any operation of the generated client from spec-level inputs.

The generated client takes typed arguments (enums, datetimes, model instances) named in
snake_case; the strategies draw JSON values keyed by the spec's names. This converts one
into the other through the generated function's own annotations, so a regenerated
client is exercised without editing this file.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import pkgutil
import re
import types
import typing
from collections.abc import Callable
from typing import Any

import brevo_contacts.api
from brevo_contacts.types import Unset
from dateutil.parser import isoparse
from tajo_brevo.contract.strategies import RequestInput


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _modules() -> dict[str, types.ModuleType]:
    found = {}
    for tag in pkgutil.iter_modules(brevo_contacts.api.__path__):
        package = importlib.import_module(f"brevo_contacts.api.{tag.name}")
        for mod in pkgutil.iter_modules(package.__path__):
            found[mod.name] = importlib.import_module(f"{package.__name__}.{mod.name}")
    return found


MODULES = _modules()


def module_for(operation_id: str) -> types.ModuleType:
    """The generated module of an operation (KeyError when the client lacks it)."""
    return MODULES[snake(operation_id)]


def _convert(value: Any, annotation: Any) -> Any:
    options = [a for a in typing.get_args(annotation) or (annotation,) if a is not Unset]
    for option in options:
        if isinstance(option, type) and issubclass(option, enum.Enum):
            return option(value)
        if option is datetime.datetime:
            return isoparse(value)
        if option is datetime.date:
            return datetime.date.fromisoformat(value)
        if isinstance(option, type) and hasattr(option, "from_dict"):
            return option.from_dict(value)
    return value


def call_kwargs(fn: Callable[..., Any], inputs: RequestInput) -> dict[str, Any]:
    """Keyword arguments for ``fn`` (a generated ``sync_detailed``) from spec inputs."""
    hints = typing.get_type_hints(fn)
    kwargs: dict[str, Any] = {}
    for name, value in {**inputs.path_params, **inputs.query}.items():
        key = snake(name)
        if key not in hints:
            raise AssertionError(f"{fn.__module__}: no argument {key!r} for parameter {name!r}")
        kwargs[key] = _convert(value, hints[key])
    if inputs.has_body:
        kwargs["body"] = _convert(inputs.body, hints["body"])
    return kwargs

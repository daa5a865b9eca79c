"""Compare two OpenAPI 3.x documents operation by operation, for a client of the API.

Every change found is classified **breaking** or **non-breaking** from the point of view
of a client (the generated ``brevo_contacts`` client and the code that uses it). Direction
matters: a request schema may only *widen* (the client's old requests stay valid), a
response schema may only *narrow* (what the server sends still parses). So a new required
request field is breaking while a new optional response field is not; a removed enum
value breaks a request but not a response, and a new enum value breaks a response (the
generated client raises on an enum value it does not know) but not a request.

Why a hand-written differ: no maintained OpenAPI diff tool that handles 3.1 installs from
PyPI (the established ones, oasdiff and openapi-diff, are Go and Java programs), so this
module compares the parts of a spec a client depends on, with ``$ref`` resolved:

- operations (matched by method and path template, path parameter names ignored);
- parameters (by location and name): presence, ``required``, schema;
- request bodies: presence, ``required``, media types, schema;
- responses: status codes, media types, headers, schema;
- schemas, recursively: ``type`` (including ``null``/``nullable``), ``format``, ``enum``
  values, properties, ``required``, ``items``, ``additionalProperties``, ``allOf``
  (merged), ``oneOf``/``anyOf`` variants, numeric/length/size bounds, ``pattern``,
  ``default``.

Descriptions, examples, tags, servers and security are not compared. The JSON form of
the report is described by :data:`REPORT_SCHEMA`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .._openapi_kit import HTTP_METHODS, deref

__all__ = [
    "BREAKING",
    "NON_BREAKING",
    "REPORT_FORMAT",
    "REPORT_SCHEMA",
    "Change",
    "DiffReport",
    "diff_specs",
]

BREAKING = "breaking"
NON_BREAKING = "non-breaking"
REPORT_FORMAT = "tajo-brevo-spec-diff/1"

# Bounds: (keyword, True when a larger value widens what is allowed).
_BOUNDS = (
    ("maximum", True),
    ("exclusiveMaximum", True),
    ("maxLength", True),
    ("maxItems", True),
    ("maxProperties", True),
    ("minimum", False),
    ("exclusiveMinimum", False),
    ("minLength", False),
    ("minItems", False),
    ("minProperties", False),
)
# Recursion guard for pathological specs; real schemas are a few levels deep.
_MAX_DEPTH = 64


@dataclass(frozen=True)
class Change:
    """One difference between two specs, as a client of the API sees it."""

    #: ``"METHOD /path"`` (the new path when the operation exists in the new spec).
    operation: str
    #: The operationId (new one if present), or ``""``.
    operation_id: str
    #: ``"operation"``, ``"request"`` or ``"response"``.
    side: str
    #: Where in the operation, e.g. ``"request body application/json: attributes.TIER"``;
    #: ``""`` for the operation itself.
    location: str
    #: Machine-readable kind, e.g. ``"property-added"`` (docs/spec-bumps.md lists them).
    kind: str
    #: :data:`BREAKING` or :data:`NON_BREAKING`.
    severity: str
    #: One line a person can read.
    message: str
    old: Any = field(default=None, compare=False)
    new: Any = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.operation, self.location, self.kind, self.message, self.severity)

    def to_dict(self) -> dict[str, Any]:
        """The change as a JSON-ready mapping (see :data:`REPORT_SCHEMA`)."""
        return {
            "operation": self.operation,
            "operation_id": self.operation_id,
            "side": self.side,
            "location": self.location,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }


@dataclass
class DiffReport:
    """All changes between two specs, sorted by operation, location, kind and message."""

    old_info: dict[str, str]
    new_info: dict[str, str]
    changes: list[Change]

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.severity == BREAKING]

    @property
    def non_breaking(self) -> list[Change]:
        return [c for c in self.changes if c.severity == NON_BREAKING]

    def operations(self, kind: str) -> list[str]:
        """Operations with a change of ``kind`` (e.g. ``"operation-added"``), sorted."""
        return sorted({c.operation for c in self.changes if c.kind == kind})

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready mapping, valid against :data:`REPORT_SCHEMA`."""
        added = self.operations("operation-added")
        removed = self.operations("operation-removed")
        changed = sorted({c.operation for c in self.changes} - set(added) - set(removed))
        return {
            "format": REPORT_FORMAT,
            "old": dict(self.old_info),
            "new": dict(self.new_info),
            "summary": {
                "breaking": len(self.breaking),
                "non_breaking": len(self.non_breaking),
                "operations_added": added,
                "operations_removed": removed,
                "operations_changed": changed,
            },
            "changes": [c.to_dict() for c in self.changes],
        }

    def to_json_text(self) -> str:
        """:meth:`to_json` as indented, key-sorted JSON text (stable across runs)."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """A Markdown report: a summary, then one section per changed operation."""
        old, new = self.old_info, self.new_info
        lines = [
            f"# OpenAPI diff: {old['title']} {old['version']} -> {new['title']} {new['version']}",
            "",
            f"**{len(self.breaking)} breaking**, {len(self.non_breaking)} non-breaking "
            f"change(s) for a client of this API.",
            "",
        ]
        if not self.changes:
            lines.append("No change to any operation.")
            return "\n".join(lines) + "\n"
        for operation, changes in _by_operation(self.changes):
            op_id = changes[0].operation_id
            lines.append(f"## `{operation}`" + (f" ({op_id})" if op_id else ""))
            lines.append("")
            # Breaking first inside each operation: that is what a reader looks for.
            for change in sorted(changes, key=lambda c: (c.severity != BREAKING, c.sort_key)):
                lines.append(f"- {_bullet(change)}")
            lines.append("")
        return "\n".join(lines)


def _by_operation(changes: list[Change]) -> Iterator[tuple[str, list[Change]]]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.operation, []).append(change)
    for operation in sorted(grouped):
        yield operation, grouped[operation]


def _bullet(change: Change) -> str:
    tag = "**breaking**" if change.severity == BREAKING else "non-breaking"
    return f"{tag}:{_where(change)} {change.message}"


def _where(change: Change) -> str:
    # Code span: property names may hold Markdown characters (_, *, {}).
    return f" `{change.location}`:" if change.location else ""


def changelog_lines(report: DiffReport) -> list[str]:
    """One Markdown bullet per change, breaking ones first, for a CHANGELOG entry."""
    lines = []
    for change in report.breaking + report.non_breaking:
        op = f"`{change.operation}`" + (f" ({change.operation_id})" if change.operation_id else "")
        lines.append(f"- {op}{_where(change)} {change.message}")
    return lines


#: JSON Schema (2020-12) of :meth:`DiffReport.to_json`.
REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "tajo-brevo spec diff report",
    "type": "object",
    "required": ["format", "old", "new", "summary", "changes"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": REPORT_FORMAT},
        "old": {"$ref": "#/$defs/info"},
        "new": {"$ref": "#/$defs/info"},
        "summary": {
            "type": "object",
            "required": [
                "breaking",
                "non_breaking",
                "operations_added",
                "operations_removed",
                "operations_changed",
            ],
            "additionalProperties": False,
            "properties": {
                "breaking": {"type": "integer", "minimum": 0},
                "non_breaking": {"type": "integer", "minimum": 0},
                "operations_added": {"type": "array", "items": {"type": "string"}},
                "operations_removed": {"type": "array", "items": {"type": "string"}},
                "operations_changed": {"type": "array", "items": {"type": "string"}},
            },
        },
        "changes": {"type": "array", "items": {"$ref": "#/$defs/change"}},
    },
    "$defs": {
        "info": {
            "type": "object",
            "required": ["title", "version"],
            "properties": {"title": {"type": "string"}, "version": {"type": "string"}},
        },
        "change": {
            "type": "object",
            "required": [
                "operation",
                "operation_id",
                "side",
                "location",
                "kind",
                "severity",
                "message",
                "old",
                "new",
            ],
            "additionalProperties": False,
            "properties": {
                "operation": {"type": "string", "pattern": "^[A-Z]+ /"},
                "operation_id": {"type": "string"},
                "side": {"enum": ["operation", "request", "response"]},
                "location": {"type": "string"},
                "kind": {"type": "string"},
                "severity": {"enum": [BREAKING, NON_BREAKING]},
                "message": {"type": "string"},
                "old": {},
                "new": {},
            },
        },
    },
}


# --- resolution ------------------------------------------------------------------------


class _Resolver:
    """Follows local ``$ref`` pointers inside one document."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def deref(self, node: Any) -> tuple[Any, tuple[str, ...]]:
        """Follow ``$ref`` chains; return the target and the refs followed (in order)."""
        return deref(self.doc, node)


def _info(doc: dict[str, Any]) -> dict[str, str]:
    info = doc.get("info") or {}
    return {"title": str(info.get("title", "")), "version": str(info.get("version", ""))}


# --- operations ------------------------------------------------------------------------


def _template(path: str) -> str:
    # Path parameter names do not change the URL a client calls: /a/{id} == /a/{key}.
    return re.sub(r"\{[^}]*\}", "{}", path)


def _operations(doc: dict[str, Any], res: _Resolver) -> dict[str, tuple[str, str, Any, Any]]:
    ops: dict[str, tuple[str, str, Any, Any]] = {}
    for path, raw_item in (doc.get("paths") or {}).items():
        item, _ = res.deref(raw_item)
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                ops[f"{method.upper()} {_template(path)}"] = (method, path, item[method], item)
    return ops


class _Differ:
    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old_res = _Resolver(old)
        self.new_res = _Resolver(new)
        self.changes: list[Change] = []
        self._operation = ""
        self._operation_id = ""

    def emit(
        self,
        side: str,
        location: str,
        kind: str,
        severity: str,
        message: str,
        old: Any = None,
        new: Any = None,
    ) -> None:
        self.changes.append(
            Change(
                operation=self._operation,
                operation_id=self._operation_id,
                side=side,
                location=location,
                kind=kind,
                severity=severity,
                message=message,
                old=_jsonable(old),
                new=_jsonable(new),
            )
        )

    def run(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_ops = _operations(old, self.old_res)
        new_ops = _operations(new, self.new_res)
        for key in sorted(set(old_ops) | set(new_ops)):
            before, after = old_ops.get(key), new_ops.get(key)
            current = after or before
            assert current is not None  # the key comes from one of the two
            method, path, op, _ = current
            self._operation = f"{method.upper()} {path}"
            self._operation_id = str(op.get("operationId") or "")
            if before is None:
                self.emit("operation", "", "operation-added", NON_BREAKING, "operation added")
            elif after is None:
                self.emit("operation", "", "operation-removed", BREAKING, "operation removed")
            else:
                self.operation(before, after)

    def operation(
        self, before: tuple[str, str, Any, Any], after: tuple[str, str, Any, Any]
    ) -> None:
        _, _, old_op, old_item = before
        _, _, new_op, new_item = after
        if bool(old_op.get("deprecated")) != bool(new_op.get("deprecated")):
            state = "deprecated" if new_op.get("deprecated") else "no longer deprecated"
            self.emit(
                "operation",
                "",
                "operation-deprecated",
                NON_BREAKING,
                f"operation {state}",
                bool(old_op.get("deprecated")),
                bool(new_op.get("deprecated")),
            )
        self.parameters(
            self._params(old_item, old_op, self.old_res),
            self._params(new_item, new_op, self.new_res),
        )
        self.request_body(old_op.get("requestBody"), new_op.get("requestBody"))
        self.responses(old_op.get("responses") or {}, new_op.get("responses") or {})

    # --- parameters --------------------------------------------------------------------

    @staticmethod
    def _params(item: Any, op: Any, res: _Resolver) -> dict[tuple[str, str], Any]:
        params: dict[tuple[str, str], Any] = {}
        # Operation-level parameters override path-level ones with the same in+name.
        for raw in list(item.get("parameters") or []) + list(op.get("parameters") or []):
            param, _ = res.deref(raw)
            where = str(param.get("in", ""))
            name = str(param.get("name", ""))
            # Header names are case-insensitive. A renamed path parameter shows as removed
            # + added: the generated function's keyword argument changes name.
            params[(where, name.lower() if where == "header" else name)] = param
        return params

    def parameters(self, old: dict[tuple[str, str], Any], new: dict[tuple[str, str], Any]) -> None:
        for where, name in sorted(set(old) | set(new)):
            before, after = old.get((where, name)), new.get((where, name))
            location = f"parameter {where} {name}"
            if before is None:
                required = bool((after or {}).get("required"))
                self.emit(
                    "request",
                    location,
                    "parameter-added",
                    BREAKING if required else NON_BREAKING,
                    f"{'required' if required else 'optional'} parameter added",
                    None,
                    {"required": required},
                )
                continue
            if after is None:
                # The generated function loses the argument: callers passing it break.
                # old mirrors what parameter-added records as new (a diff read backwards
                # finds the same facts: tests/spec/test_spec_diff_mirror.py).
                self.emit(
                    "request",
                    location,
                    "parameter-removed",
                    BREAKING,
                    "parameter removed",
                    {"required": bool(before.get("required"))},
                    None,
                )
                continue
            was, now = bool(before.get("required")), bool(after.get("required"))
            if was != now:
                self.emit(
                    "request",
                    location,
                    "parameter-required-changed",
                    BREAKING if now else NON_BREAKING,
                    "parameter is now required" if now else "parameter is now optional",
                    was,
                    now,
                )
            self.schema(before.get("schema"), after.get("schema"), "request", location, ())

    # --- request body ------------------------------------------------------------------

    def request_body(self, old_raw: Any, new_raw: Any) -> None:
        old, _ = self.old_res.deref(old_raw)
        new, _ = self.new_res.deref(new_raw)
        location = "request body"
        if old is None and new is None:
            return
        if old is None:
            required = bool(new.get("required"))
            self.emit(
                "request",
                location,
                "request-body-added",
                BREAKING if required else NON_BREAKING,
                f"{'required' if required else 'optional'} request body added",
            )
            return
        if new is None:
            self.emit("request", location, "request-body-removed", BREAKING, "request body removed")
            return
        was, now = bool(old.get("required")), bool(new.get("required"))
        if was != now:
            self.emit(
                "request",
                location,
                "request-body-required-changed",
                BREAKING if now else NON_BREAKING,
                "request body is now required" if now else "request body is now optional",
                was,
                now,
            )
        self.content(old.get("content") or {}, new.get("content") or {}, "request", location)

    def content(self, old: dict[str, Any], new: dict[str, Any], side: str, location: str) -> None:
        for media in sorted(set(old) | set(new)):
            where = f"{location} {media}"
            if media not in new:
                self.emit(side, where, "media-type-removed", BREAKING, "media type removed")
            elif media not in old:
                # Request: one more way to send; response: a client asks for what it knows.
                self.emit(side, where, "media-type-added", NON_BREAKING, "media type added")
            else:
                self.schema(
                    (old[media] or {}).get("schema"),
                    (new[media] or {}).get("schema"),
                    side,
                    where,
                    (),
                )

    # --- responses ---------------------------------------------------------------------

    def responses(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        # YAML reads an unquoted 200 as an int.
        old = {str(k): v for k, v in old.items()}
        new = {str(k): v for k, v in new.items()}
        for status in sorted(set(old) | set(new)):
            before, after = old.get(status), new.get(status)
            location = f"response {status}"
            if before is None:
                self.emit(
                    "response",
                    location,
                    "response-added",
                    NON_BREAKING,
                    "response status added",
                )
                continue
            if after is None:
                # A client built on a success response loses it; an error status that
                # disappears only leaves dead error handling behind.
                success = status.startswith("2") or status.upper() == "2XX"
                self.emit(
                    "response",
                    location,
                    "response-removed",
                    BREAKING if success else NON_BREAKING,
                    f"{'success' if success else 'error'} response status removed",
                )
                continue
            before, _ = self.old_res.deref(before)
            after, _ = self.new_res.deref(after)
            self.headers(before.get("headers") or {}, after.get("headers") or {}, location)
            self.content(
                before.get("content") or {}, after.get("content") or {}, "response", location
            )

    def headers(self, old: dict[str, Any], new: dict[str, Any], location: str) -> None:
        old_names = {name.lower(): name for name in old}
        new_names = {name.lower(): name for name in new}
        for name in sorted(set(old_names) | set(new_names)):
            where = f"{location} header {name}"
            if name not in new_names:
                self.emit("response", where, "response-header-removed", BREAKING, "header removed")
            elif name not in old_names:
                self.emit("response", where, "response-header-added", NON_BREAKING, "header added")
            else:
                before, _ = self.old_res.deref(old[old_names[name]])
                after, _ = self.new_res.deref(new[new_names[name]])
                self.schema(before.get("schema"), after.get("schema"), "response", where, ())

    # --- schemas -----------------------------------------------------------------------

    def schema(
        self,
        old_raw: Any,
        new_raw: Any,
        side: str,
        location: str,
        stack: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...],
        pointer: str = "",
    ) -> None:
        """Compare two schemas on the ``side`` a client sends (request) or reads (response)."""
        old, old_refs = self.old_res.deref(old_raw)
        new, new_refs = self.new_res.deref(new_raw)
        # Recursive schemas: stop when the same pair of named schemas comes round again.
        pair = (old_refs, new_refs)
        if (pair in stack and (old_refs or new_refs)) or len(stack) > _MAX_DEPTH:
            return
        stack = (*stack, pair)
        old = _merge_all_of(old, self.old_res)
        new = _merge_all_of(new, self.new_res)
        where = f"{location}: {pointer}" if pointer else location
        request = side == "request"

        def widen_or_narrow(kind: str, widened: bool, message: str, was: Any, now: Any) -> None:
            # Request: widening keeps old requests valid. Response: narrowing keeps old
            # parsing valid.
            ok = widened if request else not widened
            self.emit(side, where, kind, NON_BREAKING if ok else BREAKING, message, was, now)

        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            if _covers(new_types, old_types):
                widen_or_narrow(
                    "type-changed",
                    True,
                    f"type widened from {_fmt_types(old_types)} to {_fmt_types(new_types)}",
                    _type_list(old_types),
                    _type_list(new_types),
                )
            elif _covers(old_types, new_types):
                widen_or_narrow(
                    "type-changed",
                    False,
                    f"type narrowed from {_fmt_types(old_types)} to {_fmt_types(new_types)}",
                    _type_list(old_types),
                    _type_list(new_types),
                )
            else:
                self.emit(
                    side,
                    where,
                    "type-changed",
                    BREAKING,
                    f"type changed from {_fmt_types(old_types)} to {_fmt_types(new_types)}",
                    _type_list(old_types),
                    _type_list(new_types),
                )

        if old.get("format") != new.get("format"):
            # The format picks the generated Python type (str, datetime, date, ...).
            self.emit(
                side,
                where,
                "format-changed",
                BREAKING,
                f"format changed from {old.get('format') or 'none'} "
                f"to {new.get('format') or 'none'}",
                old.get("format"),
                new.get("format"),
            )

        self._enum(old, new, widen_or_narrow)
        self._bounds(old, new, widen_or_narrow)

        if old.get("default") != new.get("default"):
            self.emit(
                side,
                where,
                "default-changed",
                NON_BREAKING,
                f"default changed from {_short(old.get('default'))} "
                f"to {_short(new.get('default'))}",
                old.get("default"),
                new.get("default"),
            )

        self._properties(old, new, side, location, stack, pointer)

        if "items" in old or "items" in new:
            self.schema(old.get("items"), new.get("items"), side, location, stack, pointer + "[]")
        old_ap, new_ap = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_ap, dict) and isinstance(new_ap, dict):
            self.schema(old_ap, new_ap, side, location, stack, pointer + "{*}")
        elif (old_ap is False) != (new_ap is False) and (old_ap is not None or new_ap is not None):
            closed = new_ap is False
            widen_or_narrow(
                "additional-properties-changed",
                not closed,
                "additional properties no longer allowed"
                if closed
                else "additional properties allowed",
                old_ap,
                new_ap,
            )

        for keyword in ("oneOf", "anyOf"):
            old_variants = list(old.get(keyword) or [])
            new_variants = list(new.get(keyword) or [])
            for i in range(min(len(old_variants), len(new_variants))):
                self.schema(
                    old_variants[i],
                    new_variants[i],
                    side,
                    location,
                    stack,
                    f"{pointer}<{keyword}[{i}]>",
                )
            if len(old_variants) != len(new_variants):
                widen_or_narrow(
                    "variants-changed",
                    len(new_variants) > len(old_variants),
                    f"{keyword} variants: {len(old_variants)} -> {len(new_variants)}",
                    len(old_variants),
                    len(new_variants),
                )

    def _enum(self, old: Any, new: Any, report: Any) -> None:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum == new_enum:
            return
        if old_enum is None:
            report("enum-added", False, f"values restricted to {_short(new_enum)}", None, new_enum)
            return
        if new_enum is None:
            report("enum-removed", True, "values no longer restricted to an enum", old_enum, None)
            return
        old_keys = {_key(v): v for v in old_enum}
        new_keys = {_key(v): v for v in new_enum}
        for key in sorted(set(old_keys) - set(new_keys)):
            report("enum-value-removed", False, f"enum value {key} removed", old_keys[key], None)
        for key in sorted(set(new_keys) - set(old_keys)):
            report("enum-value-added", True, f"enum value {key} added", None, new_keys[key])

    def _bounds(self, old: Any, new: Any, report: Any) -> None:
        for keyword, larger_widens in _BOUNDS:
            was, now = old.get(keyword), new.get(keyword)
            # 3.0 spells exclusive bounds as booleans beside maximum/minimum: skip those.
            if was == now or isinstance(was, bool) or isinstance(now, bool):
                continue
            if now is None:
                widened = True
            elif was is None:
                widened = False
            else:
                widened = (now > was) == larger_widens
            report(
                "constraint-changed",
                widened,
                f"{keyword} changed from {_short(was)} to {_short(now)}",
                was,
                now,
            )
        was, now = old.get("pattern"), new.get("pattern")
        if was != now:
            report("constraint-changed", now is None, f"pattern changed to {_short(now)}", was, now)

    def _properties(
        self,
        old: Any,
        new: Any,
        side: str,
        location: str,
        stack: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...],
        pointer: str,
    ) -> None:
        old_props = old.get("properties") or {}
        new_props = new.get("properties") or {}
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        request = side == "request"
        for name in sorted(set(old_props) | set(new_props) | old_required | new_required):
            child = f"{pointer}.{name}" if pointer else name
            where = f"{location}: {child}"
            in_old, in_new = name in old_props, name in new_props
            if in_old and not in_new:
                # Request: the generated model loses the field; response: clients read it.
                self.emit(
                    side,
                    where,
                    "property-removed",
                    BREAKING,
                    "property removed",
                    {"required": name in old_required},
                    None,
                )
                continue
            if in_new and not in_old:
                required = name in new_required
                self.emit(
                    side,
                    where,
                    "property-added",
                    BREAKING if request and required else NON_BREAKING,
                    f"{'required' if required else 'optional'} property added",
                    None,
                    {"required": required},
                )
                continue
            was, now = name in old_required, name in new_required
            if was != now:
                # Request: a newly required field breaks old callers. Response: a field
                # that may now be missing breaks readers that relied on it.
                breaking = now if request else not now
                self.emit(
                    side,
                    where,
                    "property-required-changed",
                    BREAKING if breaking else NON_BREAKING,
                    "property is now required" if now else "property is now optional",
                    was,
                    now,
                )
            if in_old and in_new:
                self.schema(old_props[name], new_props[name], side, location, stack, child)


def _merge_all_of(schema: Any, res: _Resolver, depth: int = 0) -> Any:
    if not isinstance(schema, dict):
        return {}
    if "allOf" not in schema or depth > _MAX_DEPTH:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for part_raw in schema["allOf"]:
        part = _merge_all_of(res.deref(part_raw)[0], res, depth + 1)
        for key, value in part.items():
            if key == "properties":
                properties.update(value)
            elif key == "required":
                required.extend(r for r in value if r not in required)
            else:
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = required
    return merged


def _types(schema: Any) -> frozenset[str] | None:
    """The JSON types a schema allows, ``None`` for any."""
    raw = schema.get("type")
    if raw is None:
        return None
    types = {raw} if isinstance(raw, str) else set(raw)
    if schema.get("nullable") is True:  # OpenAPI 3.0 spelling of "or null"
        types.add("null")
    return frozenset(types)


def _covers(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _fmt_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _type_list(types: frozenset[str] | None) -> list[str] | None:
    return None if types is None else sorted(types)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _short(value: Any) -> str:
    return "none" if value is None else json.dumps(value, sort_keys=True)


def _jsonable(value: Any) -> Any:
    # Round-trip so dates and other YAML scalars become plain JSON values.
    return None if value is None else json.loads(json.dumps(value, default=str))


def diff_specs(old: dict[str, Any], new: dict[str, Any]) -> DiffReport:
    """Compare two OpenAPI 3.x documents (already parsed) for a client of the API.

    Args:
        old: the spec the client was built from.
        new: the candidate spec.

    Returns:
        The report, with its changes sorted by operation, location, kind and message.

    Raises:
        ValueError: a ``$ref`` that is not local, cannot be resolved, or loops on itself.
    """
    differ = _Differ(old, new)
    differ.run(old, new)
    changes = sorted(set(differ.changes), key=lambda c: c.sort_key)
    return DiffReport(old_info=_info(old), new_info=_info(new), changes=changes)

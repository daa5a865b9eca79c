"""openapi-core's undocumented parts are read in one module only, and that module still fits.

``tajo_brevo._openapi_kit`` is the one place that reads what openapi-core does not document
(the jsonschema errors on a validation error's cause, ``schema_errors``). An openapi-core
upgrade that moves them fails ``test_the_internals_we_use_are_still_there`` with the
reason; a read of ``schema_errors`` anywhere else fails the scan, naming the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tajo_brevo
from tajo_brevo._openapi_kit import check_openapi_core_compatibility

PACKAGE = Path(tajo_brevo.__file__).parent
ISOLATED = PACKAGE / "_openapi_kit.py"


def schema_errors_reads(source: str) -> list[int]:
    """Lines reading a ``schema_errors`` attribute (``x.schema_errors``, ``getattr``)."""
    lines: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr == "schema_errors") or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and any(isinstance(a, ast.Constant) and a.value == "schema_errors" for a in node.args)
        ):
            lines.append(node.lineno)
    return lines


def test_schema_errors_is_read_in_the_isolated_module_only() -> None:
    roots = [PACKAGE, *(Path(__file__).parents[2] / d for d in ("tests", "contract_tests"))]
    offenders = {
        str(path): lines
        for root in roots
        for path in sorted(root.rglob("*.py"))
        if path not in (ISOLATED, Path(__file__))
        and (lines := schema_errors_reads(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_scan_recognises_a_read() -> None:
    assert schema_errors_reads("x = exc.__cause__.schema_errors")
    assert schema_errors_reads("x = getattr(cause, 'schema_errors', None)")
    assert not schema_errors_reads("x = schema_errors(cause)")


def test_the_internals_we_use_are_still_there() -> None:
    assert check_openapi_core_compatibility() == []

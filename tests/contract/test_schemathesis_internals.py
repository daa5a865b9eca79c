"""Schemathesis internals are used in one module only, and that module still fits schemathesis.

``tajo_brevo.contract._schemathesis_internals`` is the one place allowed to reach past
schemathesis' documented interfaces. If a schemathesis upgrade moves what it uses,
``test_the_internals_we_use_are_still_there`` fails naming it; if anyone imports
schemathesis internals elsewhere in the package or in the test suites, the other test fails
naming the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import tajo_brevo
from tajo_brevo.contract import _schemathesis_internals as internals

PACKAGE = Path(tajo_brevo.__file__).parent
#: The package and both test suites: tests reach schemathesis through the module too.
SCANNED = (PACKAGE, *(Path(__file__).parents[2] / d for d in ("tests", "contract_tests")))
ISOLATED = PACKAGE / "contract" / "_schemathesis_internals.py"
# What schemathesis documents: the top-level API, its CLI extension points and config.
PUBLIC_MODULES = frozenset(
    {"schemathesis", "schemathesis.cli", "schemathesis.config", "schemathesis.openapi"}
)
PUBLIC_ATTRIBUTES = frozenset({"schemathesis.openapi", "schemathesis.cli", "schemathesis.hook"})


def private_uses(source: str) -> list[str]:
    """Imports of (or attribute paths into) schemathesis beyond its public modules."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        modules: list[tuple[str, list[str]]] = []
        if isinstance(node, ast.Import):
            modules = [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [(node.module, [alias.name for alias in node.names])]
        for module, names in modules:
            if module != "schemathesis" and not module.startswith("schemathesis."):
                continue
            if module not in PUBLIC_MODULES:
                found.append(f"line {node.lineno}: import of {module}")
            found += [f"line {node.lineno}: {module}.{n}" for n in names if n.startswith("_")]
        if isinstance(node, ast.Attribute):
            chain: list[str] = [node.attr]
            value: ast.expr = node.value
            while isinstance(value, ast.Attribute):
                chain.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id == "schemathesis" and len(chain) > 1:
                dotted = "schemathesis." + ".".join(chain[:1])
                if dotted not in PUBLIC_ATTRIBUTES:
                    found.append(f"line {node.lineno}: schemathesis.{'.'.join(chain)}")
    return found


def test_no_schemathesis_internals_outside_the_isolated_module() -> None:
    offenders = {
        str(path): uses
        for root in SCANNED
        for path in sorted(root.rglob("*.py"))
        if path not in (ISOLATED, Path(__file__))
        and (uses := private_uses(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "from schemathesis.cli.commands.run.executor import _execute",
        "from schemathesis.engine import events",
        "import schemathesis.specs.openapi.stateful",
        "from schemathesis import _private",
        "import schemathesis\nschemathesis.engine.from_schema(schema)",
    ],
)
def test_the_scan_recognises_a_private_use(snippet: str) -> None:
    assert private_uses(snippet)


def test_the_scan_lets_documented_interfaces_through() -> None:
    source = (
        "import schemathesis\nfrom schemathesis import cli\n"
        "from schemathesis.config import SchemathesisWarning\n"
        "schemathesis.openapi.format('email', x)\nschemathesis.hook('map_case')(f)\n"
    )
    assert private_uses(source) == []


def test_the_internals_we_use_are_still_there() -> None:
    assert internals.check_compatibility() == []

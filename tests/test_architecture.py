"""The import rules of ARCHITECTURE.md ("What each room may import"), checked on the source.

Each module of ``wrapper/tajo_brevo`` belongs to a room; a room may import only the rooms
listed for it. A new import that crosses a wall fails here, naming the module, the line
and the rule, so the architecture document stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "wrapper" / "tajo_brevo"

DOMAIN = {"errors", "tiers", "attributes", "profile", "_profile_codec", "results"}
DECISIONS = {"_config", "_responses", "_pacing"}

#: room -> the rooms it may import (besides itself); "generated" is brevo_contacts.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "decisions": {"domain"},
    "wire": {"decisions"},
    "adapter": {"domain", "decisions", "generated"},
    "plans": {"domain", "adapter"},
    "sync": {"domain", "adapter", "plans", "client", "package"},
    "client": {"domain", "decisions", "wire", "adapter", "plans", "sync", "generated"},
    "mock": {"resources", "openapi"},
    "contract": {"mock", "resources", "openapi"},
    "spec": {"resources", "entry", "openapi"},
    "entry": {"*"},
    "package": {"domain", "decisions", "client", "sync"},
    "integrations": {"domain", "client", "sync"},
    "resources": set(),
    "openapi": set(),
}

#: Rooms that must not send anything themselves (a plan describes calls; drivers send them):
#: httpx's data types (``httpx.URL``) are fine there, its clients and transports are not.
NO_SENDING = {"plans"}
SENDING = {
    "Client",
    "AsyncClient",
    "HTTPTransport",
    "AsyncHTTPTransport",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "request",
    "stream",
}


def room_of(parts: tuple[str, ...]) -> str:
    head = parts[0].removesuffix(".py")
    if head in DOMAIN:
        return "domain"
    if head in DECISIONS:
        return "decisions"
    named = {
        "_transport": "wire",
        "_adapter": "adapter",
        "_plans": "plans",
        "sync": "sync",
        "_client": "client",
        "mock": "mock",
        "contract": "contract",
        "spec": "spec",
        "_resources": "resources",
        "_openapi_kit": "openapi",
        "__init__": "package",
        "integrations": "integrations",
    }
    if head in named:
        return named[head]
    if head == "cli" or head.startswith("_cli_") or head == "pytest_plugin":
        return "entry"
    raise AssertionError(f"{'/'.join(parts)}: no room in ARCHITECTURE.md; add it there and here")


def _root_name(package: Path, name: str) -> tuple[str, ...]:
    """What ``from tajo_brevo import name`` reaches: a module, or a name of the root."""
    path = package / name
    return (name,) if path.is_dir() or path.with_suffix(".py").exists() else ("__init__",)


def imports(path: Path, package: Path) -> list[tuple[int, tuple[str, ...] | None, str]]:
    """(line, imported module parts inside tajo_brevo or None, top-level name) per import."""
    rel = path.relative_to(package).parts
    found: list[tuple[int, tuple[str, ...] | None, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                inside = tuple(alias.name.split(".")[1:]) if top == "tajo_brevo" else None
                found.append((node.lineno, inside, top))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = list(rel[:-1])[: len(rel) - node.level]
                parts = tuple(base + [p for p in module.split(".") if p])
                # `from .. import x`: a module of the package, or a name of its root.
                roots = [_root_name(package, a.name) for a in node.names]
                targets = [parts] if parts else roots
                found += [(node.lineno, t, "tajo_brevo") for t in targets]
            else:
                top = module.split(".")[0]
                inside = tuple(module.split(".")[1:]) if top == "tajo_brevo" else None
                if inside == ():
                    found += [(node.lineno, _root_name(package, a.name), top) for a in node.names]
                else:
                    found.append((node.lineno, inside, top))
    return found


def violations(package: Path = PACKAGE) -> list[str]:
    problems = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).parts
        room = room_of(rel)
        allowed = ALLOWED[room] | {room}
        for line, inside, top in imports(path, package):
            where = f"{'/'.join(rel)}:{line}"
            if top == "brevo_contacts" and "generated" not in allowed and "*" not in allowed:
                problems.append(f"{where}: {room} may not import brevo_contacts")

            if inside:
                target = "package" if inside[0] == "__version__" else room_of(inside)
                if target not in allowed and "*" not in allowed:
                    problems.append(f"{where}: {room} may not import {target} ({'.'.join(inside)})")
        if room in NO_SENDING:
            problems += [
                f"{'/'.join(rel)}:{line}: {room} may not send ({what})"
                for line, what in sending(path)
            ]
    return problems


def sending(path: Path) -> list[tuple[int, str]]:
    """Uses of httpx's clients, transports or request functions in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "httpx"
            and node.attr in SENDING
        ):
            found.append((node.lineno, f"httpx.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "httpx":
            found += [(node.lineno, f"httpx.{a.name}") for a in node.names if a.name in SENDING]
    return found


def test_every_import_respects_the_rooms_of_the_architecture() -> None:
    assert violations() == []


def test_the_check_names_each_crossing(tmp_path: Path) -> None:
    plans = tmp_path / "_plans"
    plans.mkdir()
    (plans / "bad.py").write_text(
        "import httpx\nfrom ..mock import BrevoMock\nfrom .._transport import x\n"
        "from ..errors import BrevoError\nURL = httpx.URL('http://x')\nhttpx.get('http://x')\n"
    )
    assert violations(tmp_path) == [
        "_plans/bad.py:2: plans may not import mock (mock)",
        "_plans/bad.py:3: plans may not import wire (_transport)",
        "_plans/bad.py:6: plans may not send (httpx.get)",
    ]

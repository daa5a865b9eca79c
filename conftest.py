"""Every code block of README.md, docs/*.md, ARCHITECTURE.md and CONTRIBUTING.md is a test.

Run by Sybil (https://sybil.readthedocs.io), collected by pytest with the rest of the suite
(``testpaths`` in pyproject.toml). Each Markdown file is one Sybil document: its blocks run
in order in one namespace, against its own Brevo mock served on 127.0.0.1 (a free port),
from a scratch working directory. What each fence language means:

- ``python``: executed. A block that defines ``test_*`` functions is a test module: it is
  run by pytest in-process (the tajo-brevo plugin's fixtures included), and must pass.
- ``sh`` / ``bash`` / ``console``: a bash script (``set -e``). In ``console`` blocks only the
  ``$ `` lines run (a trailing backslash continues a command), the rest is output. Port
  ``8080`` becomes a free port; a line that starts ``tajo-brevo mock`` in the background
  (``&``) is followed by a wait until that port answers; background jobs are stopped at the
  end of the block.
- ``json``: must parse (the whole block, or each line of it); ``yaml`` and ``toml`` too.
- ``text`` and ``csv``: output, a file listing or data, shown and never run.
- anything else fails, unless ``<!-- skip: next "reason" -->`` stands before the block.

``<!-- skip: next "reason" -->`` skips the next block (reported as skipped, with the reason);
``<!-- skip: start "reason" -->`` ... ``<!-- skip: end -->`` a run of blocks.

The environment of every block: ``BREVO_API_KEY`` / ``BREVO_BASE_URL`` name the document's
mock and ``BREVO_RATE_LIMIT=auto`` (the mock has no rate limit), so ``TajoBrevo()`` and the
command line talk to the mock without arguments. The working directory holds
``customers.csv`` (a few customers), ``openapi/`` and ``examples/`` (links into the
checkout), and ``.venv/bin`` is first on ``PATH``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import CodeBlockParser, SkipParser
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

ROOT = Path(__file__).resolve().parent

# `make test` is reproducible: every property test replays the same examples each run
# (derandomized, no example database carried between runs) and none fails for being slow
# on a loaded machine (no per-example deadline); every schemathesis run that names no seed
# of its own gets a fixed one. `make fuzz` (TAJO_FUZZ=1) keeps hypothesis random. Loaded
# here, before any test module: ``@settings(...)`` inherits what it does not set itself.
if not os.environ.get("TAJO_FUZZ"):
    settings.register_profile("tajo-brevo-tests", derandomize=True, database=None, deadline=None)
    settings.load_profile("tajo-brevo-tests")
    os.environ.setdefault("TAJO_SCHEMATHESIS_SEED", "1")
BLOCK_TIMEOUT = 60  # seconds: a block that takes longer is broken, not slow

CUSTOMERS_CSV = """\
EMAIL,FIRSTNAME,LOYALTY_ID,LOYALTY_POINTS
ada@example.com,Ada,L-1,1700
bob@example.com,Bob,L-2,300
cy@example.com,Cy,L-3,2600
dee@example.com,Dee,L-4,1200
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _setup(namespace: dict[str, Any]) -> None:
    from tajo_brevo.mock import BrevoMock

    stack = ExitStack()
    workdir = Path(tempfile.mkdtemp(prefix="tajo-docs-"))
    stack.callback(shutil.rmtree, workdir, True)
    (workdir / "customers.csv").write_text(CUSTOMERS_CSV)
    for name in ("openapi", "examples"):
        (workdir / name).symlink_to(ROOT / name)
    mock = BrevoMock()
    server = stack.enter_context(mock.serve())
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    stack.callback(os.chdir, saved_cwd)
    stack.callback(_restore_env, saved_env)
    os.environ.update(
        BREVO_API_KEY=mock.api_key,
        BREVO_BASE_URL=server.base_url,
        BREVO_RATE_LIMIT="auto",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    os.chdir(workdir)
    namespace["__docs__"] = stack


def _restore_env(saved: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(saved)


def _teardown(namespace: dict[str, Any]) -> None:
    namespace["__docs__"].close()


def _is_test_module(source: str) -> bool:
    return re.search(r"^(async )?def test_", source, re.MULTILINE) is not None


def evaluate_python(example: Example) -> None:
    source = example.parsed
    if not _is_test_module(source):
        code = compile(source, f"{example.path}:{example.line}", "exec")
        exec(code, example.namespace)
        return
    # A test module: pytest runs it in-process, as a user's suite would.
    name = re.sub(r"\W", "_", f"{Path(example.path).stem}_{example.line}").lower()
    workdir = Path.cwd() / f"block_{name}"
    workdir.mkdir()
    (workdir / f"test_docs_{name}.py").write_text(source)
    sys.path.insert(0, str(ROOT / "examples" / "loyalty_service" / "src"))
    try:
        code = pytest.main(
            [
                str(workdir),
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "--rootdir",
                str(workdir),
                "--strict-markers",
                "--import-mode=importlib",
                "-o",
                "asyncio_default_fixture_loop_scope=function",
            ]
        )
    finally:
        sys.path.remove(str(ROOT / "examples" / "loyalty_service" / "src"))
    assert code == pytest.ExitCode.OK, f"the tests of this block failed (pytest exit {code})"


def _shell_script(source: str, console: bool) -> str:
    lines: list[str] = []
    if console:
        command: str | None = None
        for line in source.splitlines():
            if command is not None:
                command += "\n" + line
            elif line.startswith("$ "):
                command = line[2:]
            else:
                continue
            if not command.endswith("\\"):
                lines.append(command)
                command = None
    else:
        lines = source.splitlines()
    port = str(_free_port())
    script = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
    for line in "\n".join(lines).replace("8080", port).splitlines():
        script.append(line)
        if re.match(r"\s*tajo-brevo mock\b.*&\s*(#.*)?$", line):
            script.append(
                f"for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null "
                "&& break; sleep 0.1; done"
            )
    return "\n".join(script) + "\n"


def _run_shell(example: Example, console: bool) -> None:
    script = _shell_script(example.parsed, console)
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, (
        f"exit {done.returncode}\n--- script\n{script}--- stdout\n{done.stdout}"
        f"--- stderr\n{done.stderr}"
    )


def evaluate_sh(example: Example) -> None:
    _run_shell(example, console=False)


def evaluate_console(example: Example) -> None:
    _run_shell(example, console=True)


def evaluate_json(example: Example) -> None:
    text = example.parsed
    try:
        json.loads(text)
    except json.JSONDecodeError:
        for line in text.splitlines():
            if line.strip():
                json.loads(line)


def evaluate_yaml(example: Example) -> None:
    import yaml

    list(yaml.safe_load_all(example.parsed))


def evaluate_toml(example: Example) -> None:
    import tomllib

    tomllib.loads(example.parsed)


def evaluate_text(example: Example) -> None:
    """Output or a file listing: shown, never run."""


def evaluate_unknown(example: Example) -> None:
    raise AssertionError(
        f"a ```{example.parsed or '(no language)'} block is neither run nor skipped: use "
        f'one of {", ".join(sorted(_KNOWN))}, or put <!-- skip: next "reason" --> before it'
    )


_KNOWN = {"python", "sh", "bash", "console", "json", "yaml", "toml", "text", "csv"}


class _UnknownBlockParser:
    """Any other fence (or one without a language): a test that fails unless skipped."""

    lexer = FencedCodeBlockLexer(language=r"[^\n]*", mapping={"language": "language"})

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.lexer(document):
            language = region.lexemes["language"].strip()
            if language not in _KNOWN:
                region.parsed = language
                region.evaluator = evaluate_unknown
                yield region


pytest_collect_file = Sybil(
    parsers=[
        CodeBlockParser(language="python", evaluator=evaluate_python),
        CodeBlockParser(language="sh", evaluator=evaluate_sh),
        CodeBlockParser(language="bash", evaluator=evaluate_sh),
        CodeBlockParser(language="console", evaluator=evaluate_console),
        CodeBlockParser(language="json", evaluator=evaluate_json),
        CodeBlockParser(language="yaml", evaluator=evaluate_yaml),
        CodeBlockParser(language="toml", evaluator=evaluate_toml),
        CodeBlockParser(language="text", evaluator=evaluate_text),
        CodeBlockParser(language="csv", evaluator=evaluate_text),
        _UnknownBlockParser(),
        SkipParser(),
    ],
    patterns=["README.md", "docs/*.md", "ARCHITECTURE.md", "CONTRIBUTING.md"],
    setup=_setup,
    teardown=_teardown,
    name="docs",
).pytest()

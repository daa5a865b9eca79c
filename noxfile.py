"""The quick check on every other supported Python: `make pythons` (part of `make test`).

The full suite runs on the project's own virtualenv (the Python that made `.venv`). Here,
for each other supported version found on this machine, nox builds a virtualenv, installs
the built wheel with `[mock]` as a user would, and runs a quick subset: the example
service's tests (the pytest fixtures, the mock in-process and on loopback, the async
client) and a `tajo-brevo sync` against a mock served on loopback. A version that is not
installed is reported as skipped and does not fail the run.

`make pythons` passes the wheel's path in `TAJO_BREVO_WHEEL`. Virtualenvs live in
`.venv/nox` and are reused, so a second run only reinstalls the wheel.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

SUPPORTED = ("3.11", "3.12", "3.13")  # keep in step with pyproject.toml's classifiers
THIS = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHERS = [version for version in SUPPORTED if version != THIS]

nox.options.error_on_missing_interpreters = False  # not installed here: skipped, not failed
nox.options.reuse_existing_virtualenvs = True
nox.options.envdir = ".venv/nox"


def _works(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "pass"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _interpreter_dirs(version: str) -> list[str]:
    """Directories holding a working ``python<version>``: pyenv's builds, then the system's.

    pyenv's shims answer for every version but only run the selected ones, so the real
    interpreters' directories go first on PATH.
    """
    candidates = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}*/bin")))
    found = shutil.which(f"python{version}")
    if found:
        candidates.append(str(Path(found).parent))
    return [d for d in candidates if _works(os.path.join(d, f"python{version}"))][:1]


for _version in OTHERS:
    os.environ["PATH"] = os.pathsep.join([*_interpreter_dirs(_version), os.environ["PATH"]])

SMOKE_SYNC = """
import os, subprocess, sys, tempfile
from tajo_brevo.mock import BrevoMock

scratch = tempfile.TemporaryDirectory(prefix="tajo-quick-")  # a fresh state every run
os.chdir(scratch.name)

rows = "EMAIL,FIRSTNAME,LOYALTY_ID,LOYALTY_POINTS\\nada@example.com,Ada,L-1,1700\\n" \\
       "bob@example.com,Bob,L-2,300\\ncy@example.com,Cy,L-3,2600\\n"
with open("customers.csv", "w") as f:
    f.write(rows)
mock = BrevoMock()
with mock.serve() as server:
    env = dict(os.environ, BREVO_API_KEY=mock.api_key, BREVO_BASE_URL=server.base_url,
               BREVO_RATE_LIMIT="auto")
    done = subprocess.run(["tajo-brevo", "sync", "customers.csv", "--program", "Shop"], env=env)
    assert done.returncode == 0, done.returncode
    assert mock.emails_in_list("Shop - All customers") == {
        "ada@example.com", "bob@example.com", "cy@example.com"}
    assert mock.emails_in_list("Shop - Gold") == {"ada@example.com"}
    assert mock.contact_attributes("cy@example.com")["LOYALTY_TIER"] == "Platinum"
print("sync on", sys.version.split()[0], "ok")
"""


@nox.session(python=OTHERS)
def quick(session: nox.Session) -> None:
    """The wheel with [mock] on this Python: the example's tests and a loopback sync."""
    wheel = os.environ.get("TAJO_BREVO_WHEEL")
    if not wheel:
        session.error("set TAJO_BREVO_WHEEL to the built wheel (make pythons does)")
    session.install("pytest>=8", f"{wheel}[mock]")
    # Same version number every build: without this, a reused virtualenv keeps the old code.
    session.install("--force-reinstall", "--no-deps", wheel)
    root = Path(__file__).resolve().parent
    example = root / "examples" / "loyalty_service"
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(example / "tests"),
        "--rootdir",
        str(example),
        env={"PYTHONPATH": str(example / "src")},
    )
    session.run("python", "-c", SMOKE_SYNC)

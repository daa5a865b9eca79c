"""Benchmark: a service's test suite on the pytest fixtures versus a client wired by hand.

Each test provisions a program and upserts one customer. Two suites, each run by pytest in
a subprocess (start-up, imports and collection included, as a user pays them), in a fresh
virtualenv with only the built wheel ``tajo-brevo[mock]``, pytest and pytest-xdist, as a
service's own test environment would be (this repository's dev venv also loads the
hypothesis and schemathesis plugins, seconds of start-up no service pays):

- fixture: the ``tajo_brevo`` fixture (in-process, paced to the mock's own limit: none);
- by hand (the anchor, "today's way"): ``TajoBrevo`` wired to ``brevo_mock`` with an
  ``httpx.Client(transport=brevo_mock.transport())`` and the default pacing (10/s).

The anchor spends about 4 s a test waiting on its own pacing, so it runs on a few tests
and is extrapolated to 100: its wall time minus the tests' own time (from pytest's JUnit
report), plus 100 times the median test. Rounds are interleaved (anchor, fixture,
fixture 100, fixture 100 on xdist) so both see the same machine load; the table gives
medians and the spread (min-max) over rounds.

Run: ``.venv/bin/python bench/bench_fixtures.py --write`` (writes bench/results/fixtures.md;
``--append --title TEXT`` adds a run as another section).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("results") / "fixtures.md"
HEADER = "# Fixture benchmark: a service's tests on `tajo_brevo` vs a client wired by hand\n"
TARGET_S = 10.0

FIXTURE_SUITE = """
import pytest
from tajo_brevo import LoyaltyProfile

@pytest.mark.parametrize("n", range({n}))
def test_provision_and_upsert(n, tajo_brevo):
    tajo_brevo.provision("Shop")
    result = tajo_brevo.upsert_customer(
        LoyaltyProfile(email=f"c{{n}}@example.com", loyalty_id=f"L{{n}}", loyalty_points=n)
    )
    assert result.created
"""

BY_HAND_SUITE = """
import httpx
import pytest
from tajo_brevo import LoyaltyProfile, TajoBrevo

@pytest.fixture
def client(brevo_mock):
    http = httpx.Client(transport=brevo_mock.transport())
    with TajoBrevo(
        api_key=brevo_mock.api_key, base_url="http://127.0.0.1/v3", http_client=http
    ) as brevo:
        yield brevo
    http.close()

@pytest.mark.parametrize("n", range({n}))
def test_provision_and_upsert(n, client):
    client.provision("Shop")
    result = client.upsert_customer(
        LoyaltyProfile(email=f"c{{n}}@example.com", loyalty_id=f"L{{n}}", loyalty_points=n)
    )
    assert result.created
"""


@dataclass
class Run:
    wall: float
    test_times: list[float]

    @property
    def overhead(self) -> float:
        """Start-up, imports, collection: the wall time outside the tests."""
        return max(0.0, self.wall - sum(self.test_times))

    def extrapolated(self, n: int) -> float:
        return self.overhead + n * statistics.median(self.test_times)


def fresh_venv(where: Path) -> Path:
    """Build the wheel and install it with [mock], pytest and pytest-xdist in a new venv."""
    root = Path(__file__).resolve().parents[1]
    quiet = ["--quiet", "--disable-pip-version-check"]
    dist = where / "dist"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", *quiet, "--no-deps", "-w", str(dist)]
    subprocess.run([*pip_wheel, str(root)], check=True, timeout=600)
    wheel = next(dist.glob("tajo_brevo-*.whl"))
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    packages = [f"{wheel}[mock]", "pytest", "pytest-xdist"]
    subprocess.run([python, "-m", "pip", "install", *quiet, *packages], check=True, timeout=600)
    return python


def run_suite(python: Path, source: str, n: int, extra: tuple[str, ...] = ()) -> Run:
    """Run ``n`` tests of a suite with pytest in a subprocess; wall time and per-test times."""
    with tempfile.TemporaryDirectory(prefix="bench-fixtures-") as tmp:
        root = Path(tmp)
        (root / "test_suite.py").write_text(textwrap.dedent(source.format(n=n)))
        # An empty ini: the suite must not pick up this repository's pytest configuration.
        (root / "pytest.ini").write_text("[pytest]\n")
        junit = root / "junit.xml"
        cmd = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        cmd += [f"--junitxml={junit}", *extra]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=1800)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            raise SystemExit(f"suite failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        cases = ET.parse(junit).getroot().iter("testcase")
        times = [float(case.get("time", "0")) for case in cases]
    if len(times) != n:
        raise SystemExit(f"expected {n} tests, the JUnit report has {len(times)}")
    return Run(wall, times)


@dataclass
class Series:
    label: str
    runs: list[Run] = field(default_factory=list)

    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100, help="tests in the fixture suite")
    parser.add_argument("--anchor-tests", type=int, default=3, help="tests in the by-hand suite")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="xdist workers (0: skip)")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS}")
    parser.add_argument(
        "--python", type=Path, help="run the suites with this interpreter (default: a fresh venv)"
    )
    parser.add_argument("--title", default="", help="what was measured (a heading suffix)")
    parser.add_argument(
        "--append", action="store_true", help="add this run to the results file as a section"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-fixtures-venv-") as tmp:
        args.python_given = args.python
        if args.python is None:
            print("building the wheel and a fresh venv ...", flush=True)
            args.python = fresh_venv(Path(tmp))
        return measure(args)


def measure(args: argparse.Namespace) -> int:
    """The interleaved rounds, the table and the results file."""

    k, n = args.anchor_tests, args.tests
    anchor = Series(f"by hand, default pacing, {k} tests")
    small = Series(f"`tajo_brevo` fixture, {k} tests")
    full = Series(f"`tajo_brevo` fixture, {n} tests")
    xdist = Series(f"`tajo_brevo` fixture, {n} tests, `-n {args.workers}`")
    for r in range(args.rounds):
        anchor.runs.append(run_suite(args.python, BY_HAND_SUITE, k))
        small.runs.append(run_suite(args.python, FIXTURE_SUITE, k))
        full.runs.append(run_suite(args.python, FIXTURE_SUITE, n))
        if args.workers:
            xdist.runs.append(run_suite(args.python, FIXTURE_SUITE, n, ("-n", str(args.workers))))
        print(
            f"round {r + 1}: by hand {anchor.runs[-1].wall:.2f}s, fixture {k} tests "
            f"{small.runs[-1].wall:.2f}s, {n} tests {full.runs[-1].wall:.2f}s"
            + (f", xdist {xdist.runs[-1].wall:.2f}s" if args.workers else ""),
            flush=True,
        )

    per_test_ratio = [
        statistics.median(a.test_times) / statistics.median(f.test_times)
        for a, f in zip(anchor.runs, full.runs, strict=True)
    ]
    anchor_100 = [r.extrapolated(n) for r in anchor.runs]
    total_ratio = [a / f.wall for a, f in zip(anchor_100, full.runs, strict=True)]
    rows = [
        (anchor, anchor_100),
        (small, None),
        (full, None),
    ] + ([(xdist, None)] if args.workers else [])

    heading = "## Run" + (f": {args.title}" if args.title else "")
    lines = [
        heading,
        "",
        f"`.venv/bin/python bench/bench_fixtures.py {shlex.join(sys.argv[1:])}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {args.rounds} "
        "interleaved rounds. Each test provisions a program (about 37 requests) and upserts "
        "one customer, against a fresh in-process mock; pytest runs in a subprocess and "
        "its start-up is counted, in a fresh venv with only the built wheel "
        "`tajo-brevo[mock]`, pytest and pytest-xdist"
        + ("" if args.python_given is None else f" (here: `{args.python_given}`)")
        + ". The machine was shared with other work while this ran.",
        "",
        f"| suite | wall time (s), median | spread (s) | median test (s) | "
        f"extrapolated to {n} tests (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for series, extrapolated in rows:
        walls = series.walls()
        per_test = statistics.median(statistics.median(r.test_times) for r in series.runs)
        extra = (
            f"{statistics.median(extrapolated):.1f} ({spread(extrapolated)})"
            if extrapolated
            else "-"
        )
        lines.append(
            f"| {series.label} | {statistics.median(walls):.2f} | {spread(walls)} | "
            f"{per_test:.3f} | {extra} |"
        )
    best = statistics.median(full.walls())
    lines += [
        "",
        f"- {n} tests through the `tajo_brevo` fixture: **{best:.1f} s** serially "
        f"(target <= {TARGET_S:.0f} s: {'met' if best <= TARGET_S else 'NOT met'})"
        + (
            f", {statistics.median(xdist.walls()):.1f} s on {args.workers} xdist workers."
            if args.workers
            else "."
        ),
        f"- By hand with the default pacing, extrapolated to {n} tests: "
        f"{statistics.median(anchor_100):.0f} s, {statistics.median(total_ratio):.0f}x the "
        f"fixture suite (spread {min(total_ratio):.0f}-{max(total_ratio):.0f}x); per test "
        f"{statistics.median(per_test_ratio):.0f}x (spread "
        f"{min(per_test_ratio):.0f}-{max(per_test_ratio):.0f}x).",
        "- What is left per test is the mock's own per-request work (spec validation, the "
        "in-process transport) and pytest's: the fixture client never waits.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        if args.append and RESULTS.exists():
            RESULTS.write_text(RESULTS.read_text() + "\n" + text)
        else:
            RESULTS.write_text(HEADER + "\n" + text)
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

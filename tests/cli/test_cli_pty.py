"""``tajo-brevo sync`` as a person sees it: in a pseudo-terminal, against a slow Brevo.

The console script runs in a pty (pexpect), so it draws its terminal progress view;
the mock, served on loopback by this test, keeps every import queued for a while, as
Brevo does, so the run spends visible time waiting for Brevo to process them.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tajo_brevo.mock import BrevoMock

pexpect = pytest.importorskip("pexpect")

TIERS = ("Bronze", "Silver", "Gold", "Platinum")
ROWS = 400  # over the import threshold: the rows go out in imports, one per tier


@pytest.fixture
def slow_brevo() -> Iterator[tuple[BrevoMock, str]]:
    mock = BrevoMock(import_delay=0.4)
    with mock.serve() as server:
        yield mock, server.base_url


def _customers(path: Path) -> dict[str, tuple[int, str]]:
    wanted = {f"c{i:04d}@example.com": (i * 7, TIERS[i % 4]) for i in range(ROWS)}
    lines = ["EMAIL;LOYALTY_ID;LOYALTY_POINTS;LOYALTY_TIER"]
    lines += [f"{email};L{i};{p};{t}" for i, (email, (p, t)) in enumerate(wanted.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return wanted


def test_sync_on_a_terminal_shows_each_phase_with_counts_then_the_summary(
    slow_brevo: tuple[BrevoMock, str], tmp_path: Path
) -> None:
    mock, base_url = slow_brevo
    source = tmp_path / "customers.csv"
    wanted = _customers(source)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BREVO_")}
    env.update(BREVO_API_KEY=mock.api_key, BREVO_BASE_URL=base_url, BREVO_RATE_LIMIT="auto")
    env.update(COLUMNS="120", LINES="40", TERM="xterm")
    screen = io.StringIO()
    child = pexpect.spawn(
        str(Path(sys.executable).with_name("tajo-brevo")),
        ["sync", str(source)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.logfile_read = screen
    try:
        # The phases, in the order a person sees them, each with its counts.
        child.expect_exact("provisioning the program (attributes, folder, lists)")
        child.expect_exact(f"reading and planning: {ROWS} of {ROWS} rows (100 %)")
        child.expect_exact(f"sending: {ROWS} of {ROWS} rows (100 %)")
        child.expect_exact("waiting for Brevo to process 4 imports: 0 of 4 done")
        child.expect_exact("waiting for Brevo to process 4 imports: 4 of 4 done, in ")
        # The summary, after the progress lines.
        child.expect_exact(f"customers.csv: {ROWS} rows in ")
        child.expect_exact(f"rows: applied {ROWS}")
        child.expect_exact("(applied: sent in an import Brevo confirmed; Brevo's import does")
        child.expect_exact("sent: 400 rows in 4 import(s)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, screen.getvalue()

    seen = screen.getvalue()
    # Drawn in place on the terminal: carriage returns, one finished line per phase.
    assert "\r" in seen and "\x1b[K" in seen
    for frame in re.split(r"[\r\n]", seen):
        found = re.search(r"([\d,]+) of ([\d,]+) \w+ \(100 %\)", frame)
        if found:  # never 100 % while work remains
            assert found.group(1) == found.group(2), frame
    assert "Traceback" not in seen

    # What Brevo now holds is the source: every contact, its points and its lists.
    contacts = {c.email: c for c in mock.contacts()}
    assert set(contacts) == set(wanted)
    for email, (points, tier) in wanted.items():
        contact = contacts[email]
        assert contact.attributes["LOYALTY_POINTS"] == points
        assert contact.lists == {"Tajo Loyalty - All customers", f"Tajo Loyalty - {tier}"}

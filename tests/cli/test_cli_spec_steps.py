"""`tajo-brevo spec effective|generate|lock|check`: a step's known error is exit 1, one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tajo_brevo._cli_errors import EXIT_FAILED
from tajo_brevo.cli import main


@pytest.mark.parametrize(
    ("step", "missing"),
    [
        ("effective", "brevo-contacts.yml"),
        ("generate", "brevo-contacts.yml"),
        ("lock", "brevo-contacts.yml"),
        ("check", "spec.lock"),
    ],
)
def test_a_step_on_a_root_without_the_spec_fails_in_one_line(
    step: str, missing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The missing file is an OSError the step is known to raise: a failed step (1), not a
    # usage error (2) as an OSError elsewhere would be, and nothing is written.
    assert main(["spec", "--root", str(tmp_path), step]) == EXIT_FAILED
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"tajo-brevo spec {step}: ") and missing in lines[0]
    assert "No such file or directory" in lines[0] and "[Errno" not in lines[0]
    assert "wrote" not in captured.out
    assert list(tmp_path.iterdir()) == []

"""Write bench/RESULTS.md: an index of every benchmark's results and plots.

Each ``bench/bench_<topic>.py --write`` writes ``bench/results/<topic>.md`` (and PNG plots
next to it); this lists them with their title and the line that says where and when they
ran, and shows the plots. ``make bench`` runs it after the benchmarks.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
INDEX = HERE / "RESULTS.md"


def _summary(path: Path) -> tuple[str, str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    title = next((line[2:] for line in lines if line.startswith("# ")), path.stem)
    ran = next((line for line in lines if line and not line.startswith("#")), "")
    return title, ran


def main() -> int:
    pages = sorted(RESULTS.glob("*.md"))
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (every `bench/bench_*.py --write`, then `bench/index.py`). "
        "One page per topic; benchmarks are not part of `make test`.",
        "",
    ]
    for page in pages:
        title, ran = _summary(page)
        lines += [f"## [{title}](results/{page.name})", "", ran, ""]
        for plot in sorted(RESULTS.glob(f"{page.stem}*.png")):
            lines += [f"![{plot.stem}](results/{plot.name})", ""]
    if not pages:
        lines.append("No results yet: run `make bench`.")
    INDEX.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {INDEX} ({len(pages)} topics)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

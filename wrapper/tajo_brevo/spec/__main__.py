"""``python -m tajo_brevo.spec``: the spec steps the Makefile runs.

Commands (run from the project root, or pass ``--root``):
  effective [--output PATH]  write pin + corrections to the effective spec
  lock                       record the hashes and generator version in spec.lock
  check                      fail if the pin, corrections or effective spec drifted from spec.lock
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tajo_brevo.spec import SpecPaths, build_effective, check_lock, write_lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tajo_brevo.spec")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root")
    sub = parser.add_subparsers(dest="command", required=True)
    eff = sub.add_parser("effective", help="build the effective spec")
    eff.add_argument("--output", type=Path, help="default: openapi/brevo-contacts.effective.yml")
    sub.add_parser("lock", help="write openapi/spec.lock")
    sub.add_parser("check", help="compare the spec files with openapi/spec.lock")
    args = parser.parse_args(argv)
    paths = SpecPaths(args.root)

    if args.command == "effective":
        try:
            text, _ = build_effective(paths)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        out = args.output or paths.effective
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
        return 0
    if args.command == "lock":
        write_lock(paths)
        print(f"wrote {paths.lock}")
        return 0
    problems = check_lock(paths)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print("The pin is never edited; corrections go through `make generate`.", file=sys.stderr)
        return 1
    print("spec files match openapi/spec.lock")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``tajo-brevo spec``: the pinned spec, its corrections, diffs and spec bumps.

Subcommands (``--root`` defaults to the current directory, the project root):
  effective [--output PATH]   write pin + corrections to the effective spec
  generate                    effective spec + generated client + spec.lock (= make generate)
  lock                        record the hashes and generator version in spec.lock
  check                       fail if the pin, corrections or effective spec drifted from spec.lock
  diff OLD NEW                change report per operation, breaking / non-breaking
  update PATH                 make PATH the pin: validate, diff, corrections, regenerate, lock, test

``python -m tajo_brevo.spec`` runs the same subcommands (the Makefile uses it).
Exit codes: the table of every command (``tajo-brevo --help``): 0 done, 1 a check failed
(or ``diff --fail-on`` found such a change), 2 bad input or usage.

examples:
  tajo-brevo spec check
  tajo-brevo spec diff openapi/brevo-contacts.yml new.yml --fail-on breaking
  tajo-brevo spec update ~/Downloads/brevo-contacts.yml
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ._cli_errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CliError, no_errno, print_error

if TYPE_CHECKING:
    from tajo_brevo.spec import SpecPaths

# `make test` on this project takes a few minutes; bound it anyway.
_TEST_TIMEOUT_S = 3600

_T = TypeVar("_T")


DESCRIPTION = __doc__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--root`` and the spec subcommands to ``parser``.

    Shared by ``tajo-brevo spec`` and ``python -m tajo_brevo.spec`` (as
    :func:`add_spec_commands`).
    """
    parser.add_argument(
        "--root", type=Path, default=None, help="project root (default: current directory)"
    )
    sub = parser.add_subparsers(dest="spec_command", metavar="SPEC_COMMAND", required=True)

    eff = sub.add_parser(
        "effective",
        help="build the effective spec (pin + corrections)",
        epilog="example:\n  tajo-brevo spec effective --output /tmp/effective.yml\n",
    )
    eff.add_argument("--output", type=Path, help="default: openapi/brevo-contacts.effective.yml")
    eff.set_defaults(handler=_effective)

    sub.add_parser(
        "generate",
        help="effective spec + generated client + spec.lock (= make generate)",
        epilog="example:\n  tajo-brevo spec generate   # after editing openapi/corrections.yml\n",
    ).set_defaults(handler=_generate)
    sub.add_parser(
        "lock",
        help="write openapi/spec.lock",
        epilog="example:\n  tajo-brevo spec lock --root path/to/tajo-brevo\n",
    ).set_defaults(handler=_lock)
    sub.add_parser(
        "check",
        help="compare the spec files with openapi/spec.lock",
        epilog="example:\n  tajo-brevo spec check         # exit 1 when a spec file drifted\n",
    ).set_defaults(handler=_check)

    diff = sub.add_parser(
        "diff",
        help="what changed between two specs, per operation, breaking or not",
        description="Compare two OpenAPI specs for a client of the API. Exit codes: 0 = "
        "no change at or above --fail-on, 1 = such a change, 2 = bad input.",
        epilog="examples:\n"
        "  tajo-brevo spec diff openapi/brevo-contacts.yml new.yml\n"
        "  tajo-brevo spec diff old.yml new.yml --format json -o changes.json "
        "--fail-on breaking\n",
    )
    diff.add_argument("old", type=Path, help="the spec the client is built from")
    diff.add_argument("new", type=Path, help="the candidate spec")
    diff.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="report format"
    )
    diff.add_argument("--output", "-o", type=Path, help="write the report here (default: stdout)")
    diff.add_argument(
        "--fail-on",
        choices=("never", "breaking", "any"),
        default="never",
        help="exit 1 when there is a breaking change (breaking) or any change (any)",
    )
    diff.set_defaults(handler=_diff)

    update = sub.add_parser(
        "update",
        help="make a new upstream spec the pin, regenerate and test",
        description="Validate the new spec, report what changed, re-apply the corrections "
        "(refusing if any no longer applies), write the pin, the effective spec, the "
        "generated client, spec.lock and a CHANGELOG.md entry, then run `make test`. "
        "Nothing is written if a step before the writing fails. Exit 2: the new spec can't "
        "be read or is not valid; 1: corrections no longer apply, or a later step failed.",
        epilog="examples:\n"
        "  tajo-brevo spec update ~/Downloads/brevo-contacts.yml\n"
        "  tajo-brevo spec update upstream/openapi/ --no-tests\n",
    )
    update.add_argument(
        "spec",
        type=Path,
        nargs="+",
        help="the new upstream spec (YAML or JSON); several files or a directory (upstream's "
        "split by tag) are merged into one pin",
    )
    update.add_argument(
        "--allow-stale",
        action="store_true",
        help="write the bump even if corrections no longer apply (still reported; "
        "make check-generated fails until they are removed)",
    )
    update.add_argument("--no-tests", action="store_true", help="do not run `make test` after")
    update.set_defaults(handler=_update)


#: The name ``python -m tajo_brevo.spec`` knows it by.
add_spec_commands = add_arguments


def _paths(args: argparse.Namespace) -> SpecPaths:
    from tajo_brevo.spec import SpecPaths

    return SpecPaths(args.root or Path.cwd())


def _error(args: argparse.Namespace, message: str) -> None:
    """A problem line of a check that lists several (the command's own prefix)."""
    print_error(args.command_prog, message)


def _fail(exc: BaseException, code: int, *, report: bool = False) -> CliError:
    """``exc`` as its first line; with ``report``, the lines after it (e.g. the corrections
    that no longer apply, the generator's output) go to stderr before that line."""
    first, _, rest = str(exc).strip().partition("\n")
    if report and rest.strip():
        print(rest.rstrip(), file=sys.stderr)
    return CliError(no_errno(first), code)


def _step(
    step: Callable[[SpecPaths], _T],
    paths: SpecPaths,
    errors: tuple[type[Exception], ...],
    *,
    report: bool = False,
) -> _T:
    """``step(paths)``; one of the ``errors`` the step is known to raise fails the command
    (exit 1; ``report`` as for :func:`_fail`). Anything else propagates to ``describe``."""
    try:
        return step(paths)
    except errors as exc:
        raise _fail(exc, EXIT_FAILED, report=report) from exc


def _effective(args: argparse.Namespace) -> int:
    from tajo_brevo.spec import build_effective

    paths = _paths(args)
    text, _ = _step(build_effective, paths, (ValueError, OSError))
    out: Path = args.output or paths.effective
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from tajo_brevo.spec.update import SpecUpdateError, regenerate

    paths = _paths(args)
    _step(regenerate, paths, (ValueError, OSError, SpecUpdateError), report=True)
    print(f"wrote {paths.effective}, {paths.generated}, {paths.lock}")
    return 0


def _lock(args: argparse.Namespace) -> int:
    from tajo_brevo.spec import write_lock

    paths = _paths(args)
    _step(write_lock, paths, (OSError,))
    print(f"wrote {paths.lock}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from tajo_brevo.spec import check_lock

    paths = _paths(args)
    problems = _step(check_lock, paths, (ValueError, OSError))
    for problem in problems:
        _error(args, problem)
    if problems:
        _error(args, "the pin is never edited: corrections go through `make generate`")
        return EXIT_FAILED
    print("spec files match openapi/spec.lock")
    return 0


def _load_spec(path: Path) -> Any:
    import yaml

    from tajo_brevo.spec import validate_spec

    try:
        doc = yaml.safe_load(path.read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not YAML or JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not an OpenAPI document (not a mapping)")
    try:
        validate_spec(doc)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    return doc


def _diff(args: argparse.Namespace) -> int:
    from tajo_brevo.spec.diff import diff_specs

    try:
        report = diff_specs(_load_spec(args.old), _load_spec(args.new))
    except ValueError as exc:
        raise _fail(exc, EXIT_USAGE) from exc
    text = report.to_json_text() if args.format == "json" else report.to_markdown()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(
            f"wrote {args.output}: {len(report.breaking)} breaking, "
            f"{len(report.non_breaking)} non-breaking",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    if args.fail_on == "breaking" and report.breaking:
        return EXIT_FAILED
    if args.fail_on == "any" and report.changes:
        return EXIT_FAILED
    return EXIT_OK


def _update(args: argparse.Namespace) -> int:
    from tajo_brevo.spec import format_report
    from tajo_brevo.spec.update import SpecInputError, SpecUpdateError, update_spec

    paths = _paths(args)
    try:
        result = update_spec(paths, list(args.spec), allow_stale=args.allow_stale)
    except SpecInputError as exc:
        raise _fail(exc, EXIT_USAGE) from exc
    except SpecUpdateError as exc:
        raise _fail(exc, EXIT_FAILED, report=True) from exc
    if not result.changed:
        given = " ".join(str(p) for p in args.spec)
        print(f"{given} gives a pin byte-identical to {paths.pin}: nothing to do")
        return 0
    sys.stdout.write(result.upstream.to_markdown())
    print()
    print(f"wrote {paths.pin}, {paths.effective}, {paths.generated}, {paths.lock}")
    print(f"added an entry to {paths.changelog}")
    if result.corrections.stale:
        print("warning: corrections that no longer apply (--allow-stale):", file=sys.stderr)
        print(format_report(result.corrections), file=sys.stderr)
    if args.no_tests:
        return 0
    return _run_tests(paths.root)


def _run_tests(root: Path) -> int:
    if (root / "Makefile").exists() and shutil.which("make"):
        command = ["make", "test"]
    else:
        command = [sys.executable, "-m", "pytest", "-q"]
    print(f"running {' '.join(command)} in {root}", flush=True)
    try:
        code = subprocess.run(command, cwd=root, timeout=_TEST_TIMEOUT_S).returncode
    except subprocess.TimeoutExpired:
        raise CliError(
            f"{' '.join(command)} timed out after {_TEST_TIMEOUT_S}s", EXIT_FAILED
        ) from None
    if code != 0:
        raise CliError(
            "the bump is written but the tests fail: fix the wrapper (or revert the bump "
            "with git) before committing",
            EXIT_FAILED,
        )
    return code

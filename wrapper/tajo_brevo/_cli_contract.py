"""``tajo-brevo contract``: run the schemathesis contract suite against a base URL."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ._cli_args import bounded

_KEY_ENV = "BREVO_API_KEY"
_URL_ENV = "BREVO_BASE_URL"


_positive = bounded(
    int, bad="{text!r} is not a whole number", ok=lambda v: v >= 1, problem="at least 1"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``contract`` command."""
    from tajo_brevo.contract.runner import DEFAULT_MAX_EXAMPLES, WRITE_PREFIX

    parser = sub.add_parser(
        "contract",
        help="check that a Brevo base URL (the mock or a real account) conforms to the spec",
        description=(
            "Run the schemathesis contract suite (all phases, all checks, positive and "
            "negative data) against a base URL and print a per-operation summary. "
            "Read-only (GET operations) unless --allow-writes. Exit status 0 when the "
            "target conforms, 1 when it does not, 2 on bad usage. Needs tajo-brevo[contract]."
        ),
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get(_URL_ENV),
        help=f"API root, e.g. https://api.brevo.com/v3 (default: ${_URL_ENV})",
    )
    parser.add_argument(
        "--api-key",
        default=None,
        help=f"API key (default: ${_KEY_ENV}; prefer the variable: arguments show in ps)",
    )
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        help=(
            "also run POST/PUT/DELETE operations; everything created is named "
            f"{WRITE_PREFIX}... and deleted afterwards"
        ),
    )
    parser.add_argument("--junit", type=Path, default=None, help="write a JUnit XML report here")
    parser.add_argument(
        "--max-examples",
        type=_positive,
        default=DEFAULT_MAX_EXAMPLES,
        help=f"fuzzing examples per operation (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument(
        "--operation",
        action="append",
        dest="operations",
        metavar="OPERATION_ID",
        help="only this operation (repeatable; default: all the mode allows)",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=(
            "also print schemathesis' own report (each failure with a curl reproduction); "
            "on an error, the traceback"
        ),
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="hypothesis seed, to replay a run (schemathesis' report prints each run's seed)",
    )
    parser.add_argument(
        "--spec", type=Path, default=None, help="OpenAPI document (default: the effective spec)"
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    base_url = args.base_url
    api_key = args.api_key or os.environ.get(_KEY_ENV)
    if not base_url:
        print(f"tajo-brevo contract: give --base-url or set {_URL_ENV}", file=sys.stderr)
        return 2
    if not api_key:
        print(f"tajo-brevo contract: give --api-key or set {_KEY_ENV}", file=sys.stderr)
        return 2
    if not base_url.startswith(("http://", "https://")):
        print(
            f"tajo-brevo contract: --base-url must be http(s)://..., got {base_url!r}",
            file=sys.stderr,
        )
        return 2
    if args.spec is not None and not args.spec.is_file():
        print(f"tajo-brevo contract: no spec at {args.spec}", file=sys.stderr)
        return 2
    from tajo_brevo.contract.runner import run_contract

    try:
        result = run_contract(
            base_url=base_url,
            api_key=api_key,
            spec_path=args.spec,
            allow_writes=args.allow_writes,
            max_examples=args.max_examples,
            operation_ids=args.operations,
            seed=args.seed,
        )
    except (ValueError, FileNotFoundError) as exc:  # --operation selects nothing; no spec
        print(f"tajo-brevo contract: {exc}", file=sys.stderr)
        return 2
    if args.verbose:
        print(result.report)
    print(result.summary())
    if args.junit is not None:
        result.write_junit(args.junit)
        print(f"JUnit report: {args.junit}")
    return 0 if result.ok else 1

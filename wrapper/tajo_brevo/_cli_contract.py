"""``tajo-brevo contract``: run the schemathesis contract suite against a base URL."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ._cli_errors import CliError, bounded, one_line

_KEY_ENV = "BREVO_API_KEY"
_URL_ENV = "BREVO_BASE_URL"
DESCRIPTION = (
    "Run the schemathesis contract suite (all phases, all checks, positive and negative "
    "data) against a base URL and print a per-operation summary. Read-only (GET "
    "operations) unless --allow-writes. Exit status 0 when the target conforms, 1 when it "
    "does not, 2 on bad usage or configuration, 75 when the target is unreachable. Needs "
    "tajo-brevo[contract]."
)
EPILOG = """examples:
  export BREVO_API_KEY=...
  tajo-brevo contract --base-url https://api.brevo.com/v3 --junit junit.xml
  tajo-brevo contract --base-url http://127.0.0.1:8080/v3 --allow-writes --operation getContactInfo

Before the suite, one read checks the key and the URL: a wrong key, an unreachable URL or
a URL that is not Brevo's API (it ends in /v3) stops there, in one line (exit 2, or 75
when Brevo is unreachable after retries).
"""


_positive = bounded(
    int, bad="{text!r} is not a whole number", ok=lambda v: v >= 1, problem="at least 1"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``contract`` command's options."""
    from tajo_brevo.contract.runner import DEFAULT_MAX_EXAMPLES, WRITE_PREFIX

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
        help="hypothesis seed, to replay a run (schemathesis' report prints each run's seed; "
        "default: a new one each run)",
    )
    parser.add_argument(
        "--spec", type=Path, default=None, help="OpenAPI document (default: the effective spec)"
    )
    parser.set_defaults(handler=_run)


def _preflight(base_url: str, api_key: str) -> None:
    """One read before the suite, so a wrong key or URL is one line, not a failed suite.

    Raises:
        ConfigurationError: the URL is refused (plain http off loopback, ...).
        AuthenticationError: the key is refused (401).
        NotFoundError: the URL is not Brevo's API (``_cli_errors`` says which fix).
        APIConnectionError: no answer after the client's retries.
    """
    from . import TajoBrevo

    with TajoBrevo(api_key=api_key, base_url=base_url, rate_limit="auto") as client:
        next(iter(client.iter_folders(page_size=1)), None)


def _run(args: argparse.Namespace) -> int:
    base_url = args.base_url
    api_key = args.api_key or os.environ.get(_KEY_ENV)
    if not base_url:
        raise CliError(f"give --base-url or set {_URL_ENV} (e.g. https://api.brevo.com/v3)")
    if not api_key:
        raise CliError(f"give --api-key or set {_KEY_ENV} (Brevo: SMTP & API > API Keys)")
    if not base_url.startswith(("http://", "https://")):
        raise CliError(f"--base-url must be http(s)://..., got {base_url!r}")
    if args.spec is not None and not args.spec.is_file():
        raise CliError(f"no spec at {args.spec}")
    try:
        from tajo_brevo.contract.runner import run_contract, select_operations
    except ImportError as exc:
        raise CliError(
            f"needs the contract extra: pip install 'tajo-brevo[contract]' ({exc})"
        ) from exc

    try:  # usage first: nothing is contacted when the selection is empty
        select_operations(
            spec_path=args.spec, allow_writes=args.allow_writes, operation_ids=args.operations
        )
    except ValueError as exc:
        wanted = ", ".join(args.operations or ())
        raise CliError(
            f"no operation selected by --operation {wanted}: give an operationId of the "
            "spec (a write operation also needs --allow-writes)"
        ) from exc
    _preflight(base_url, api_key)
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
    except (ValueError, FileNotFoundError) as exc:  # a spec that can't be read
        raise CliError(one_line(str(exc))) from exc
    if args.verbose:
        print(result.report)
    print(result.summary())
    if args.junit is not None:
        result.write_junit(args.junit)
        print(f"JUnit report: {args.junit}")
    return 0 if result.ok else 1

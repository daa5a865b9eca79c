"""``tajo-brevo mock``: serve the stateful Brevo mock with uvicorn until stopped."""

from __future__ import annotations

import argparse
import secrets
from typing import Any

from ._cli_errors import EXIT_USAGE, CliError, argument_type, bounded, seconds
from ._config import parse_fixed_rate

DESCRIPTION = (
    "Serve a stateful mock of the Brevo Contacts API (all operations under /v3, "
    "state in memory) until stopped with Ctrl-C. Needs tajo-brevo[mock]."
)
EPILOG = """examples:
  tajo-brevo mock --port 8080 --api-key dev-key
  tajo-brevo mock --rate-limit general --import-delay 2 --fault 'importContacts:status=503@0.1'

--rate-limit takes the forms of sync and $BREVO_RATE_LIMIT: general (10/s), professional
(20/s), enterprise (60/s) or a whole number of requests per second.
"""


def _mock_rate(text: str) -> int:
    """The mock counts whole requests per one-second window."""
    rate = parse_fixed_rate(text, needed_by="the mock")
    if rate < 1 or rate != int(rate):
        raise ValueError(f"{text!r}: the mock limits whole requests per second (1 or more)")
    return int(rate)


def _fault(text: str) -> Any:
    from tajo_brevo.mock import Fault

    try:
        return Fault.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_speed = bounded(
    float,
    bad="{text!r}: give rows per second, e.g. 1000",
    ok=lambda v: 0 < v < float("inf"),
    problem="the import speed is more than 0 rows per second",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``mock`` command's options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080, 0: any free)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=(
            "key to accept in the api-key header (repeatable, every one for the same "
            "account; default: a random key, printed)"
        ),
    )
    parser.add_argument(
        "--account",
        action="append",
        dest="accounts",
        default=[],
        metavar="KEY",
        help=(
            "serve one more account, addressed by KEY: its own contacts, lists, attributes, "
            "folders, processes and rate-limit budget (repeatable: one account per key)"
        ),
    )
    parser.add_argument(
        "--rate-limit",
        type=argument_type(_mock_rate),
        default=None,
        metavar="RATE",
        help="requests per second before 429: general, professional, enterprise or a "
        "number (default: no limit)",
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        dest="faults",
        default=[],
        metavar="RULE",
        help=(
            "inject faults: [OPERATION:]status=5xx|latency=SECONDS|drop[@PROBABILITY], "
            "e.g. 'createContact:status=503@0.1' (repeatable)"
        ),
    )
    parser.add_argument(
        "--import-delay",
        type=seconds("the import delay", example="2"),
        default=0.0,
        metavar="SECONDS",
        help="how long an import stays queued before it is processed (default 0)",
    )
    parser.add_argument(
        "--import-speed",
        type=_speed,
        dest="import_rows_per_second",
        default=None,
        metavar="ROWS_PER_SECOND",
        help="cap on import processing speed (default: no cap, as fast as the mock goes)",
    )
    parser.add_argument(
        "--membership-process-above",
        type=int,
        default=None,
        metavar="MEMBERS",
        help=(
            "answer an add/remove of more members than this with a process "
            "({contacts: {processId, total}}), as production may (default: never)"
        ),
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault draws (default 0)")
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    parser.set_defaults(handler=_run)


#: The options that are :class:`~tajo_brevo.mock.BrevoMock` keywords of the same name
#: (their ``dest``), passed on as given; only the keys are worked out here.
_MOCK_KEYWORDS = (
    "accounts",
    "rate_limit",
    "faults",
    "seed",
    "import_delay",
    "import_rows_per_second",
    "membership_process_above",
)


def _run(args: argparse.Namespace) -> int:
    try:
        from tajo_brevo.mock import BrevoMock
        from tajo_brevo.mock._server import bind, serve_forever
    except ImportError as exc:
        raise CliError(f"needs the mock extra: pip install 'tajo-brevo[mock]' ({exc})") from exc
    keys = args.api_keys or (None if args.accounts else [secrets.token_urlsafe(18)])
    options = {name: getattr(args, name) for name in _MOCK_KEYWORDS}
    try:
        mock = BrevoMock(api_keys=keys, **options)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CliError(f"cannot serve on {args.host}:{args.port}: {reason}", EXIT_USAGE) from exc
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    # The key is printed on purpose: it is a key of this throwaway mock, which the user
    # needs to point a client at it (the brief of the command).
    print(f"Brevo mock: base URL http://{host}:{port}/v3", flush=True)
    if keys is not None:
        print(f"Brevo mock: api-key {mock.api_key}", flush=True)
    if args.accounts:
        # Not echoed: the caller chose these keys.
        print(
            f"Brevo mock: {len(mock.accounts)} accounts, one per key "
            f"({len(args.accounts)} given with --account)",
            flush=True,
        )
    if args.rate_limit:
        print(f"Brevo mock: rate limit {args.rate_limit} requests/s", flush=True)
    rows_per_second = args.import_rows_per_second
    if args.import_delay or rows_per_second:
        speed = f"{rows_per_second:g} rows/s" if rows_per_second else "no speed cap"
        print(f"Brevo mock: imports queued {args.import_delay:g} s, {speed}", flush=True)
    if args.membership_process_above is not None:
        print(
            f"Brevo mock: add/remove of more than {args.membership_process_above} members "
            "answered as a process",
            flush=True,
        )
    for fault in args.faults:
        print(f"Brevo mock: fault {fault.describe()}", flush=True)
    print("Brevo mock: Ctrl-C to stop", flush=True)
    serve_forever(mock.app, sock, log_level=args.log_level)
    return 0

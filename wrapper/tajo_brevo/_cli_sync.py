"""``tajo-brevo sync``: keep a file of loyalty customers in step with a Brevo account.

Exit codes (the table of every command, ``tajo_brevo._cli_errors``): 0 every row is
synced or unchanged; 1 a row is invalid or failed (see the failures file; the next run
retries failed rows by itself); 2 usage or configuration error, or the mirror guard
refused (nothing was sent); 75 Brevo unreachable or refusing after retries (try later: the
next run resumes); 130 interrupted (Ctrl-C or SIGTERM: the next run resumes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._cli_errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_UNAVAILABLE,
    CliError,
    add_program_option,
    argument_type,
    describe,
    require_api_key,
    seconds,
)
from ._config import parse_rate_limit

if TYPE_CHECKING:
    from ._cli_progress import ProgressView
    from .sync._report import SyncReport
    from .sync._source import Source
    from .sync._sql import SqlSource
    from .sync._state import SyncState

DEFAULT_PROGRAM = "Tajo Loyalty"
#: Where ``--source-url`` is read from when not given (not in the process list).
SOURCE_URL_ENV = "TAJO_BREVO_SOURCE_URL"
_ORDER = ("created", "updated", "applied", "unchanged", "skipped", "invalid", "failed")
#: What the report's "applied" means, printed under the counts when some rows are.
APPLIED_MEANS = (
    "applied: sent in an import Brevo confirmed; Brevo's import does not say whether "
    "it created or updated each contact"
)
DESCRIPTION = (
    "Sync a file of loyalty customers (CSV with , or ; or JSON Lines) into the Brevo "
    "account of BREVO_API_KEY / BREVO_BASE_URL: provisions the program, sends only "
    "the rows that changed since the last confirmed sync (recorded in a state file), "
    "confirms every import with Brevo, and moves customers between tier lists."
)
EPILOG = """examples:
  export BREVO_API_KEY=...            # Brevo: SMTP & API > API Keys
  tajo-brevo sync customers.csv --dry-run
  tajo-brevo sync customers.csv --mode mirror --on-missing unlist --rate-limit professional
  tajo-brevo sync --history customers.csv.sync.db

--rate-limit takes the forms of $BREVO_RATE_LIMIT: general (10/s), professional (20/s),
enterprise (60/s), a number of requests per second, or auto (follow Brevo's headers).
exit codes: 0 done, 1 rows invalid or failed, 2 usage or configuration, 75 Brevo
unreachable or refusing after retries (try later), 130 interrupted.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``sync`` command's options."""
    parser.add_argument("file", nargs="?", metavar="FILE", help="the customers file (.csv, .jsonl)")
    parser.add_argument(
        "--source-url",
        metavar="URL",
        help="read the customers from a database instead of FILE: a SQLAlchemy URL "
        "(postgresql://, mysql+pymysql://, sqlite:///...); default: $TAJO_BREVO_SOURCE_URL "
        "(keeps the password out of the process list); needs tajo-brevo[sql]",
    )
    parser.add_argument("--query", metavar="SQL", help="with a database: the SELECT to sync")
    parser.add_argument("--query-file", metavar="FILE", help="with a database: a file with it")
    parser.add_argument(
        "--state",
        help="the state file (default: beside FILE, named FILE.sync.db), or a PostgreSQL URL "
        "(postgresql://user@host/db: many accounts in one database, this key's and "
        "program's rows apart)",
    )
    parser.add_argument(
        "--account",
        metavar="REF",
        help="with a PostgreSQL state: the account's name there, e.g. the reference its "
        "Celery task uses (merchant-42), to share that task's lock and history (default: "
        "an id of BREVO_API_KEY)",
    )
    parser.add_argument(
        "--lock-timeout",
        type=seconds("the lock timeout", example="5"),
        default=0.0,
        metavar="SECONDS",
        help="wait up to SECONDS for another sync of the same state to finish (default 0: "
        "refuse at once)",
    )
    add_program_option(parser, DEFAULT_PROGRAM)
    parser.add_argument(
        "--mode",
        choices=("upsert", "update", "mirror"),
        default="upsert",
        help="upsert (default): create or update; update: never create; mirror: customers "
        "no longer in FILE are handled by --on-missing",
    )
    parser.add_argument(
        "--on-missing",
        choices=("keep", "unlist", "blacklist"),
        default="keep",
        help="mirror mode: what happens to customers that left FILE (default keep)",
    )
    parser.add_argument(
        "--max-removals",
        metavar="N|P%",
        help="mirror mode: the most customers a run may unlist or blacklist, a count or a "
        "share of the customers the state knows (default 10%%); above it the run stops "
        "before sending anything (exit 2)",
    )
    parser.add_argument("--mapping", help='JSON file {"source column": "BREVO_NAME"}')
    parser.add_argument("--dry-run", action="store_true", help="print the plan, send nothing")
    parser.add_argument(
        "--verify", action="store_true", help="read back the touched contacts and compare"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="send every row again, whatever the state remembers (also: sync to an account "
        "the state was not made with)",
    )
    parser.add_argument(
        "--reconcile",
        action="store_true",
        help="read the whole program back from Brevo, compare it with the state and repair "
        "what differs",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the report as JSON (and no progress lines)"
    )
    parser.add_argument(
        "--failures",
        help="where to write failed and invalid rows, in FILE's format "
        "(default: FILE's name + .failures + its extension)",
    )
    parser.add_argument(
        "--consent-changes",
        metavar="CHANGES",
        help="write the customers whose email or SMS blacklist status changed in Brevo since "
        "the last run (they unsubscribed, bounced, re-subscribed) to CHANGES, in FILE's "
        "format: EMAIL, LOYALTY_ID, EMAIL_BLACKLISTED, SMS_BLACKLISTED (a sync never "
        "changes these itself)",
    )
    parser.add_argument(
        "--rate-limit",
        type=argument_type(parse_rate_limit),
        metavar="RATE",
        help="general, professional, enterprise, requests per second, or auto "
        "(default: $BREVO_RATE_LIMIT, else general = 10/s)",
    )
    parser.add_argument(
        "--history",
        metavar="STATE",
        help="list the past runs recorded in a state file (or a PostgreSQL state URL: the "
        "runs of --account, else of this key, and --program)",
    )
    parser.set_defaults(handler=run)


def _failures_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.failures{source.suffix or '.csv'}")


def run(args: argparse.Namespace) -> int:
    """Run the command; returns the exit code (errors are raised, see ``_cli_errors``)."""
    from .errors import BrevoError

    _check_account(args)
    if args.history:
        return _history(args)
    problem = _source_problem(args)
    if problem:
        raise CliError(problem)
    if args.on_missing != "keep" and args.mode != "mirror":
        raise CliError("--on-missing applies to --mode mirror only")
    if args.max_removals is not None and args.mode != "mirror":
        raise CliError("--max-removals applies to --mode mirror only")
    require_api_key()
    reports: list[SyncReport] = []
    try:
        with _sigterm_as_sigint():
            return _sync(args, reports)
    except BrevoError as exc:
        _stopped_json(args, reports, exc)
        message, code = describe(exc)
        if code in (EXIT_FAILED, EXIT_UNAVAILABLE):
            message += " (the next run resumes where this one stopped)"
        raise CliError(message, code) from exc
    except KeyboardInterrupt as exc:
        _stopped_json(args, reports, None)
        raise CliError(
            "interrupted: what Brevo confirmed is kept; the next run resumes where this one "
            "stopped",
            EXIT_INTERRUPTED,
        ) from exc


@contextlib.contextmanager
def _sigterm_as_sigint() -> Iterator[None]:
    """SIGTERM (a service manager, ``kill``) stops the run as Ctrl-C does."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stopped_json(
    args: argparse.Namespace, reports: list[SyncReport], exc: Exception | None
) -> None:
    """``--json``: a report even when the run stopped (what it did so far, and why)."""
    if not args.json:
        return
    reason = "interrupted" if exc is None else " ".join(str(exc).split())
    if reports:
        report = reports[0]
        report.status = "stopped"
        report.reason = report.reason or reason
        data = report.summary()
    else:
        data = {"status": "stopped", "reason": reason, "mode": args.mode, "dry_run": args.dry_run}
    data["file"] = getattr(args, "source_name", None) or args.file
    print(json.dumps(data, indent=2))


def _check_account(args: argparse.Namespace) -> None:
    """``--account`` names a scope of a PostgreSQL state; a state file holds one account."""
    from .sync._state_postgres import is_state_url

    if args.account is None:
        return
    if not args.account.strip() or not args.account.isprintable():
        raise CliError("--account: give the account's reference, e.g. merchant-42")
    if not is_state_url(args.history or args.state or ""):
        raise CliError(
            "--account names an account in a PostgreSQL state (--state postgresql://...); "
            "a state file holds one account"
        )


def _source_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the choice of source, or None (fills in the URL from the env)."""
    query_given = args.query is not None or args.query_file is not None
    if args.source_url is None and query_given and not args.file:
        args.source_url = os.environ.get(SOURCE_URL_ENV) or None
    if args.source_url is None:
        if query_given:
            return f"--query needs --source-url (or {SOURCE_URL_ENV})"
        return None if args.file else "give FILE, or --source-url and --query (or --history STATE)"
    if args.file:
        return "give FILE or --source-url, not both"
    if (args.query is None) == (args.query_file is None):
        return "--source-url needs --query SQL or --query-file FILE (one of them)"
    if not args.state:
        return "a database source has no file to keep the state beside: give --state"
    return None


def _open_source(args: argparse.Namespace) -> Source | SqlSource:
    from .errors import SourceError
    from .sync import Source, SqlSource, load_mapping

    mapping = load_mapping(args.mapping) if args.mapping else None
    if args.source_url is None:
        return Source(Path(args.file), mapping=mapping)
    query = args.query
    if args.query_file is not None:
        try:
            query = Path(args.query_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"query file {args.query_file}: {exc}") from None
    return SqlSource(args.source_url, query, mapping=mapping)


def _sync(args: argparse.Namespace, reports: list[SyncReport]) -> int:
    from .sync import SqlSource

    source = _open_source(args)
    args.source_name = source.name  # what reports call it (a database URL without password)
    try:
        if isinstance(source, SqlSource):
            # One snapshot for the run and the failures file read after it.
            with source.snapshot():
                return _sync_source(args, reports, source)
        return _sync_source(args, reports, source)
    finally:
        if isinstance(source, SqlSource):
            source.close()


#: The options that are ``sync_customers`` keywords of the same name (their ``dest``),
#: passed on as given.
_SYNC_KEYWORDS = (
    "program",
    "mode",
    "on_missing",
    "dry_run",
    "verify",
    "full",
    "reconcile",
    "lock_timeout",
)


def _sync_source(
    args: argparse.Namespace, reports: list[SyncReport], source: Source | SqlSource
) -> int:
    from . import TajoBrevo
    from ._cli_progress import progress_view

    kwargs: dict[str, Any] = {}
    if args.rate_limit is not None:
        kwargs["rate_limit"] = args.rate_limit
    view = progress_view(json=args.json, dry_run=args.dry_run)
    options = {name: getattr(args, name) for name in _SYNC_KEYWORDS}
    if args.max_removals is not None:
        options["max_removals"] = args.max_removals
    try:
        with TajoBrevo(**kwargs) as brevo, _state(args) as state:
            report = brevo.sync_customers(
                source, state=state, progress=view, on_report=reports.append, **options
            )
    except BaseException:
        view.close(ok=False)  # the phase's line says the run stopped there
        raise
    view.close()
    failures = _write_failures(args, source, report)
    if args.consent_changes:
        source.write_table(
            args.consent_changes,
            ["EMAIL", "LOYALTY_ID", "EMAIL_BLACKLISTED", "SMS_BLACKLISTED"],
            (
                [c["email"], c["loyalty_id"], c["email_blacklisted"], c["sms_blacklisted"]]
                for c in report.consent_changes
            ),
        )
    if args.json:
        data = report.summary()
        data["rows"] = max(report.rows, view.rows_read)  # a dry run records no outcomes
        data["file"] = source.name
        data["failures_file"] = str(failures) if failures else None
        data["consent_changes"] = report.consent_changes
        data["problems"] = [
            {
                "row": o.index,
                "line": o.line,
                "email": o.email,
                "status": o.status,
                "reason": o.reason,
            }
            for o in report.problems
        ]
        print(json.dumps(data, indent=2))
    else:
        _print(source.name, report, failures, view)
    code: int = report.exit_code
    return code


def _write_failures(
    args: argparse.Namespace, source: Source | SqlSource, report: SyncReport
) -> Path | None:
    """Every invalid or failed row, as it was read (unparsable lines included)."""
    from .sync._state_postgres import is_state_url

    wanted = {o.index for o in report.problems if o.status in ("invalid", "failed")}
    if args.failures:
        target = Path(args.failures)
    elif args.source_url is not None:
        # A database: beside the state file (a state in PostgreSQL: here).
        state = "tajo-brevo" if is_state_url(args.state) else args.state
        target = Path(f"{state}.failures.csv")
    else:
        target = _failures_path(Path(args.file))
    if not wanted or args.dry_run:
        return None
    source.write_failures(target, (raw for raw in source.rows() if raw.index in wanted))
    return target


def _print(path: str, report: SyncReport, failures: Path | None, view: ProgressView) -> None:
    head = "dry run (nothing sent)" if report.dry_run else f"run {report.run_id}"
    # A dry run counts no outcomes: the rows read are those its progress saw.
    rows = max(report.rows, view.rows_read)
    print(f"{path}: {rows} rows in {report.duration:.1f} s, mode {report.mode}, {head}")
    counts = ", ".join(f"{name} {report.counts[name]}" for name in _ORDER if report.counts[name])
    print(f"  rows: {counts or ('none (planned only)' if report.dry_run else 'none')}")
    if report.counts["applied"]:
        print(f"  ({APPLIED_MEANS})")
    plan = report.plan
    print(
        f"  sent: {plan['rows_to_send']} rows in {plan['import_chunks']} import(s) and "
        f"{plan['upserts']} upsert(s); {plan['unlink_requests']} unlink request(s)"
        + (f"; {plan['email_changes']} email change(s)" if plan["email_changes"] else "")
        + (" (planned)" if report.dry_run else "")
    )
    if report.requests:
        summary = report.summary()
        ops = ", ".join(f"{op} {n}" for op, n in sorted(report.requests.items()))
        print(f"  requests: {sum(report.requests.values())} ({summary['writes']} writes): {ops}")
    if report.missing:
        print(
            "  missing from the file: " + ", ".join(f"{k} {v}" for k, v in report.missing.items())
        )
    if report.consent_changes:
        email_bl = sum(1 for c in report.consent_changes if c["email_blacklisted"])
        print(
            f"  consent changed in Brevo since the last run: {len(report.consent_changes)} "
            f"customer(s), {email_bl} now email-blacklisted (left as Brevo has them)"
        )
    if report.recovered:
        print(
            "  from an interrupted run: "
            + ", ".join(f"{k} {v}" for k, v in sorted(report.recovered.items()))
        )
    if report.drift:
        found = ", ".join(f"{k} {v}" for k, v in sorted(report.drift.items()))
        fixed = ", ".join(f"{k} {v}" for k, v in sorted(report.repaired.items()))
        print(f"  drift in Brevo: found {found}; repaired {fixed or 'none'}")
    for label, rows in sorted(report.columns.items()):
        print(f"  {label}: {rows} rows")
    if report.verify is not None:
        print(f"  verify: {report.verify['checked']} checked, {report.verify['mismatches']} differ")
        for example in report.verify.get("examples") or []:
            print(f"    {example['email']}: {example['problem']}")
    for outcome in report.problems[:10]:
        where = f"line {outcome.line}" if outcome.line is not None else f"row {outcome.index}"
        print(f"  {where} {outcome.email or '?'}: {outcome.status}: {outcome.reason}")
    if len(report.problems) > 10:
        print(f"  ... {len(report.problems) - 10} more")
    if failures is not None:
        print(
            f"  failures written to {failures} (fix the rows in the source; failed rows are "
            "retried by the next run; this file is not a whole source for --mode mirror)"
        )


@contextlib.contextmanager
def _state(args: argparse.Namespace) -> Iterator[str | SyncState | None]:
    """What ``sync_customers`` is given as its state: ``--state``, or with ``--account``
    that account's scope of the PostgreSQL state, opened (and locked) here."""
    from .sync import SyncState

    if args.account is None:
        yield args.state
        return
    with SyncState(
        args.state, account=args.account, program=args.program, lock_timeout=args.lock_timeout
    ) as state:
        yield state


def _history(args: argparse.Namespace) -> int:
    from ._config import ENV_API_KEY
    from .sync import SyncState
    from .sync._seam import key_id
    from .sync._sql import hide_secrets, url_secrets
    from .sync._state_postgres import is_state_url

    account = args.account
    if is_state_url(args.history):
        if account is None:
            # A database of many accounts: the runs of this key's account and program.
            require_api_key()
            account = key_id(os.environ[ENV_API_KEY])
    elif not Path(args.history).is_file():
        # Not a state URL: a mistyped one must not show its password either.
        shown = hide_secrets(args.history, url_secrets(args.history))
        raise CliError(f"{shown}: no such state file")
    with SyncState(args.history, read_only=True, account=account, program=args.program) as state:
        runs = state.history()
        name = state.path  # a URL without its password
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "run": r.id,
                        "started": r.started,
                        "finished": r.finished,
                        "source": r.source,
                        "mode": r.mode,
                        **dict(r.summary),
                        # The run's status in the history (interrupted, aborted...), not
                        # the report's own (a killed run never wrote one).
                        "status": r.status,
                    }
                    for r in runs
                ],
                indent=2,
            )
        )
        return 0
    if not runs:
        print(f"{name}: no runs yet")
        return 0
    print(
        f"{'run':>4}  {'started':<25} {'status':<11} {'mode':<7} {'rows':>8} {'writes':>7}  counts"
    )
    for r in runs:
        counts = ", ".join(f"{k} {v}" for k, v in (r.summary.get("counts") or {}).items())
        print(
            f"{r.id:>4}  {r.started:<25} {r.status:<11} {r.mode:<7} "
            f"{r.summary.get('rows', ''):>8} {r.summary.get('writes', ''):>7}  {counts}"
        )
    return 0

"""How every ``tajo-brevo`` command fails: one table of exit codes, one line on stderr.

Every command (``sync``, ``mock``, ``demo``, ``contract``, ``spec ...``) ends with a code
from :data:`EXIT_CODES` and, when it fails, exactly one line on stderr::

    tajo-brevo <command>: <what happened and what to do>

A handler either returns its code (0, or 1 when rows or checks failed) or raises: a
:class:`CliError` carries its own message and code, and any other exception is turned
into a line and a code by :func:`describe` (the library's errors, ``OSError``, and a bug
in tajo-brevo, which alone asks for ``--verbose``). Parsing errors go through
:class:`CliParser`, which names the subcommand and its own usage; the argument types that
refuse a bad value in one line (:func:`bounded`, :func:`seconds`) and the options several
commands share (:func:`add_program_option`) are here, so each is said once.

``75`` is ``EX_TEMPFAIL`` from BSD's ``sysexits.h``: "a temporary failure, the user is
invited to retry", the code mail transfer agents use to mean "queue it and try later". A
scheduler can retry on 75 alone and page a person on 1 or 2, which need a fix.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

EXIT_OK = 0
#: The run finished, and rows or checks failed (see the report); a re-run retries them.
EXIT_FAILED = 1
#: Usage or configuration: a wrong flag, a missing key, a refused key, a base URL that
#: is not Brevo's API, an unreadable file. Nothing is sent (or nothing more): fix and re-run.
EXIT_USAGE = 2
#: EX_SOFTWARE: a bug in tajo-brevo, not in the input or the target.
EXIT_INTERNAL = 70
#: EX_TEMPFAIL: Brevo unreachable (connection refused, timeouts) or refusing (5xx, 429)
#: after the client's retries. Try again later; a sync resumes where it stopped.
EXIT_UNAVAILABLE = 75
#: Ctrl-C, as shells report SIGINT.
EXIT_INTERRUPTED = 130

#: The table the docs and ``tajo-brevo --help`` print: (code, meaning).
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "done: every row synced or unchanged, every check passed"),
    (EXIT_FAILED, "finished, but rows or checks failed (the report says which)"),
    (EXIT_USAGE, "usage or configuration error: fix the command, the key or the URL"),
    (EXIT_INTERNAL, "a bug in tajo-brevo: re-run with --verbose and report the traceback"),
    (EXIT_UNAVAILABLE, "Brevo unreachable or refusing after retries: try again later"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
)

PROG = "tajo-brevo"
_BREVO_ROOT = "https://api.brevo.com/v3"


class CliError(Exception):
    """A failure a command knows how to say: ``message`` (one line) and exit ``code``."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(text.split())


def print_error(prog: str, message: str) -> None:
    """Write ``<prog>: <message>`` as one line on stderr."""
    print(f"{prog}: {one_line(message)}", file=sys.stderr, flush=True)


def require_api_key() -> None:
    """Refuse to start without ``$BREVO_API_KEY``, saying where a key comes from."""
    import os

    from ._config import ENV_API_KEY

    if not os.environ.get(ENV_API_KEY, "").strip():
        raise CliError(
            f"no Brevo API key: set {ENV_API_KEY} (create one in Brevo under SMTP & API > API Keys)"
        )


def no_errno(text: str) -> str:
    """``[Errno 2] No such file`` without the errno: ``No such file``."""
    return re.sub(r"\[Errno -?\d+\]\s*", "", text)


def exit_codes_text() -> str:
    """The exit-code table as indented lines (``--help`` epilogs)."""
    return "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES)


def _base_of(exc: Any) -> str | None:
    """The base URL a failed request was sent to (its URL minus the operation's path)."""
    request = getattr(exc, "request", None)
    if request is None:
        return None
    url = request.url.copy_with(query=None, fragment=None)
    text = str(url)
    path = getattr(exc, "path", "") or ""
    if path and text.endswith(path):
        text = text[: -len(path)]
    return text.rstrip("/")


def _cause_text(exc: BaseException) -> str:
    """Why a connection failed, without Python's names: ``connection refused``."""
    cause = exc.__cause__ or exc.__context__
    text = str(cause) if cause is not None else str(exc)
    text = no_errno(text)
    if not text.strip() and cause is not None:
        text = "timed out" if "Timeout" in type(cause).__name__ else "no answer"
    return one_line(text).rstrip(".").lower() or "no answer"


def not_brevo(base: str | None, what: str) -> str:
    """The message for a base URL that does not answer like Brevo's API."""
    where = base or "the base URL"
    hint = ""
    if base and not base.rstrip("/").endswith("/v3"):
        hint = f" (did you mean {base.rstrip('/')}/v3?)"
    return (
        f"{where} does not answer like Brevo's API ({what}): the base URL is the API root, "
        f"ending in /v3, e.g. {_BREVO_ROOT}{hint}"
    )


def describe(exc: BaseException) -> tuple[str, int]:
    """The one-line message and the exit code for an exception a command raised."""
    from .errors import (
        APIConnectionError,
        APIError,
        AuthenticationError,
        BrevoError,
        ConfigurationError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        RemovalLimitError,
        ServerError,
        SourceError,
        SourceUnavailableError,
        StateError,
        StateUnavailableError,
        ValidationError,
    )

    if isinstance(exc, CliError):
        return one_line(exc.message), exc.code
    if isinstance(exc, SourceUnavailableError | StateUnavailableError):  # try again later
        return one_line(no_errno(str(exc))), EXIT_UNAVAILABLE
    if isinstance(
        exc, (ConfigurationError, ValidationError, SourceError, StateError, RemovalLimitError)
    ):
        return one_line(no_errno(str(exc))), EXIT_USAGE
    if isinstance(exc, AuthenticationError):
        return (
            f"Brevo refused the API key ({exc.status_code} {exc.message or exc.code or ''}): "
            "check BREVO_API_KEY (Brevo: SMTP & API > API Keys)",
            EXIT_USAGE,
        )
    if isinstance(exc, PermissionDeniedError):
        return (
            f"Brevo refused the request ({exc.status_code} {exc.message or exc.code or ''}): "
            "the key may not do this, or this machine's IP address is not authorised "
            "(Brevo: Security > Authorised IPs)",
            EXIT_USAGE,
        )
    if isinstance(exc, NotFoundError) and exc.code != "document_not_found":
        # Brevo answers a missing contact, list or attribute with document_not_found; any
        # other 404 means the route itself is unknown: the base URL is not Brevo's API.
        return (
            not_brevo(_base_of(exc), f"{exc.method} {exc.path} -> 404"),
            EXIT_USAGE,
        )
    if isinstance(exc, APIConnectionError):
        where = _base_of(exc) or "Brevo"
        return (
            f"Brevo unreachable at {where} ({exc.method} {exc.path}: {_cause_text(exc)}) "
            "after retries: try again later",
            EXIT_UNAVAILABLE,
        )
    if isinstance(exc, (ServerError, RateLimitError)):
        return (
            f"Brevo is refusing requests ({exc}) after retries: try again later",
            EXIT_UNAVAILABLE,
        )
    if isinstance(exc, APIError):
        return f"Brevo refused a request: {one_line(str(exc))}", EXIT_FAILED
    if isinstance(exc, BrevoError):
        return one_line(str(exc)), EXIT_FAILED
    if isinstance(exc, OSError):
        text = exc.strerror or str(exc)
        name = f"{exc.filename}: " if exc.filename else ""
        return f"{name}{one_line(text)}", EXIT_USAGE
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is a core dependency
        httpx = None  # type: ignore[assignment]
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return f"Brevo unreachable: {_cause_text(exc)}: try again later", EXIT_UNAVAILABLE
    return (
        f"unexpected {type(exc).__name__}: {one_line(str(exc))} "
        "(a bug in tajo-brevo: re-run with --verbose and report the traceback)",
        EXIT_INTERNAL,
    )


def short_usage(parser: argparse.ArgumentParser) -> str:
    """``tajo-brevo sync [options] [FILE]``: a parser's usage on one short line."""
    parts = [parser.prog]
    if any(action.option_strings for action in parser._actions):
        parts.append("[options]")
    for action in parser._actions:
        if action.option_strings:
            continue
        if isinstance(action, argparse._SubParsersAction):
            parts.append(f"{action.metavar or 'COMMAND'} ...")
            continue
        name = str(action.metavar or action.dest.upper())
        if action.nargs == "?":
            parts.append(f"[{name}]")
        elif action.nargs == "*":
            parts.append(f"[{name} ...]")
        elif action.nargs == "+":
            parts.append(f"{name} [{name} ...]")
        else:
            parts.append(name)
    return " ".join(parts)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with every default stated and multi-line texts kept as written.

    A default is appended as ``(default: X)`` unless the help already says "default" or
    there is nothing to say (no value, a flag that is off). A description or epilog
    with line breaks (examples) keeps them; a one-paragraph text is wrapped.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or not action.option_strings
            or default is None
            or default is False
            or default == []
            or default is argparse.SUPPRESS
        ):
            return text
        return f"{text} (default: %(default)s)"

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text.strip("\n"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class CliParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line naming the (sub)command, exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        print_error(
            self.prog,
            f"{message} (usage: {short_usage(self)}; more: {self.prog} --help)",
        )
        raise SystemExit(EXIT_USAGE)


def argument_type(parse: Any) -> Any:
    """An argparse ``type=`` from a parser that raises ``ValueError`` (or a BrevoError)."""
    from .errors import BrevoError

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except (ValueError, BrevoError) as exc:
            raise argparse.ArgumentTypeError(one_line(str(exc))) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


N = TypeVar("N", int, float)


def bounded(
    cast: Callable[[str], N], *, bad: str, ok: Callable[[N], bool], problem: str
) -> Callable[[str], N]:
    """An argparse ``type``: ``cast(text)``, refused unless ``ok(value)``.

    Args:
        cast: ``int`` or ``float``.
        bad: the message when ``cast`` fails; ``{text!r}`` is replaced by the argument.
        ok: whether the value is in range (NaN must fail it).
        problem: the message when it is not.
    """

    def parse(text: str) -> N:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(bad.format(text=text)) from None
        if not ok(value):
            raise argparse.ArgumentTypeError(problem)
        return value

    return parse


def seconds(what: str, *, example: str) -> Callable[[str], float]:
    """An argparse ``type``: a finite number of seconds, 0 or more.

    Args:
        what: the option's subject in its error, e.g. ``"the lock timeout"``.
        example: a typical value, shown with ``0.5`` when the text is not a number.
    """
    return bounded(
        float,
        bad=f"{{text!r}}: give seconds, e.g. {example} or 0.5",
        ok=lambda v: 0 <= v < float("inf"),
        problem=f"{what} is 0 seconds or more",
    )


def add_program_option(parser: argparse.ArgumentParser, default: str) -> None:
    """``--program``, the loyalty program (a Brevo folder and its lists), as every
    command that takes one says it."""
    parser.add_argument("--program", default=default, help="program (folder) name")

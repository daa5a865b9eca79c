"""pytest plugin (entry point ``pytest11``): test a service against the Brevo mock.

Installed with ``tajo-brevo[mock]``; no conftest needed. Every fixture is per test, so
tests never share a mock, a port or an environment (pytest-xdist runs them anywhere):

- ``brevo_mock``: a fresh :class:`tajo_brevo.mock.BrevoMock`;
- ``tajo_brevo`` / ``async_tajo_brevo``: a ``TajoBrevo`` / ``AsyncTajoBrevo`` wired to that
  mock in-process, paced to the mock's own rate limit (none unless the test asks) and
  never sleeping for real: its waits move a clock it shares with the mock instead;
- ``brevo_env``: the mock served on 127.0.0.1 (a free port) with ``BREVO_API_KEY`` and
  ``BREVO_BASE_URL`` set for the test, so code that builds ``TajoBrevo()`` from the
  environment talks to it unchanged;
- ``brevo_program``: the :class:`~tajo_brevo.ProvisionResult` of the marker's program.

The marker ``@pytest.mark.brevo(program=..., contacts=[...], rate_limit=..., faults=[...],
seed=0, accounts=[...])`` starts the mock provisioned and seeded, then switches its rate
limit and faults on (seeding is never limited nor faulted, and is not in
``brevo_mock.calls()``). ``accounts`` serves one account per key (the first one is the
mock's own, the one the fixture clients, the program and the contacts use; reach the
others with ``brevo_mock.account(key)``), each with its own rate-limit budget.

The entry point exists whatever extras are installed, so this module imports neither the
mock nor the client at start-up: pytest keeps working, and starts as fast, where the
``mock`` extra is missing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import heapq
import threading
import time
from collections.abc import Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    import httpx

    from tajo_brevo import AsyncTajoBrevo, LoyaltyProfile, ProvisionResult, TajoBrevo
    from tajo_brevo.mock import BrevoMock, Fault

MARKER = "brevo"
_MARKER_HELP = (
    "brevo(program=None, contacts=(), rate_limit=None, faults=(), seed=0, accounts=()): start "
    "the test's Brevo mock provisioned for `program`, with `contacts` (emails, createContact "
    "bodies or LoyaltyProfile objects), then switch on its `rate_limit` and `faults`; "
    "`accounts`: one account per API key, the first being the mock's own (tajo-brevo)"
)
#: Where the in-process clients send. Any host reaches the in-process transport; a
#: loopback one passes the client's plain-http check and says nothing leaves the process.
IN_PROCESS_URL = "http://localhost/v3"

_PROGRAM_KEY = pytest.StashKey["ProvisionResult | None"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)


# -------------------------------------------------------------------------- options


@dataclass(frozen=True)
class _Options:
    program: str | None = None
    contacts: tuple[str | Mapping[str, Any] | LoyaltyProfile, ...] = ()
    rate_limit: int | None = None
    faults: tuple[Fault, ...] = ()
    seed: int = 0
    accounts: tuple[str, ...] = ()


def _options(node: pytest.Item | pytest.Collector) -> _Options:
    """The closest ``brevo`` marker's options, checked before anything is started."""
    from tajo_brevo.mock import Fault
    from tajo_brevo.mock._inspection import resolve_rate_limit

    marker = node.get_closest_marker(MARKER)
    if marker is None:
        return _Options()
    where = f"@pytest.mark.{MARKER} on {node.nodeid}"
    if marker.args:
        raise TypeError(f"{where}: give options by name, e.g. {MARKER}(program='Shop')")
    known = {"program", "contacts", "rate_limit", "faults", "seed", "accounts"}
    unknown = sorted(set(marker.kwargs) - known)
    if unknown:
        raise TypeError(f"{where}: unknown option(s) {unknown}; known: {sorted(known)}")
    kw = marker.kwargs
    program = kw.get("program")
    if program is not None and (not isinstance(program, str) or not program.strip()):
        raise TypeError(f"{where}: program must be a non-empty name, not {program!r}")
    contacts = kw.get("contacts", ())
    if isinstance(contacts, (str, Mapping)):
        contacts = (contacts,)
    faults = kw.get("faults", ())
    if isinstance(faults, (str, Fault)):
        faults = (faults,)
    try:
        rate_limit = resolve_rate_limit(kw.get("rate_limit"))
        rules = tuple(f if isinstance(f, Fault) else Fault.parse(f) for f in faults)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    seed = kw.get("seed", 0)
    if not isinstance(seed, int):
        raise TypeError(f"{where}: seed must be an int, not {seed!r}")
    accounts = kw.get("accounts", ())
    if isinstance(accounts, str):
        accounts = (accounts,)
    if not all(isinstance(key, str) and key for key in accounts):
        raise TypeError(f"{where}: accounts must be API keys (non-empty strings)")
    if len(set(accounts)) != len(accounts):
        raise TypeError(f"{where}: accounts must be distinct keys (one account per key)")
    return _Options(
        program=program,
        contacts=tuple(contacts),
        rate_limit=rate_limit,
        faults=rules,
        seed=seed,
        accounts=tuple(accounts),
    )


# -------------------------------------------------------------------------- wiring


class _SkippingClock:
    """Real monotonic time plus every wait the fixture clients skipped.

    The mock's rate limiter and the fixture clients' pacing read this clock, and the
    clients "sleep" by moving it forward: pacing, 429 waits and retry backoffs keep their
    order and spacing as the mock sees them, but the test does not wait.

    Concurrent sleepers (tasks of the async client, threads of a sync one) wake in the
    order of their deadlines, each moving the clock to its own deadline: adding up their
    waits, or letting a later deadline jump the clock before an earlier sleeper has sent,
    would show the mock requests bunched in one window that the client had spread out.
    """

    #: Bound on the turns a sleeper waits for earlier deadlines (never reached in practice).
    _MAX_TURNS = 100_000

    def __init__(self) -> None:
        self._skipped = 0.0
        self._pending: list[tuple[float, int]] = []
        self._ticket = 0
        self._turn = threading.Condition()

    def monotonic(self) -> float:
        return time.monotonic() + self._skipped

    def _enter(self, seconds: float) -> tuple[float, int]:
        with self._turn:
            self._ticket += 1
            entry = (self.monotonic() + max(0.0, seconds), self._ticket)
            heapq.heappush(self._pending, entry)
            return entry

    def _first(self, entry: tuple[float, int]) -> bool:
        return self._pending[0] == entry

    def _leave(self, entry: tuple[float, int]) -> None:
        with self._turn:
            self._pending.remove(entry)
            heapq.heapify(self._pending)
            self._skipped = max(self._skipped, entry[0] - time.monotonic())
            self._turn.notify_all()

    def sleep(self, seconds: float) -> None:
        entry = self._enter(seconds)
        with self._turn:
            # Bounded: a thread whose turn never comes (a bug) wakes after 5 s anyway.
            self._turn.wait_for(lambda: self._first(entry), timeout=5.0)
        self._leave(entry)

    async def async_sleep(self, seconds: float) -> None:
        entry = self._enter(seconds)
        # A real sleep would let other tasks run; so does this, until this deadline is next.
        for _ in range(self._MAX_TURNS):
            await asyncio.sleep(0)
            with self._turn:
                if self._first(entry):
                    break
        self._leave(entry)


def _client_rate_limit(mock: BrevoMock) -> float | Literal["auto"]:
    """The pacing of the fixture clients: the mock's own rate limit, or none without one.

    Without a limit the client follows only the mock's x-sib-ratelimit headers ("auto"),
    which never make it wait.
    """
    return "auto" if mock.rate_limit is None else float(mock.rate_limit)


def _on_mock(mock: BrevoMock, clock: _SkippingClock) -> dict[str, Any]:
    """What both fixture clients are given: the mock's key, the in-process URL, its pacing
    and the skipping clock."""
    return {
        "api_key": mock.api_key,
        "base_url": IN_PROCESS_URL,
        "rate_limit": _client_rate_limit(mock),
        "clock": clock.monotonic,
    }


def _import_mock() -> type[BrevoMock]:
    try:
        from tajo_brevo.mock import BrevoMock
    except ImportError as exc:
        raise RuntimeError(
            f"the tajo-brevo fixtures need the mock extra: pip install 'tajo-brevo[mock]' ({exc})"
        ) from exc
    return BrevoMock


def _sync_client(mock: BrevoMock, clock: _SkippingClock) -> tuple[TajoBrevo, httpx.Client]:
    import httpx

    from tajo_brevo import TajoBrevo

    http = httpx.Client(transport=mock.transport())
    client = TajoBrevo(http_client=http, sleep=clock.sleep, **_on_mock(mock, clock))
    return client, http


def _run_to_end(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine from sync code on a private event loop (in a thread if one runs here).

    Not ``asyncio.run``: that would also reset the thread's current event loop, which
    pytest-asyncio or the test's own fixtures may still be using.
    """

    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(coro)
        finally:
            loop.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        run()
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def _seed(mock: BrevoMock, clock: _SkippingClock, options: _Options) -> ProvisionResult | None:
    """Provision the program and create the contacts, through the mock's API."""
    from tajo_brevo import LoyaltyProfile

    if options.program is None and not options.contacts:
        return None
    client, http = _sync_client(mock, clock)
    raw = mock.client()
    try:
        program = client.provision(options.program) if options.program is not None else None
        for contact in options.contacts:
            if isinstance(contact, LoyaltyProfile):
                if program is None:
                    raise ValueError(
                        f"@pytest.mark.{MARKER}: a LoyaltyProfile contact needs program=..."
                    )
                client.upsert_customer(contact)
                continue
            body = {"email": contact} if isinstance(contact, str) else dict(contact)
            answer = raw.post("/contacts", json=body)
            if answer.status_code not in (201, 204):
                raise ValueError(
                    f"@pytest.mark.{MARKER}: the mock refused contact {body!r}: "
                    f"{answer.status_code} {answer.text}"
                )
    finally:
        client.close()
        http.close()
        raw.close()
    return program


# -------------------------------------------------------------------------- fixtures


@pytest.fixture
def _brevo_clock() -> _SkippingClock:
    return _SkippingClock()


@pytest.fixture
def brevo_mock(request: pytest.FixtureRequest, _brevo_clock: _SkippingClock) -> BrevoMock:
    """A fresh :class:`tajo_brevo.mock.BrevoMock` for one test, as the marker says.

    Assert with ``contact()``, ``emails_in_list()`` and ``calls()``; plug it in with
    ``transport()``, ``client()`` or ``serve()``.
    """
    brevo_mock_class = _import_mock()
    options = _options(request.node)
    mock = brevo_mock_class(clock=_brevo_clock.monotonic, accounts=options.accounts)
    request.node.stash[_PROGRAM_KEY] = _seed(mock, _brevo_clock, options)
    mock.set_rate_limit(options.rate_limit)
    try:
        mock.set_faults(options.faults, seed=options.seed)
    except ValueError as exc:  # e.g. an operation the spec does not have
        raise ValueError(f"@pytest.mark.{MARKER} on {request.node.nodeid}: {exc}") from None
    mock.clear_requests()
    return mock


@pytest.fixture
def brevo_program(request: pytest.FixtureRequest, brevo_mock: BrevoMock) -> ProvisionResult:
    """What ``@pytest.mark.brevo(program=...)`` provisioned: folder and list ids."""
    program: ProvisionResult | None = request.node.stash.get(_PROGRAM_KEY, None)
    if program is None:
        raise TypeError(
            f"the brevo_program fixture needs @pytest.mark.{MARKER}(program='...') on the test"
        )
    return program


@pytest.fixture
def tajo_brevo(brevo_mock: BrevoMock, _brevo_clock: _SkippingClock) -> Iterator[TajoBrevo]:
    """A ``TajoBrevo`` on ``brevo_mock`` in-process, paced to the mock's limit, no real sleeps."""
    client, http = _sync_client(brevo_mock, _brevo_clock)
    try:
        yield client
    finally:
        client.close()
        http.close()


@pytest.fixture
def async_tajo_brevo(
    brevo_mock: BrevoMock, _brevo_clock: _SkippingClock
) -> Iterator[AsyncTajoBrevo]:
    """An ``AsyncTajoBrevo`` on ``brevo_mock`` in-process (use it from an async test).

    A plain fixture, so it works under pytest-asyncio and anyio alike: nothing in it is
    tied to an event loop until the test awaits it.
    """
    import httpx

    from tajo_brevo import AsyncTajoBrevo

    http = httpx.AsyncClient(transport=brevo_mock.async_transport())
    client = AsyncTajoBrevo(
        http_client=http,
        sleep=_brevo_clock.async_sleep,
        **_on_mock(brevo_mock, _brevo_clock),
    )
    try:
        yield client
    finally:
        _run_to_end(client.aclose())
        _run_to_end(http.aclose())


@dataclass(frozen=True)
class BrevoEnv:
    """What ``brevo_env`` set up: the loopback mock the environment points to.

    Attributes:
        base_url: ``http://127.0.0.1:PORT/v3`` (also in ``$BREVO_BASE_URL``).
        api_key: the mock's key (also in ``$BREVO_API_KEY``).
        mock: the :class:`~tajo_brevo.mock.BrevoMock` served (the ``brevo_mock`` fixture).
    """

    base_url: str
    api_key: str = field(repr=False)
    mock: BrevoMock = field(repr=False)


@pytest.fixture
def brevo_env(brevo_mock: BrevoMock, monkeypatch: pytest.MonkeyPatch) -> Iterator[BrevoEnv]:
    """Serve ``brevo_mock`` on 127.0.0.1 and point ``BREVO_*`` at it for one test.

    Code that builds ``TajoBrevo()`` (or reads the variables) during the test talks to the
    mock; ``BREVO_RATE_LIMIT`` follows the mock's own limit (``auto`` without one), so such
    a client does not pace itself to production's 10 requests/s. The server stops and the
    variables are restored afterwards.
    """
    with brevo_mock.serve() as server:
        monkeypatch.setenv("BREVO_API_KEY", brevo_mock.api_key)
        monkeypatch.setenv("BREVO_BASE_URL", server.base_url)
        monkeypatch.setenv("BREVO_RATE_LIMIT", str(_client_rate_limit(brevo_mock)))
        yield BrevoEnv(base_url=server.base_url, api_key=brevo_mock.api_key, mock=brevo_mock)


__all__ = [
    "IN_PROCESS_URL",
    "MARKER",
    "BrevoEnv",
    "async_tajo_brevo",
    "brevo_env",
    "brevo_mock",
    "brevo_program",
    "tajo_brevo",
]

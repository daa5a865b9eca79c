"""``TajoBrevo`` and ``AsyncTajoBrevo``: the same methods, blocking or awaitable.

Both are thin: configuration and the HTTP stack are built by :class:`_Base`, the logic
lives in ``_plans`` (sans-IO generators) and runs on the one plan driver
(``_plans.driving``: blocking here, awaiting there), the generated client is called only
by ``_adapter``, and pacing and retries happen in ``_transport``. What the twins would
otherwise both spell out is a private function of this module that both call, so a twin
holds its signature, its docstring and the ``await`` edge.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import os
import random
import tempfile
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar

import httpx
from brevo_contacts import AuthenticatedClient

from . import _adapter as calls
from . import _plans as plans
from ._config import PlanRate, resolve_config
from ._pacing import Pacer, RequestStats, RetryPolicy, Stats
from ._plans.account import cached_provisioning
from ._transport import (
    AsyncPacedTransport,
    PacedTransport,
    PacingAndRetries,
    UnownedTransport,
)
from .errors import APIConnectionError, ConfigurationError
from .profile import LoyaltyProfile
from .results import (
    AttributeInfo,
    BatchResult,
    Contact,
    ContactListInfo,
    ExportedContact,
    FolderInfo,
    MembershipResult,
    ProvisionResult,
    UpsertResult,
)
from .sync._context import DEFAULT_IMPORT_THRESHOLD
from .sync._csv import DEFAULT_MAX_IMPORT_BYTES
from .sync._progress import ProgressCallback, SyncProgress
from .sync._seam import (
    ClientSeam,
    download_report,
    download_report_async,
    key_id,
)
from .tiers import DEFAULT_TIER_POLICY, TierPolicy

if TYPE_CHECKING:
    from .sync._api import SyncSource
    from .sync._report import SyncReport
    from .sync._state import SyncState

__all__ = ["AsyncTajoBrevo", "TajoBrevo"]

_Driver = TypeVar("_Driver", plans.BlockingDriver, plans.AsyncDriver)

_HttpClient = TypeVar("_HttpClient")
_Transport = TypeVar("_Transport")


def _count_progress(progress: Callable[[int], None] | None) -> ProgressCallback | None:
    """``upsert_customers``' progress (rows just finished) from the engine's events."""
    if progress is None:
        return None
    seen = [0]

    def report(event: SyncProgress) -> None:
        if event.phase != "reading" or event.done <= seen[0]:
            return
        progress(event.done - seen[0])
        seen[0] = event.done

    return report


def _batch_settings(
    account: plans.AccountCache,
    rows: object,
    provisioning: ProvisionResult | None,
    import_threshold: int,
    max_import_bytes: int,
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    """What ``upsert_customers`` hands the sync (a throwaway state, every outcome kept),
    its arguments checked first.

    Raises:
        ValidationError: a bad argument; nothing is sent.
        ConfigurationError: no provisioning known.
    """
    from .sync._api import check_batch_arguments

    check_batch_arguments(rows, import_threshold, max_import_bytes, progress)
    prov = cached_provisioning(account, provisioning)
    return {
        "state": None,
        "program": prov.program,
        "policy": prov.policy,
        "provisioning": prov,
        "keep_outcomes": True,
        "import_threshold": import_threshold,
        "max_import_bytes": max_import_bytes,
        "progress": _count_progress(progress),
    }


def _check_sync_arguments(program: object, policy: object, dry_run: object, verify: object) -> None:
    """What ``sync_customers`` checks itself before the sync starts (the sync checks the rest)."""
    plans.check_program(program, policy)
    plans.check_bool("dry_run", dry_run)
    plans.check_bool("verify", verify)


def _chosen_transport(
    http_client: _HttpClient | None,
    transport: _Transport | None,
    forward: Callable[[_HttpClient], _Transport],
    default: Callable[[], _Transport],
) -> _Transport:
    """What a client sends through: the caller's client or transport, else httpx's own.

    Raises:
        ConfigurationError: both were given.
    """
    if http_client is None:
        return transport if transport is not None else default()
    if transport is not None:
        raise ConfigurationError("pass http_client or transport, not both")
    return forward(http_client)


@contextlib.contextmanager
def _temporary_csv() -> Iterator[tuple[Callable[[str], object], Path]]:
    """A CSV file to write an export into (its writer and path), removed if writing fails."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".csv", delete=False) as out:
        try:
            yield out.write, Path(out.name)
        except BaseException:
            Path(out.name).unlink(missing_ok=True)
            raise


def _file_failure(shown: str, what: str) -> APIConnectionError:
    """An export file that could not be fetched (``shown``: its URL, checked)."""
    return APIConnectionError(f"export file: {what}", method="GET", path=shown)


_USER_AGENT = "tajo-brevo/0.1.0"
DEFAULT_PROGRAM = "Tajo Loyalty"


class _Base:
    """Configuration, pacing, retry policy, stats and account state shared by both clients."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: float | None,
        max_retries: int | None,
        rate_limit: float | PlanRate | Literal["auto"] | None,
        max_rate_limit_wait: float | None,
        clock: Callable[[], float] | None,
        jitter: Callable[[], float] | None,
    ) -> None:
        self._config = resolve_config(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit=rate_limit,
            max_rate_limit_wait=max_rate_limit_wait,
        )
        self._stats = Stats()
        self._core = PacingAndRetries(
            pacer=Pacer(self._config.rate_limit, clock or time.monotonic),
            policy=RetryPolicy(
                max_retries=self._config.max_retries,
                max_rate_limit_wait=self._config.max_rate_limit_wait,
                jitter=jitter or random.random,
            ),
            stats=self._stats,
            base_path=httpx.URL(self._config.base_url).path,
        )
        self._account = plans.AccountCache()
        self._generated: AuthenticatedClient | None = None
        self._secrets: tuple[str, ...] = (self._config.api_key,)
        self._auth = calls.ApiKeyAuth(self._config.api_key)

    def __repr__(self) -> str:
        rate = self._config.rate_limit
        return (
            f"{type(self).__name__}(base_url={self._config.base_url!r}, "
            f"rate_limit={'auto' if rate is None else format(rate, 'g')}, "
            f"max_retries={self._config.max_retries}, "
            f"timeout={self._config.timeout:g})"
        )

    @property
    def base_url(self) -> str:
        """The Brevo API base URL requests go to."""
        return self._config.base_url

    @property
    def stats(self) -> RequestStats:
        """Counters of the requests this client has sent (retries included)."""
        return self._stats.snapshot()

    @property
    def provisioning(self) -> ProvisionResult | None:
        """The last :meth:`provision` result of this client, or None."""
        with self._account.lock:
            return self._account.provisioning

    def _generated_on(
        self, *, sync_client: httpx.Client | None, async_client: httpx.AsyncClient | None
    ) -> AuthenticatedClient:
        """The generated client on the given connection, made once."""
        if self._generated is None:
            self._generated = calls.make_generated_client(
                base_url=self._config.base_url,
                api_key=self._config.api_key,
                auth=self._auth,
                timeout=self._config.timeout,
                sync_client=sync_client,
                async_client=async_client,
            )
        return self._generated

    def _sync_seam(self, driver: _Driver) -> ClientSeam[_Driver]:
        """What the sync engine needs of this client (it touches nothing else)."""
        return ClientSeam(
            base_url=self.base_url,
            account=self._account,
            key_id=key_id(self._config.api_key),
            driver=driver,
        )

    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self._config.base_url,
            "auth": self._auth,
            "headers": {"accept": "application/json", "user-agent": _USER_AGENT},
            "timeout": httpx.Timeout(self._config.timeout),
        }


class TajoBrevo(_Base):
    """Blocking client for a Brevo account used by a Tajo loyalty program.

    Thread-safe: threads sharing one client share its pacing (never more than
    ``rate_limit`` requests per second together) and its cached account state.

    Args:
        api_key: Brevo API key; default ``$BREVO_API_KEY``.
        base_url: API base URL; default ``$BREVO_BASE_URL`` or ``https://calls.brevo.com/v3``.
            Plain ``http://`` only for loopback hosts (a local mock).
        timeout: seconds per request attempt (default 30).
        max_retries: retries after a failed attempt (default 3); see docs/client.md.
        rate_limit: requests per second at most (default ``PlanRate.GENERAL`` = 10), or
            ``"auto"``: no rate of its own, only Brevo's ``x-sib-ratelimit-*`` headers
            (for a server whose limit is unknown or absent, e.g. the in-process mock).
            Either way the client never sends more than Brevo's announced limit per
            second; see "Retries and pacing" in docs/client.md.
        max_rate_limit_wait: longest wait after a 429 before retrying (default 60 s).
        http_client: an ``httpx.Client`` to send through (proxies, certificates, a mock
            transport); the wrapper still paces, retries and authenticates. Not closed by
            the wrapper. Each request the wrapper built goes out through its ``send()``.
        transport: an httpx transport to send with instead (e.g. ``BrevoMock.transport()``
            in tests): the cheapest way to a custom destination.
        sleep, clock, jitter: injectable for tests (``time.sleep``, ``time.monotonic``,
            ``random.random``).

    Raises:
        ConfigurationError: no API key, or a refused base URL or setting.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        rate_limit: float | PlanRate | Literal["auto"] | None = None,
        max_rate_limit_wait: float | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit=rate_limit,
            max_rate_limit_wait=max_rate_limit_wait,
            clock=clock,
            jitter=jitter,
        )
        inner = _chosen_transport(http_client, transport, UnownedTransport, httpx.HTTPTransport)
        # The client's one HTTP client: the wrapper's calls and client.generated share it.
        self._sleep = sleep or time.sleep
        self._transport = PacedTransport(inner, self._core, self._sleep)
        # Export files are fetched on the same connection, unpaced and without the key.
        self._files = UnownedTransport(inner)
        self._http = httpx.Client(transport=self._transport, **self._client_kwargs())
        # The wrapper's own calls skip httpx.Client.send's bookkeeping (see _adapter).
        self._requests = calls.RequestBuilder(self._http, self._auth)
        # Every plan of this client, a sync's included, runs on this driver.
        self._driver = plans.BlockingDriver(
            execute=self._execute,
            sleep=self._sleep,
            download=functools.partial(download_report, self._http, self.base_url),
            save_file=self._save_file,
        )
        self._run = self._driver.run

    @property
    def generated(self) -> AuthenticatedClient:
        """The generated ``brevo_contacts`` client, on this client's paced connection.

        For operations the wrapper does not cover; its calls are paced and retried too.
        """
        return self._generated_on(sync_client=self._http, async_client=None)

    def close(self) -> None:
        """Close the connections (a caller-supplied ``http_client`` stays open)."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _execute(self, call: calls.Call) -> calls.Result:
        return calls.execute_sync(call, self._requests, self._transport, self._secrets)

    def _save_file(self, url: str) -> Path:
        """An export file streamed onto disk (the sync reads it back in chunks)."""
        with self._export_file(url) as chunks, _temporary_csv() as (write, path):
            for text in chunks:
                write(text)
        return path

    # -- account setup ----------------------------------------------------------------

    def provision(
        self, program: str = DEFAULT_PROGRAM, *, policy: TierPolicy = DEFAULT_TIER_POLICY
    ) -> ProvisionResult:
        """Make the account ready for the program, idempotently.

        Creates what is missing: each Tajo attribute (built-in ones are skipped; one that
        exists with another type is reported in ``attribute_conflicts``, never deleted),
        a folder named ``program``, lists ``"<program> - All customers"`` and one per tier
        (``"<program> - Gold"``), found by name in the folder before creating. A second
        run only reads. Refreshes the cached attribute types.

        Args:
            program: the program's name.
            policy: tier thresholds used for customers whose tier is not set.

        Returns:
            What was found and done, with the list ids.

        Raises:
            APIError: Brevo refused a read or a write.
            ValidationError: empty program name.
        """
        return self._run(plans.provision_plan(self._account, program=program, policy=policy))

    def refresh_attributes(self) -> list[AttributeInfo]:
        """Re-read the account's attributes (their types are checked before each send).

        Returns:
            Every attribute of the account.

        Raises:
            APIError: the request failed.
        """
        return self._run(plans.fetch_attributes(self._account))

    # -- customers --------------------------------------------------------------------

    def upsert_customer(
        self,
        profile: LoyaltyProfile,
        *,
        provisioning: ProvisionResult | None = None,
        list_ids: Iterable[int] = (),
    ) -> UpsertResult:
        """Create or update a customer, in the all-customers list and exactly one tier list.

        The tier is the profile's ``loyalty_tier``, or computed from ``loyalty_points``
        with the provisioning's policy. Values are checked against the account's attribute
        types first (Brevo silently drops a mismatched value). One request for an existing
        customer, two for a new one (see ``_plans.upsert_plan``).

        Args:
            profile: the customer; LOYALTY_ID, LOYALTY_POINTS and a tier are required.
            provisioning: the program's lists; default: this client's last provision().
            list_ids: more lists to add the customer to (e.g. a campaign list).

        Returns:
            Whether it was created (201) or updated (204), the new id, the tier.

        Raises:
            ConfigurationError: no provisioning known.
            ProfileValidationError: a core field is missing.
            AttributeMismatchError: a value does not fit the account's attribute; nothing sent.
            APIError: Brevo refused the request (e.g. InvalidParameterError for a list id).
        """
        return self._run(
            plans.upsert_plan(self._account, profile, provisioning=provisioning, list_ids=list_ids)
        )

    def create_customer(
        self,
        profile: LoyaltyProfile,
        *,
        provisioning: ProvisionResult | None = None,
        list_ids: Iterable[int] = (),
    ) -> UpsertResult:
        """Create a customer that must not exist yet (no update: ``updateEnabled`` false).

        Args:
            profile: the customer (as for :meth:`upsert_customer`).
            provisioning: the program's lists; default: this client's last provision().
            list_ids: more lists to add the customer to.

        Returns:
            The result with ``created=True`` and the new contact id.

        Raises:
            DuplicateContactError: the email exists (``existing_id`` when Brevo gives it).
            AttributeMismatchError, ProfileValidationError, APIError: as for upserts.
        """
        return self._run(
            plans.create_plan(self._account, profile, provisioning=provisioning, list_ids=list_ids)
        )

    def upsert_customers(
        self,
        rows: Iterable[LoyaltyProfile | Mapping[str, Any]],
        *,
        provisioning: ProvisionResult | None = None,
        import_threshold: int = DEFAULT_IMPORT_THRESHOLD,
        max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
        progress: Callable[[int], None] | None = None,
    ) -> BatchResult:
        """Create or update many customers; never stops at a bad row.

        The sync engine with a throwaway state (one import path): every row is validated
        first (invalid rows are reported and never sent; of rows with the same email,
        case-insensitive, the last wins). Fewer than ``import_threshold`` valid rows go as
        concurrent paced upserts (outcome created/updated); more go through
        ``POST /contacts/import`` (one `;`-separated CSV per tier and set of attributes,
        chunked under ``max_import_bytes``), confirmed through ``GET /processes/{id}``:
        outcome ``applied``, or ``failed`` with Brevo's reason for rows its import report
        names. A ``None`` field is left alone; an empty tuple clears the attribute.

        Args:
            rows: LoyaltyProfile objects or dict rows (see ``LoyaltyProfile.from_row``).
            provisioning: the program's lists; default: this client's last provision().
            import_threshold: batch size from which imports are used.
            max_import_bytes: size limit of one import request body.
            progress: called with the number of rows just finished.

        Returns:
            One outcome per input row, in input order, with counts.

        Raises:
            ConfigurationError: no provisioning known.
            APIError: reading the account's attributes failed (rows themselves never raise).
        """
        from .sync._api import batch_result, run_sync

        settings = _batch_settings(
            self._account, rows, provisioning, import_threshold, max_import_bytes, progress
        )
        return batch_result(run_sync(self._sync_seam(self._driver), rows, **settings))

    def sync_customers(
        self,
        source: SyncSource,
        *,
        state: str | os.PathLike[str] | SyncState | None = None,
        program: str = DEFAULT_PROGRAM,
        policy: TierPolicy = DEFAULT_TIER_POLICY,
        mode: str = "upsert",
        on_missing: str = "keep",
        mapping: str | os.PathLike[str] | Mapping[str, str] | None = None,
        dry_run: bool = False,
        verify: bool = False,
        **options: Any,
    ) -> SyncReport:
        """Keep a source of customers in step with Brevo: send only what changed, confirmed.

        Provisions the program (idempotent), then compares every row with the state (what
        Brevo confirmed in earlier runs) and sends only the changes: imports when many
        (confirmed through ``GET /processes/{id}``; rows Brevo's import report names are
        ``failed``), concurrent paced upserts when few. Tier moves unlink exactly the old
        tier list the state recorded. The state advances only for confirmed rows; a run
        killed at any moment is finished by the next one. See docs/sync.md.

        Args:
            source: a CSV (``,`` or ``;``) or JSON Lines file, a
                :class:`~tajo_brevo.SqlSource` (a query, streamed), or an iterable of
                LoyaltyProfile / mapping rows. A column present is authoritative (an empty
                cell clears); an absent column is never touched.
            state: the SQLite state file, a PostgreSQL URL (``postgresql://user@host/db``:
                this key's and program's rows among other accounts') or an open
                ``SyncState`` (left open); default beside a file source
                (``<file>.sync.db``), a throwaway in-memory state for an iterable or a
                query.
            program: the program (folder and list names).
            policy: tier thresholds for rows with points but no tier.
            mode: ``upsert`` (create or update), ``update`` (never create) or ``mirror``
                (customers no longer in the source are handled by ``on_missing``).
            on_missing: mirror mode: ``keep``, ``unlist`` (leave the program's lists) or
                ``blacklist`` (and blacklist the email).
            mapping: source column -> Brevo name (a dict or a JSON file).
            dry_run: plan only: nothing is written (reads the account's attributes).
            verify: read back the contacts this run touched and compare.
            **options: ``import_threshold`` (50), ``import_chunk_bytes`` (about 2 MB:
                where a chunk closes), ``max_import_bytes`` (8 MB: the hard limit of a
                body), ``concurrency`` (8), ``poll_interval``, ``max_poll_interval``,
                ``poll_timeout`` (s), ``keep_outcomes`` (every row's outcome in the
                report), ``lock_timeout`` (seconds to wait for another sync of the same
                state; default 0: refuse at once), ``progress`` (a ``ProgressCallback``:
                called with a :class:`~tajo_brevo.SyncProgress` when each phase starts
                and as it advances).

        Returns:
            The report: per-row problems, counts, requests, plan, duration, ``exit_code``.

        Raises:
            SourceError: the source can't be read (unknown column, no EMAIL column).
            StateError: the state is in use by another sync, or belongs to another
                account, program or version.
            ValidationError: a bad option.
            APIError: provisioning failed (row problems never raise).
        """
        from .sync._api import run_sync

        _check_sync_arguments(program, policy, dry_run, verify)
        return run_sync(
            self._sync_seam(self._driver),
            source,
            state=state,
            program=program,
            policy=policy,
            mode=mode,
            on_missing=on_missing,
            mapping=mapping,
            dry_run=dry_run,
            verify=verify,
            **options,
        )

    def get_customer(self, identifier: str | int) -> LoyaltyProfile:
        """Read a contact as a LoyaltyProfile.

        Args:
            identifier: email or contact id.

        Returns:
            The profile.

        Raises:
            NotFoundError: no such contact.
            ContactWithoutEmailError: the contact exists but has no email (an SMS-only
                contact): it is not a loyalty profile.
            ProfileValidationError: the stored data is not a valid profile.
        """
        return self._run(plans.get_plan(self._account, identifier))

    def delete_customer(self, identifier: str | int, *, hard: bool = False) -> None:
        """Remove a customer from emailing.

        Args:
            identifier: email or contact id.
            hard: True deletes the contact; False (default) blacklists it for email and
                leaves it in its lists, so its history stays.

        Raises:
            NotFoundError: no such contact.
            MethodNotAllowedError: hard delete of the account's own email.
        """
        self._run(plans.delete_plan(identifier, hard=hard))

    def add_to_list(
        self,
        list_id: int,
        members: Iterable[str | int] = (),
        *,
        emails: Iterable[str] = (),
        ids: Iterable[int] = (),
        process_timeout: float = 30.0,
    ) -> MembershipResult:
        """Add contacts to a list, 150 per request, reporting only what Brevo confirmed.

        Every member is checked before the first request. An asynchronous answer (a
        ``processId``) is followed to its process; see docs/responses.md for what each
        outcome means.

        Args:
            list_id: the list.
            members: emails (str) and contact ids (int), mixed; sent as separate requests.
            emails: emails to add.
            ids: contact ids to add.
            process_timeout: seconds to follow an asynchronous answer's process before
                reporting its members as ``pending`` (0: don't follow).

        Returns:
            What Brevo added (``success``), did not (``failure``: already in the list or no
            such contact; a chunk refused as a whole, with its message in ``errors``), has
            not finished (``pending``, with ``process_ids``) or did not mention
            (``unconfirmed``); emails that are not addresses are in ``rejected``.

        Raises:
            NotFoundError: the list does not exist.
            ValidationError: a bad list id, a member that is neither an email string nor a
                positive int id, an empty email; nothing sent.
        """
        return self._run(
            plans.membership_plan(
                list_id,
                members=members,
                emails=emails,
                ids=ids,
                remove=False,
                process_timeout=process_timeout,
            )
        )

    def remove_from_list(
        self,
        list_id: int,
        members: Iterable[str | int] = (),
        *,
        emails: Iterable[str] = (),
        ids: Iterable[int] = (),
        process_timeout: float = 30.0,
    ) -> MembershipResult:
        """Remove contacts from a list, 150 per request, reporting only what Brevo confirmed.

        Args:
            list_id: the list.
            members: emails (str) and contact ids (int), mixed; sent as separate requests.
            emails: emails to remove.
            ids: contact ids to remove.
            process_timeout: seconds to follow an asynchronous answer's process (0: don't).

        Returns:
            What Brevo removed and did not (``failure``: not in the list or no such
            contact); see :meth:`add_to_list`.

        Raises:
            NotFoundError: the list does not exist.
            ValidationError: as for :meth:`add_to_list`; nothing sent.
        """
        return self._run(
            plans.membership_plan(
                list_id,
                members=members,
                emails=emails,
                ids=ids,
                remove=True,
                process_timeout=process_timeout,
            )
        )

    # -- reading ----------------------------------------------------------------------

    def _iterate(self, pager: plans.Pager) -> Iterator[dict[str, Any]]:
        while (call := pager.next_call()) is not None:
            yield from pager.read_page(self._execute(call))

    def iter_contacts(
        self,
        *,
        modified_since: dt.datetime | None = None,
        page_size: int = plans.CONTACTS_PAGE_MAX,
    ) -> Iterator[Contact]:
        """Every contact (oldest first), fetched a page at a time (at most 1000 per page).

        Args:
            modified_since: only contacts modified after this time.
            page_size: contacts per request (capped at 1000).

        Returns:
            An iterator; each page is requested when the previous one is used up.

        Raises:
            APIError: a page request failed.
        """
        for item in self._iterate(plans.contacts_pager(modified_since, page_size)):
            yield plans.to_contact(item)

    def export_contacts(
        self,
        *,
        list_id: int | None = None,
        segment_id: int | None = None,
        action: str = "allContacts",
        modified_since: dt.datetime | None = None,
        created_since: dt.datetime | None = None,
        attributes: Iterable[str] = (),
        list_ids: bool = True,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        timeout: float = 1800.0,
    ) -> Iterator[ExportedContact]:
        """Read contacts back in bulk through Brevo's asynchronous contact export.

        One request starts the export, ``GET /processes/{id}`` follows it (the wait
        doubles from ``poll_interval`` up to ``max_poll_interval``), and the CSV file is
        streamed and parsed as it arrives, never held whole.

        Args:
            list_id: export this list's contacts (or ``segment_id``, or a date filter).
            segment_id: export this segment's contacts.
            action: ``allContacts``, ``subscribed``, ``unsubscribed`` (blacklisted) or
                ``unsubscribedPerList``.
            modified_since: only contacts modified since then (timezone-aware).
            created_since: only contacts created since then (timezone-aware).
            attributes: attribute names to export besides EMAIL (they must exist).
            list_ids: also export each contact's list ids.
            poll_interval, max_poll_interval: waits between reads of the process (s).
            timeout: longest wait for the export to complete (s).

        Returns:
            An iterator of :class:`ExportedContact` (nothing when no contact matches).

        Raises:
            ValidationError: a bad argument (raised here, before any request).
            ExportError: the export failed, was cancelled or was not ready in time.
            APIError: a request failed.
        """
        export = plans.ContactExport(
            list_id=list_id,
            segment_id=segment_id,
            action=action,
            modified_since=modified_since,
            created_since=created_since,
            attributes=attributes,
            list_ids=list_ids,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timeout=timeout,
        )
        return plans.export_rows(
            export, execute=self._execute, sleep=self._sleep, stream=self._export_file
        )

    @contextlib.contextmanager
    def _export_file(self, url: str) -> Iterator[Iterator[str]]:
        shown = plans.checked_file_url(url, self._config.base_url)
        timeout = httpx.Timeout(self._config.timeout)
        try:
            with (
                httpx.Client(transport=self._files, timeout=timeout, follow_redirects=True) as http,
                http.stream("GET", url, headers={"user-agent": _USER_AGENT}) as response,
            ):
                if response.status_code != 200:
                    raise _file_failure(shown, f"HTTP {response.status_code}")
                yield response.iter_text()
        except httpx.HTTPError as exc:
            raise _file_failure(shown, type(exc).__name__) from None

    def iter_lists(self, *, page_size: int = plans.LISTS_PAGE_MAX) -> Iterator[ContactListInfo]:
        """Every contact list, 50 per request at most.

        Args:
            page_size: lists per request (capped at 50).

        Returns:
            An iterator over the account's lists (id, name, folder, subscribers).

        Raises:
            APIError: a page request failed.
        """
        for item in self._iterate(plans.lists_pager(page_size)):
            yield plans.to_list_info(item)

    def iter_folders(self, *, page_size: int = plans.FOLDERS_PAGE_MAX) -> Iterator[FolderInfo]:
        """Every folder, 50 per request at most.

        Args:
            page_size: folders per request (capped at 50).

        Returns:
            An iterator over the account's folders.

        Raises:
            APIError: a page request failed.
        """
        for item in self._iterate(plans.folders_pager(page_size)):
            yield plans.to_folder_info(item)

    def iter_attributes(self) -> Iterator[AttributeInfo]:
        """Every attribute of the account (one request; refreshes the cached types).

        Returns:
            An iterator over the account's attributes (name, category, type).

        Raises:
            APIError: the request failed.
        """
        yield from self.refresh_attributes()


class AsyncTajoBrevo(_Base):
    """Asynchronous twin of :class:`TajoBrevo`: the same methods, awaitable.

    Tasks sharing one client share its pacing. Arguments as for :class:`TajoBrevo`,
    except ``http_client`` is an ``httpx.AsyncClient``, ``transport`` an
    ``httpx.AsyncBaseTransport`` and ``sleep`` a coroutine function
    (default ``asyncio.sleep``).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        rate_limit: float | PlanRate | Literal["auto"] | None = None,
        max_rate_limit_wait: float | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            rate_limit=rate_limit,
            max_rate_limit_wait=max_rate_limit_wait,
            clock=clock,
            jitter=jitter,
        )
        inner = _chosen_transport(
            http_client, transport, UnownedTransport, httpx.AsyncHTTPTransport
        )
        self._sleep = sleep or asyncio.sleep
        self._transport = AsyncPacedTransport(inner, self._core, self._sleep)
        self._files = UnownedTransport(inner)
        self._http = httpx.AsyncClient(transport=self._transport, **self._client_kwargs())
        self._requests = calls.RequestBuilder(self._http, self._auth)
        self._driver = plans.AsyncDriver(
            execute=self._execute,
            sleep=self._sleep,
            download=functools.partial(download_report_async, self._http, self.base_url),
            save_file=self._save_file,
        )
        self._run = self._driver.run

    @property
    def generated(self) -> AuthenticatedClient:
        """The generated client on this client's paced connection (use its ``asyncio*``)."""
        return self._generated_on(sync_client=None, async_client=self._http)

    async def aclose(self) -> None:
        """Close the connections (a caller-supplied ``http_client`` stays open)."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _execute(self, call: calls.Call) -> calls.Result:
        return await calls.execute_async(call, self._requests, self._transport, self._secrets)

    async def _save_file(self, url: str) -> Path:
        """An export file streamed onto disk (the sync reads it back in chunks)."""
        async with self._export_file(url) as chunks:
            with _temporary_csv() as (write, path):
                async for text in chunks:
                    write(text)
        return path

    async def provision(
        self, program: str = DEFAULT_PROGRAM, *, policy: TierPolicy = DEFAULT_TIER_POLICY
    ) -> ProvisionResult:
        """See :meth:`TajoBrevo.provision`."""
        plan = plans.provision_plan(self._account, program=program, policy=policy)
        return await self._run(plan)

    async def refresh_attributes(self) -> list[AttributeInfo]:
        """See :meth:`TajoBrevo.refresh_attributes`."""
        return await self._run(plans.fetch_attributes(self._account))

    async def upsert_customer(
        self,
        profile: LoyaltyProfile,
        *,
        provisioning: ProvisionResult | None = None,
        list_ids: Iterable[int] = (),
    ) -> UpsertResult:
        """See :meth:`TajoBrevo.upsert_customer`."""
        return await self._run(
            plans.upsert_plan(self._account, profile, provisioning=provisioning, list_ids=list_ids)
        )

    async def create_customer(
        self,
        profile: LoyaltyProfile,
        *,
        provisioning: ProvisionResult | None = None,
        list_ids: Iterable[int] = (),
    ) -> UpsertResult:
        """See :meth:`TajoBrevo.create_customer`."""
        return await self._run(
            plans.create_plan(self._account, profile, provisioning=provisioning, list_ids=list_ids)
        )

    async def upsert_customers(
        self,
        rows: Iterable[LoyaltyProfile | Mapping[str, Any]],
        *,
        provisioning: ProvisionResult | None = None,
        import_threshold: int = DEFAULT_IMPORT_THRESHOLD,
        max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
        progress: Callable[[int], None] | None = None,
    ) -> BatchResult:
        """See :meth:`TajoBrevo.upsert_customers`."""
        from .sync._api import batch_result, run_async

        settings = _batch_settings(
            self._account, rows, provisioning, import_threshold, max_import_bytes, progress
        )
        return batch_result(await run_async(self._sync_seam(self._driver), rows, **settings))

    async def sync_customers(
        self,
        source: SyncSource,
        *,
        state: str | os.PathLike[str] | SyncState | None = None,
        program: str = DEFAULT_PROGRAM,
        policy: TierPolicy = DEFAULT_TIER_POLICY,
        mode: str = "upsert",
        on_missing: str = "keep",
        mapping: str | os.PathLike[str] | Mapping[str, str] | None = None,
        dry_run: bool = False,
        verify: bool = False,
        **options: Any,
    ) -> SyncReport:
        """See :meth:`TajoBrevo.sync_customers`."""
        from .sync._api import run_async

        _check_sync_arguments(program, policy, dry_run, verify)
        return await run_async(
            self._sync_seam(self._driver),
            source,
            state=state,
            program=program,
            policy=policy,
            mode=mode,
            on_missing=on_missing,
            mapping=mapping,
            dry_run=dry_run,
            verify=verify,
            **options,
        )

    async def get_customer(self, identifier: str | int) -> LoyaltyProfile:
        """See :meth:`TajoBrevo.get_customer`."""
        return await self._run(plans.get_plan(self._account, identifier))

    async def delete_customer(self, identifier: str | int, *, hard: bool = False) -> None:
        """See :meth:`TajoBrevo.delete_customer`."""
        await self._run(plans.delete_plan(identifier, hard=hard))

    async def add_to_list(
        self,
        list_id: int,
        members: Iterable[str | int] = (),
        *,
        emails: Iterable[str] = (),
        ids: Iterable[int] = (),
        process_timeout: float = 30.0,
    ) -> MembershipResult:
        """See :meth:`TajoBrevo.add_to_list`."""
        return await self._run(
            plans.membership_plan(
                list_id,
                members=members,
                emails=emails,
                ids=ids,
                remove=False,
                process_timeout=process_timeout,
            )
        )

    async def remove_from_list(
        self,
        list_id: int,
        members: Iterable[str | int] = (),
        *,
        emails: Iterable[str] = (),
        ids: Iterable[int] = (),
        process_timeout: float = 30.0,
    ) -> MembershipResult:
        """See :meth:`TajoBrevo.remove_from_list`."""
        return await self._run(
            plans.membership_plan(
                list_id,
                members=members,
                emails=emails,
                ids=ids,
                remove=True,
                process_timeout=process_timeout,
            )
        )

    async def _iterate(self, pager: plans.Pager) -> AsyncIterator[dict[str, Any]]:
        while (call := pager.next_call()) is not None:
            for item in pager.read_page(await self._execute(call)):
                yield item

    async def iter_contacts(
        self,
        *,
        modified_since: dt.datetime | None = None,
        page_size: int = plans.CONTACTS_PAGE_MAX,
    ) -> AsyncIterator[Contact]:
        """See :meth:`TajoBrevo.iter_contacts` (an async iterator)."""
        async for item in self._iterate(plans.contacts_pager(modified_since, page_size)):
            yield plans.to_contact(item)

    def export_contacts(
        self,
        *,
        list_id: int | None = None,
        segment_id: int | None = None,
        action: str = "allContacts",
        modified_since: dt.datetime | None = None,
        created_since: dt.datetime | None = None,
        attributes: Iterable[str] = (),
        list_ids: bool = True,
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        timeout: float = 1800.0,
    ) -> AsyncIterator[ExportedContact]:
        """See :meth:`TajoBrevo.export_contacts` (an async iterator; the arguments are
        checked when it is called)."""
        export = plans.ContactExport(
            list_id=list_id,
            segment_id=segment_id,
            action=action,
            modified_since=modified_since,
            created_since=created_since,
            attributes=attributes,
            list_ids=list_ids,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            timeout=timeout,
        )
        return plans.export_rows_async(
            export, execute=self._execute, sleep=self._sleep, stream=self._export_file
        )

    @contextlib.asynccontextmanager
    async def _export_file(self, url: str) -> AsyncIterator[AsyncIterator[str]]:
        shown = plans.checked_file_url(url, self._config.base_url)
        timeout = httpx.Timeout(self._config.timeout)
        try:
            async with (
                httpx.AsyncClient(
                    transport=self._files, timeout=timeout, follow_redirects=True
                ) as http,
                http.stream("GET", url, headers={"user-agent": _USER_AGENT}) as response,
            ):
                if response.status_code != 200:
                    raise _file_failure(shown, f"HTTP {response.status_code}")
                yield response.aiter_text()
        except httpx.HTTPError as exc:
            raise _file_failure(shown, type(exc).__name__) from None

    async def iter_lists(
        self, *, page_size: int = plans.LISTS_PAGE_MAX
    ) -> AsyncIterator[ContactListInfo]:
        """See :meth:`TajoBrevo.iter_lists` (an async iterator)."""
        async for item in self._iterate(plans.lists_pager(page_size)):
            yield plans.to_list_info(item)

    async def iter_folders(
        self, *, page_size: int = plans.FOLDERS_PAGE_MAX
    ) -> AsyncIterator[FolderInfo]:
        """See :meth:`TajoBrevo.iter_folders` (an async iterator)."""
        async for item in self._iterate(plans.folders_pager(page_size)):
            yield plans.to_folder_info(item)

    async def iter_attributes(self) -> AsyncIterator[AttributeInfo]:
        """See :meth:`TajoBrevo.iter_attributes` (an async iterator)."""
        for info in await self.refresh_attributes():
            yield info

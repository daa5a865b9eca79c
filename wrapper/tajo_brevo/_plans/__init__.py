"""The loyalty logic, written once for both clients (sans-IO).

Each operation is a generator *plan*: it yields a :class:`~tajo_brevo._adapter.Call`,
receives its :class:`~tajo_brevo._adapter.Result` (or has the mapped exception thrown in),
and returns the operation's value. One driver (``driving``) runs every plan, the clients'
and the sync engine's: ``TajoBrevo`` with blocking calls, ``AsyncTajoBrevo`` with awaits;
neither contains any logic of its own.

Modules by concern: ``pagination`` (pagers and page items), ``account`` (what a client
learns about the account), ``provisioning``, ``customers`` (one at a time); many at once
is the sync engine's (``tajo_brevo.sync``). This package re-exports the names the clients
use.
"""

from .._adapter import to_attribute_info, to_contact, to_folder_info, to_list_info
from ._base import Download, Parallel, Plan, Progress, SaveFile, Sleep, T, WaitingPlan
from .account import (
    AccountCache,
    check_against_account,
    fetch_attributes,
)
from .customers import (
    MEMBERS_CHUNK,
    check_bool,
    create_plan,
    delete_plan,
    follow_process,
    get_plan,
    membership_plan,
    upsert_plan,
)
from .driving import AsyncDriver, BlockingDriver
from .export import (
    ContactExport,
    checked_file_url,
    export_rows,
    export_rows_async,
)
from .pagination import (
    CONTACTS_PAGE_MAX,
    FOLDERS_PAGE_MAX,
    LISTS_PAGE_MAX,
    Pager,
    contacts_pager,
    folders_pager,
    lists_pager,
)
from .provisioning import (
    ALL_CUSTOMERS_SUFFIX,
    check_program,
    find_program,
    list_names,
    provision_plan,
)

__all__ = [
    "ALL_CUSTOMERS_SUFFIX",
    "CONTACTS_PAGE_MAX",
    "FOLDERS_PAGE_MAX",
    "LISTS_PAGE_MAX",
    "MEMBERS_CHUNK",
    "AccountCache",
    "AsyncDriver",
    "BlockingDriver",
    "ContactExport",
    "Download",
    "Pager",
    "Parallel",
    "Plan",
    "Progress",
    "SaveFile",
    "Sleep",
    "T",
    "WaitingPlan",
    "check_against_account",
    "check_bool",
    "check_program",
    "checked_file_url",
    "contacts_pager",
    "create_plan",
    "delete_plan",
    "export_rows",
    "export_rows_async",
    "fetch_attributes",
    "find_program",
    "folders_pager",
    "follow_process",
    "get_plan",
    "list_names",
    "lists_pager",
    "membership_plan",
    "provision_plan",
    "to_attribute_info",
    "to_contact",
    "to_folder_info",
    "to_list_info",
    "upsert_plan",
]

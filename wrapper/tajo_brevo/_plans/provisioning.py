"""Making an account ready for a loyalty program: attributes, folder, lists."""

from __future__ import annotations

from .. import _adapter as calls
from .._adapter import Result, as_int
from ..attributes import TAJO_ATTRIBUTES, text_problem
from ..errors import (
    BadRequestError,
    BrevoError,
    ValidationError,
)
from ..results import (
    AttributeConflict,
    ProvisionResult,
)
from ..tiers import Tier, TierPolicy
from ._base import Plan
from .account import AccountCache, fetch_attributes
from .pagination import all_pages, folders_pager, lists_pager

ALL_CUSTOMERS_SUFFIX = "All customers"
#: The program names a folder and lists; keep their names short enough to read.
_MAX_PROGRAM = 200


def list_names(program: str) -> tuple[str, dict[Tier, str]]:
    """The all-customers list name and the tier list names of a program."""
    return f"{program} - {ALL_CUSTOMERS_SUFFIX}", {
        tier: f"{program} - {tier.value}" for tier in Tier
    }


def find_program(program: str) -> Plan[tuple[int | None, dict[str, int]]]:
    """Read only: the program's folder id (None: no folder of that name) and the lists
    in it by name (the oldest of several with one name)."""
    folders = yield from all_pages(folders_pager())
    same_name = sorted(
        (f for f in folders if f.get("name") == program and as_int(f.get("id")) is not None),
        key=lambda f: f["id"],
    )
    if not same_name:
        return None, {}
    folder_id: int = same_name[0]["id"]
    existing_lists: dict[str, int] = {}
    for item in (yield from all_pages(lists_pager())):
        list_id = as_int(item.get("id"))
        name = item.get("name")
        if list_id is None or item.get("folderId") != folder_id or not isinstance(name, str):
            continue
        # Several lists with one name: the oldest (lowest id) is the program's.
        existing_lists[name] = min(list_id, existing_lists.get(name, list_id))
    return folder_id, existing_lists


def check_program(program: object, policy: object) -> str:
    """The program name (stripped), refused with its policy before anything is sent."""
    program = program.strip() if isinstance(program, str) else program
    if not isinstance(program, str) or not program:
        raise ValidationError([("program", f"must be a non-empty name, got {program!r:.60}")])
    if (problem := text_problem(program)) is not None or len(program) > _MAX_PROGRAM:
        reason = problem or f"must be at most {_MAX_PROGRAM} characters"
        raise ValidationError([("program", reason)])
    if not isinstance(policy, TierPolicy):
        raise ValidationError([("policy", f"must be a TierPolicy, got {type(policy).__name__}")])
    return program


def provision_plan(
    state: AccountCache, *, program: str, policy: TierPolicy
) -> Plan[ProvisionResult]:
    """Make the account ready for the program; writes only what is missing."""
    program = check_program(program, policy)

    found = {info.name: info for info in (yield from fetch_attributes(state))}
    created: list[str] = []
    present: list[str] = []
    builtin: list[str] = []
    conflicts: list[AttributeConflict] = []
    refused: dict[str, BadRequestError] = {}
    for spec in TAJO_ATTRIBUTES.values():
        if spec.builtin:
            builtin.append(spec.name)
            continue
        info = found.get(spec.name)
        if info is not None:
            if info.type == spec.type:
                present.append(spec.name)
            else:
                conflicts.append(
                    AttributeConflict(spec.name, spec.type, info.type or info.category)
                )
            continue
        try:
            yield calls.create_attribute_call(spec.name, spec.type, spec.category)
        except BadRequestError as exc:
            # Maybe our own earlier attempt succeeded before a retry: checked below.
            refused[spec.name] = exc
        else:
            created.append(spec.name)

    found_folder, existing_lists = yield from find_program(program)
    folder_created = found_folder is None
    if found_folder is not None:
        folder_id: int = found_folder
    else:
        folder_id = _created_id((yield calls.create_folder_call(program)), "folder")

    all_name, tier_names = list_names(program)
    lists_created: list[str] = []
    for name in (all_name, *tier_names.values()):
        if name not in existing_lists:
            result = yield calls.create_list_call(name, folder_id)
            existing_lists[name] = _created_id(result, "list")
            lists_created.append(name)

    if created or refused:
        after = {info.name: info for info in (yield from fetch_attributes(state))}
        for name, refusal in refused.items():
            info = after.get(name)
            if info is None or info.type != TAJO_ATTRIBUTES[name].type:
                raise refusal
            created.append(name)

    provisioned = ProvisionResult(
        program=program,
        policy=policy,
        folder_id=folder_id,
        all_customers_list_id=existing_lists[all_name],
        tier_lists={tier: existing_lists[name] for tier, name in tier_names.items()},
        attributes_created=tuple(created),
        attributes_present=tuple(present),
        attributes_builtin=tuple(builtin),
        attribute_conflicts=tuple(conflicts),
        folder_created=folder_created,
        lists_created=tuple(lists_created),
    )
    with state.lock:
        state.provisioning = provisioned
    return provisioned


def _created_id(result: Result, what: str) -> int:
    body = result.body if isinstance(result.body, dict) else {}
    created = as_int(body.get("id"))
    if created is None:
        raise BrevoError(f"Brevo created a {what} but returned no id (status {result.status_code})")
    return created

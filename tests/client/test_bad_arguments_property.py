"""Every public method of both clients refuses a bad argument before sending anything.

A property test: hypothesis picks a method, one of its arguments and a bad value for it
(a wrong type, None, an out-of-range number, a lone surrogate, an oversized string); the
other arguments are good. The call must raise a :class:`~tajo_brevo.BrevoError` and the
client's transport (an ``httpx.MockTransport`` that counts) must see no request.

Derandomized, 300 examples in ``make test``; ``make fuzz`` runs it open-ended
(``TAJO_FUZZ=1``, ``TAJO_FUZZ_EXAMPLES``, default 20000, a new seed each run).
The members of ``add_to_list`` / ``remove_from_list`` are checked in their own tests.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tajo_brevo import (
    DEFAULT_TIER_POLICY,
    AsyncTajoBrevo,
    BrevoError,
    LoyaltyProfile,
    ProvisionResult,
    TajoBrevo,
    Tier,
)

FUZZ = bool(os.environ.get("TAJO_FUZZ"))
EXAMPLES = int(os.environ.get("TAJO_FUZZ_EXAMPLES", "20000")) if FUZZ else 300
MAX_ID = 2**63 - 1
#: Longer than any text Brevo stores (attributes.MAX_TEXT_LENGTH is 65,535).
OVERSIZED = "x" * 70_000

PROVISIONING = ProvisionResult(
    program="P",
    policy=DEFAULT_TIER_POLICY,
    folder_id=1,
    all_customers_list_id=2,
    tier_lists={tier: 10 + i for i, tier in enumerate(Tier)},
)
PROFILE = LoyaltyProfile(email="ada@example.com", loyalty_id="L1", loyalty_points=10)

# --- bad values ------------------------------------------------------------------------

surrogates = st.builds(
    lambda head, s: head + s,
    st.text(alphabet="abc@.", max_size=5),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
)
oversized = st.sampled_from([OVERSIZED, OVERSIZED + "@example.com", "a" * 300 + "@example.com"])
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(object()),
)
bad_ints = st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_ID + 1))
bad_text = st.one_of(surrogates, oversized, st.sampled_from(["", "   ", "a\x00b"]))

BAD_IDENTIFIER = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(),
    st.binary(max_size=3),
    st.lists(st.integers(), max_size=2),
    bad_ints,
    bad_text,
)
BAD_ID = st.one_of(junk, bad_ints, st.text(max_size=5), bad_text)
BAD_PAGE_SIZE = st.one_of(
    st.none(), st.booleans(), st.floats(), st.text(max_size=3), st.integers(max_value=0)
)
BAD_NAME = st.one_of(junk, st.integers(), bad_text)
BAD_OBJECT = st.one_of(junk, st.integers(), st.text(max_size=5), st.just({"email": "a@b.co"}))
BAD_LIST_IDS = st.one_of(
    st.none(),
    st.text(min_size=1, max_size=3),
    st.integers(),
    st.lists(st.one_of(st.none(), st.booleans(), bad_ints, st.text(max_size=2)), min_size=1),
)
BAD_FLAG = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.floats())
BAD_SIZE = st.one_of(
    st.none(), st.booleans(), st.floats(), st.text(max_size=3), st.integers(max_value=0)
)
BAD_ROWS = st.one_of(
    st.none(), st.integers(), st.text(max_size=5), st.binary(max_size=3), st.just({"email": "a"}),
    st.just(PROFILE),
)  # fmt: skip
BAD_CALLABLE = st.one_of(st.integers(), st.text(max_size=3), st.just([]))
BAD_DATETIME = st.one_of(
    st.integers(), st.text(max_size=10), st.dates(), st.floats(), st.booleans()
)
BAD_CHOICE = st.one_of(st.none(), st.integers(), st.text(max_size=5))
BAD_TIMEOUT = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.floats(max_value=0, exclude_max=True),
    st.just(float("nan")),
    st.just(float("inf")),
)
#: A wait between polls must be more than 0 (0 never doubles: a tight loop).
BAD_INTERVAL = st.one_of(BAD_TIMEOUT, st.just(0), st.just(0.0))

#: method -> (good arguments, {argument: bad values}).
METHODS: dict[str, tuple[dict[str, Any], dict[str, st.SearchStrategy[Any]]]] = {
    "provision": ({"program": "P"}, {"program": BAD_NAME, "policy": BAD_OBJECT}),
    "upsert_customer": (
        {"profile": PROFILE, "provisioning": PROVISIONING},
        {
            "profile": BAD_OBJECT,
            "provisioning": BAD_OBJECT.filter(lambda v: v is not None),
            "list_ids": BAD_LIST_IDS,
        },
    ),
    "create_customer": (
        {"profile": PROFILE, "provisioning": PROVISIONING},
        {
            "profile": BAD_OBJECT,
            "provisioning": BAD_OBJECT.filter(lambda v: v is not None),
            "list_ids": BAD_LIST_IDS,
        },
    ),
    "upsert_customers": (
        {"rows": [PROFILE], "provisioning": PROVISIONING},
        {
            "rows": BAD_ROWS,
            "provisioning": BAD_OBJECT.filter(lambda v: v is not None),
            "import_threshold": BAD_SIZE,
            "max_import_bytes": BAD_SIZE,
            "progress": BAD_CALLABLE,
        },
    ),
    "sync_customers": (
        {"source": [PROFILE]},
        {
            "program": BAD_NAME,
            "policy": BAD_OBJECT,
            "mode": BAD_CHOICE,
            "on_missing": BAD_CHOICE,
            "dry_run": BAD_FLAG,
            "verify": BAD_FLAG,
        },
    ),
    "get_customer": ({"identifier": "ada@example.com"}, {"identifier": BAD_IDENTIFIER}),
    "delete_customer": (
        {"identifier": "ada@example.com"},
        {"identifier": BAD_IDENTIFIER, "hard": BAD_FLAG},
    ),
    "add_to_list": ({"list_id": 3, "emails": ["ada@example.com"]}, {"list_id": BAD_ID}),
    "remove_from_list": ({"list_id": 3, "emails": ["ada@example.com"]}, {"list_id": BAD_ID}),
    "export_contacts": (
        {"list_id": 3},
        {
            "list_id": BAD_ID.filter(lambda v: v is not None),
            "segment_id": BAD_ID.filter(lambda v: v is not None),
            "action": BAD_CHOICE,
            "modified_since": BAD_DATETIME,
            "created_since": BAD_DATETIME,
            "attributes": st.one_of(
                st.none(), st.integers(), st.lists(st.one_of(st.integers(), bad_text), min_size=1)
            ),
            "list_ids": BAD_FLAG,
            "poll_interval": BAD_INTERVAL,
            "max_poll_interval": BAD_INTERVAL,
            "timeout": BAD_TIMEOUT,
        },
    ),
    "iter_contacts": ({}, {"modified_since": BAD_DATETIME, "page_size": BAD_PAGE_SIZE}),
    "iter_lists": ({}, {"page_size": BAD_PAGE_SIZE}),
    "iter_folders": ({}, {"page_size": BAD_PAGE_SIZE}),
}
CASES = [(method, argument) for method, (_, bad) in METHODS.items() for argument in bad]


def _counting() -> tuple[list[httpx.Request], Callable[[httpx.Request], httpx.Response]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    return sent, handler


SENT, HANDLER = _counting()
SYNC = TajoBrevo(api_key="k", transport=httpx.MockTransport(HANDLER), max_retries=0)
ASYNC = AsyncTajoBrevo(api_key="k", transport=httpx.MockTransport(HANDLER), max_retries=0)


#: Methods that return an iterator: consumed, since a request would be sent then.
ITERATORS = {"iter_contacts", "iter_lists", "iter_folders", "export_contacts"}


def _call_sync(method: str, kwargs: dict[str, Any]) -> None:
    result = getattr(SYNC, method)(**kwargs)
    if method in ITERATORS:
        list(result)


async def _call_async(method: str, kwargs: dict[str, Any]) -> None:
    if method in ITERATORS:
        async for _ in getattr(ASYNC, method)(**kwargs):
            pass
    else:
        await getattr(ASYNC, method)(**kwargs)


def test_every_public_method_with_arguments_is_covered() -> None:
    without_arguments = {"refresh_attributes", "iter_attributes", "close", "aclose"}
    for client in (TajoBrevo, AsyncTajoBrevo):
        public = {n for n in vars(client) if not n.startswith("_") and callable(vars(client)[n])}
        assert public - without_arguments == set(METHODS), client


@settings(
    max_examples=EXAMPLES,
    derandomize=not FUZZ,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=st.sampled_from(CASES), is_async=st.booleans(), data=st.data())
def test_a_bad_argument_is_a_library_error_before_any_request(
    case: tuple[str, str], is_async: bool, data: st.DataObject
) -> None:
    method, argument = case
    good, bad = METHODS[method]
    value = data.draw(bad[argument], label=argument)
    kwargs = {**good, argument: value}
    before = len(SENT)
    with pytest.raises(BrevoError):
        if is_async:
            asyncio.run(_call_async(method, kwargs))
        else:
            _call_sync(method, kwargs)
    assert len(SENT) == before, f"{method}({argument}={value!r:.80}) sent {SENT[before:]}"


def test_the_good_arguments_do_reach_the_transport() -> None:
    # The property is not vacuous: with only good arguments a call does send.
    before = len(SENT)
    with pytest.raises(BrevoError):  # the counting transport answers 500
        SYNC.get_customer("ada@example.com")
    assert len(SENT) == before + 1

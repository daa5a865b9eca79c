"""Customers, lists, batches and reading, against the stateful mock."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from _scenario_support import LOCAL_BASE, Driver
from tajo_brevo import (
    AttributeMismatchError,
    ConfigurationError,
    LoyaltyProfile,
    NotFoundError,
    ProvisionResult,
    TajoBrevo,
    Tier,
)
from tajo_brevo.mock import BrevoMock


def profile(n: int, **fields: object) -> LoyaltyProfile:
    values: dict[str, object] = {
        "email": f"customer{n}@example.com",
        "loyalty_id": f"LYL-{n}",
        "loyalty_points": n * 10,
    }
    values.update(fields)
    return LoyaltyProfile(**values)  # type: ignore[arg-type]


def requests_to(driver: Driver, method: str, fragment: str) -> list[str]:
    return [r.path for r in driver.mock.requests if r.method == method and fragment in r.path]


# -- provisioning --------------------------------------------------------------------


def test_an_attribute_with_another_type_is_reported_never_changed(brevo: Driver) -> None:
    with brevo.mock.client() as http:
        http.post("/contacts/attributes/normal/LOYALTY_POINTS", json={"type": "text"})
    result: ProvisionResult = brevo.provision()
    assert [(c.name, c.expected, c.actual) for c in result.attribute_conflicts] == [
        ("LOYALTY_POINTS", "float", "text")
    ]
    assert brevo.mock.state.attributes["LOYALTY_POINTS"].type == "text"
    assert not [p for p in brevo.writes() if p.startswith("DELETE")]
    # And the wrapper refuses to send a number Brevo would drop into that text attribute.
    brevo.mock.clear_requests()
    with pytest.raises(AttributeMismatchError, match="LOYALTY_POINTS"):
        brevo.upsert_customer(profile(1))
    assert brevo.writes() == []


def test_provision_finds_existing_lists_by_name_in_the_folder(brevo: Driver) -> None:
    with brevo.mock.client() as http:
        other = http.post("/contacts/folders", json={"name": "Other"}).json()["id"]
        # Same name in another folder: not ours.
        http.post("/contacts/lists", json={"name": "Tajo Loyalty - Gold", "folderId": other})
        folder = http.post("/contacts/folders", json={"name": "Tajo Loyalty"}).json()["id"]
        gold = http.post(
            "/contacts/lists", json={"name": "Tajo Loyalty - Gold", "folderId": folder}
        ).json()["id"]
    result: ProvisionResult = brevo.provision()
    assert result.folder_id == folder and not result.folder_created
    assert result.tier_lists[Tier.GOLD] == gold
    assert "Tajo Loyalty - Gold" not in result.lists_created
    assert len(result.lists_created) == 4


def test_provision_pages_through_more_than_50_lists_and_folders(brevo: Driver) -> None:
    with brevo.mock.client() as http:
        for i in range(60):
            folder = http.post("/contacts/folders", json={"name": f"F{i}"}).json()["id"]
            http.post("/contacts/lists", json={"name": f"L{i}", "folderId": folder})
    brevo.provision(program="F59")
    brevo.mock.clear_requests()
    again: ProvisionResult = brevo.provision(program="F59")
    assert not again.changed and brevo.writes() == []
    limits = {
        parse_qs(urlsplit(r.path).query).get("limit", [""])[0] or dict(r.query).get("limit")
        for r in brevo.mock.requests
        if r.method == "GET" and r.path_pattern in ("/contacts/lists", "/contacts/folders")
    }
    assert limits == {"50"}


def test_upsert_needs_provisioning_first() -> None:
    mock = BrevoMock()
    client = TajoBrevo(
        api_key=mock.api_key,
        base_url=LOCAL_BASE,
        http_client=httpx.Client(transport=mock.transport()),
    )
    with client, pytest.raises(ConfigurationError, match="provision"):
        client.upsert_customer(profile(1))
    assert mock.requests == []


# -- upserts ---------------------------------------------------------------------------


def test_tier_is_computed_from_points_when_not_given(both: Driver) -> None:
    program: ProvisionResult = both.provision()
    result = both.upsert_customer(profile(1, loyalty_points=1700))
    assert result.tier is Tier.GOLD
    contact = both.mock.state.contact_by_email("customer1@example.com")
    assert contact is not None
    assert contact.attributes["LOYALTY_TIER"] == "Gold"
    assert contact.attributes["NEXT_TIER_POINTS"] == 800
    assert set(contact.list_ids) == {program.all_customers_list_id, program.tier_lists[Tier.GOLD]}


def test_a_value_of_the_wrong_type_is_refused_and_nothing_is_sent(both: Driver) -> None:
    both.provision()
    both.mock.clear_requests()
    bad = profile(1, loyalty_tier="Bronze", extra={"FAVOURITE_SHOP": "Paris"})
    with pytest.raises(AttributeMismatchError, match="FAVOURITE_SHOP") as info:
        both.upsert_customer(bad)
    assert info.value.errors[0][0] == "FAVOURITE_SHOP"
    assert both.writes() == []


def test_attribute_types_are_fetched_once_and_refreshed_by_provision(brevo: Driver) -> None:
    brevo.provision()
    brevo.mock.clear_requests()
    for n in range(3):
        brevo.upsert_customer(profile(n))
    assert requests_to(brevo, "GET", "/contacts/attributes") == []
    with brevo.mock.client() as http:
        http.post("/contacts/attributes/normal/STORE", json={"type": "text"})
    with pytest.raises(AttributeMismatchError):
        brevo.upsert_customer(profile(9, extra={"STORE": "Lyon"}))
    brevo.provision()  # refreshes the cached types
    assert brevo.upsert_customer(profile(9, extra={"STORE": "Lyon"})).created


def test_a_tier_change_leaves_exactly_one_tier_list(both: Driver) -> None:
    program: ProvisionResult = both.provision()
    for points, tier in [
        (100, Tier.BRONZE),
        (1200, Tier.SILVER),
        (3000, Tier.PLATINUM),
        (10, Tier.BRONZE),
    ]:
        both.upsert_customer(profile(1, loyalty_points=points))
        members = set(both.mock.state.contact_by_email("customer1@example.com").list_ids)  # type: ignore[union-attr]
        assert members & set(program.tier_lists.values()) == {program.tier_lists[tier]}


def test_soft_delete_blacklists_and_keeps_the_lists(both: Driver) -> None:
    program: ProvisionResult = both.provision()
    both.upsert_customer(profile(1))
    both.delete_customer("customer1@example.com")
    contact = both.mock.state.contact_by_email("customer1@example.com")
    assert contact is not None and contact.email_blacklisted
    assert program.all_customers_list_id in contact.list_ids


def test_hard_delete_removes_the_contact(both: Driver) -> None:
    both.provision()
    both.upsert_customer(profile(1))
    both.delete_customer("customer1@example.com", hard=True)
    assert both.mock.state.contact_by_email("customer1@example.com") is None
    with pytest.raises(NotFoundError):
        both.get_customer("customer1@example.com")


def test_add_and_remove_chunk_by_150_and_aggregate(both: Driver) -> None:
    program: ProvisionResult = both.provision()
    both.upsert_customers([profile(n) for n in range(320)])
    with both.mock.client() as http:
        target = http.post(
            "/contacts/lists", json={"name": "Campaign", "folderId": program.folder_id}
        ).json()["id"]
    emails = [f"customer{n}@example.com" for n in range(320)] + ["nobody@example.com"]
    both.mock.clear_requests()
    added = both.add_to_list(target, emails=emails)
    calls = [r for r in both.mock.requests if r.path.endswith("/contacts/add")]
    assert [len(json.loads(r.body)["emails"]) for r in calls] == [150, 150, 21]
    assert set(added.success) == set(emails[:320])
    assert list(added.failure) == ["nobody@example.com"]
    removed = both.remove_from_list(target, emails=emails[:200])
    assert len(removed.success) == 200 and removed.failure == ()
    members = [c for c in both.mock.state.contacts.values() if target in c.list_ids]
    assert len(members) == 120


def test_a_chunk_brevo_refuses_whole_is_counted_as_failures(brevo: Driver) -> None:
    program: ProvisionResult = brevo.provision()
    with brevo.mock.client() as http:
        target = http.post(
            "/contacts/lists", json={"name": "Campaign", "folderId": program.folder_id}
        ).json()["id"]
    result = brevo.add_to_list(target, emails=["ghost1@example.com", "ghost2@example.com"])
    assert result.success == ()
    assert set(result.failure) == {"ghost1@example.com", "ghost2@example.com"}


def test_adding_to_a_missing_list_raises(brevo: Driver) -> None:
    brevo.provision()
    with pytest.raises(NotFoundError):
        brevo.add_to_list(999, emails=["a@example.com"])


# -- batches -----------------------------------------------------------------------------


def test_a_batch_reports_invalid_rows_and_never_sends_them(both: Driver) -> None:
    both.provision()
    both.mock.clear_requests()
    rows = [
        profile(1),
        {"EMAIL": "not-an-email", "LOYALTY_ID": "X", "LOYALTY_POINTS": "5"},
        {"EMAIL": "nopoints@example.com", "LOYALTY_ID": "X"},
        profile(2, extra={"UNKNOWN_ATTR": "x"}),
        "not a row",
        profile(3),
    ]
    result = both.upsert_customers(rows)  # type: ignore[arg-type]
    assert [o.status for o in result.outcomes] == [
        "created",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "created",
    ]
    assert "email" in (result.outcomes[1].reason or "")
    assert "UNKNOWN_ATTR" in (result.outcomes[3].reason or "")
    assert result.counts == {"created": 2, "invalid": 4}
    sent = json.dumps([r.body.decode() for r in both.mock.requests])
    assert "not-an-email" not in sent and "nopoints" not in sent and "UNKNOWN_ATTR" not in sent


def test_a_batch_goes_on_after_a_row_brevo_refuses(brevo: Driver) -> None:
    program: ProvisionResult = brevo.provision()
    brevo.upsert_customer(profile(1, sms="+33612345678"))
    rows = [profile(2, sms="+33612345678"), profile(3)]  # 2 reuses 1's phone number
    result = brevo.upsert_customers(rows)
    assert [o.status for o in result.outcomes] == ["failed", "created"]
    assert result.outcomes[0].reason
    assert (
        program.all_customers_list_id
        in brevo.mock.state.contact_by_email("customer3@example.com").list_ids
    )  # type: ignore[union-attr]


def test_a_repeated_email_in_a_batch_makes_both_rows_invalid(brevo: Driver) -> None:
    brevo.provision()
    result = brevo.upsert_customers(
        [profile(1, loyalty_points=10), profile(1, loyalty_points=2000)]
    )
    assert [o.status for o in result.outcomes] == ["invalid", "invalid"]
    assert "is on rows 0, 1" in (result.outcomes[0].reason or "")
    assert brevo.mock.state.contact_by_email("customer1@example.com") is None


def test_a_large_batch_is_imported_per_tier_and_reads_back(both: Driver) -> None:
    program: ProvisionResult = both.provision()
    profiles = [profile(n, first_name=f'Ann; "{n}"') for n in range(400)]
    done = []
    result = both.upsert_customers(profiles, progress=done.append)
    assert result.mode == "import" and result.counts == {"applied": 400}
    assert sum(done) == 400
    imports = [r for r in both.mock.requests if r.path.endswith("/contacts/import")]
    assert len(imports) == len(result.tiers) == 4
    for request in imports:
        body = json.loads(request.body)
        assert body["updateExistingContacts"] is True
        assert body["fileBody"].startswith("EMAIL;")
        assert body["listIds"][0] == program.all_customers_list_id
    for n in (0, 150, 399):
        assert both.get_customer(f"customer{n}@example.com") == profiles[n].with_tier(
            program.policy
        )


def test_import_moves_customers_out_of_their_old_tier_list(brevo: Driver) -> None:
    program: ProvisionResult = brevo.provision()
    brevo.upsert_customers([profile(n, loyalty_points=100) for n in range(60)])  # Bronze
    result = brevo.upsert_customers([profile(n, loyalty_points=3000) for n in range(60)])
    assert result.mode == "import"
    bronze, platinum = program.tier_lists[Tier.BRONZE], program.tier_lists[Tier.PLATINUM]
    for n in range(60):
        members = set(brevo.mock.state.contact_by_email(f"customer{n}@example.com").list_ids)  # type: ignore[union-attr]
        assert platinum in members and bronze not in members


# -- reading -----------------------------------------------------------------------------


def test_iterators_paginate_at_each_endpoints_maximum(both: Driver) -> None:
    both.provision()
    both.upsert_customers([profile(n) for n in range(1203)])
    both.mock.clear_requests()
    contacts = both.iter_contacts()
    assert len(contacts if isinstance(contacts, list) else list(contacts)) == 1203
    limits = [dict(r.query).get("limit") for r in both.mock.requests]
    assert limits == ["1000", "1000"]
    lists = list(both.iter_lists())
    folders = list(both.iter_folders())
    attributes = list(both.iter_attributes())
    assert len(lists) == 5 and [f.name for f in folders] == ["Tajo Loyalty"]
    assert "LOYALTY_POINTS" in {a.name for a in attributes}


def test_iter_contacts_modified_since(brevo: Driver) -> None:
    import datetime as dt

    brevo.provision()
    brevo.upsert_customer(profile(1))
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert list(brevo.iter_contacts(modified_since=future)) == []
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    assert [c.email for c in brevo.iter_contacts(modified_since=past, page_size=1)] == [
        "customer1@example.com"
    ]


def test_an_import_of_unknown_contacts_leaves_only_the_occupied_tier_lists(
    brevo: Driver,
) -> None:
    # No account scan: contacts the (throwaway) state does not know leave the tier lists
    # that had members before the import; empty lists are skipped. Bronze (one member)
    # costs one read, cheaper than 2 blind removals: only its real member is removed.
    program: ProvisionResult = brevo.provision()
    brevo.upsert_customer(profile(0, loyalty_points=100))  # Bronze
    brevo.mock.clear_requests()
    result = brevo.upsert_customers([profile(n, loyalty_points=3000) for n in range(200)])
    assert result.counts == {"applied": 200}
    removals = [r for r in brevo.mock.requests if r.path.endswith("/contacts/remove")]
    bronze = program.tier_lists[Tier.BRONZE]
    assert {r.path for r in removals} == {f"/v3/contacts/lists/{bronze}/contacts/remove"}
    emails = sorted(e for r in removals for e in json.loads(r.body)["emails"])
    assert emails == ["customer0@example.com"] and len(removals) == 1
    reads = [r for r in brevo.mock.requests if r.method == "GET" and r.path == "/v3/contacts"]
    assert len(reads) == 1
    contact = brevo.mock.state.contact_by_email("customer0@example.com")
    assert contact is not None
    assert bronze not in contact.list_ids


def test_import_into_an_empty_program_sends_no_unlinking(brevo: Driver) -> None:
    brevo.provision()
    brevo.mock.clear_requests()
    brevo.upsert_customers([profile(n) for n in range(300)])
    assert [r for r in brevo.mock.requests if r.path.endswith("/contacts/remove")] == []
    assert [r.path_pattern for r in brevo.mock.requests if r.method == "POST"] == [
        "/contacts/import"
    ] * 4


def test_membership_accepts_any_iterable_and_refuses_bad_ids(brevo: Driver) -> None:
    from tajo_brevo import ValidationError

    program: ProvisionResult = brevo.provision()
    brevo.upsert_customer(profile(1))
    contact = brevo.mock.state.contact_by_email("customer1@example.com")
    assert contact is not None
    result = brevo.remove_from_list(program.all_customers_list_id, ids=iter([contact.id]))
    assert [str(s) for s in result.success] == [str(contact.id)]  # Brevo may echo ids as text
    with pytest.raises(ValidationError, match="ids"):
        brevo.add_to_list(program.all_customers_list_id, ids=[0, True])
    with pytest.raises(ValidationError, match="emails"):
        brevo.add_to_list(program.all_customers_list_id, emails="one@example.com")

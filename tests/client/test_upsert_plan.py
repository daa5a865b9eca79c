"""The request plans of upsert and provision, request by request (respx)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from _client_support import BASE, KEY, FakeClock, no_jitter
from _scenario_support import ALL_LIST, TIER_LISTS, fake_provisioning
from tajo_brevo import (
    TAJO_ATTRIBUTES,
    BadRequestError,
    LoyaltyProfile,
    TajoBrevo,
    Tier,
)

CORE = {
    "LOYALTY_ID": "text",
    "LOYALTY_POINTS": "float",
    "LOYALTY_TIER": "text",
    # with_tier() also sets these two when the tier is computed from the points
    "TIER_PROGRESS": "float",
    "NEXT_TIER_POINTS": "float",
}
GOLD = LoyaltyProfile(email="g@example.com", loyalty_id="L1", loyalty_points=1600)


def attributes_body(types: dict[str, str]) -> dict[str, object]:
    return {
        "attributes": [
            {"name": name, "category": "normal", "type": kind} for name, kind in types.items()
        ]
    }


@pytest.fixture
def client() -> TajoBrevo:
    clock = FakeClock()
    return TajoBrevo(api_key=KEY, sleep=clock.sleep, clock=clock, jitter=no_jitter)


def test_existing_customer_is_one_put_with_lists_and_unlinks(client: TajoBrevo) -> None:
    with respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(200, json=attributes_body(CORE))
        put = router.put("/contacts/g%40example.com").respond(204)
        result = client.upsert_customer(GOLD, provisioning=fake_provisioning())
    assert result.created is False and result.tier is Tier.GOLD
    body = json.loads(put.calls.last.request.content)
    assert body["listIds"] == [ALL_LIST, TIER_LISTS[Tier.GOLD]]
    assert sorted(body["unlinkListIds"]) == sorted(
        TIER_LISTS[t] for t in Tier if t is not Tier.GOLD
    )
    assert body["attributes"]["LOYALTY_TIER"] == "Gold"


def test_new_customer_is_a_put_404_then_an_upsert_post(client: TajoBrevo) -> None:
    with respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(200, json=attributes_body(CORE))
        router.put("/contacts/g%40example.com").respond(
            404, json={"code": "document_not_found", "message": "Contact does not exist"}
        )
        post = router.post("/contacts").respond(201, json={"id": 42})
        result = client.upsert_customer(GOLD, provisioning=fake_provisioning())
    assert (result.created, result.contact_id) == (True, 42)
    body = json.loads(post.calls.last.request.content)
    assert body["updateEnabled"] is True and body["email"] == "g@example.com"
    assert body["listIds"] == [ALL_LIST, TIER_LISTS[Tier.GOLD]]


def test_a_contact_created_in_between_gets_its_other_tiers_unlinked(client: TajoBrevo) -> None:
    with respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(200, json=attributes_body(CORE))
        put = router.put("/contacts/g%40example.com").mock(
            side_effect=[
                httpx.Response(404, json={"code": "document_not_found", "message": "gone"}),
                httpx.Response(204),
            ]
        )
        router.post("/contacts").respond(204)
        result = client.upsert_customer(GOLD, provisioning=fake_provisioning())
    assert result.created is False and result.contact_id is None
    assert put.call_count == 2
    assert set(json.loads(put.calls.last.request.content)) == {"unlinkListIds"}


def test_attribute_types_are_read_once_per_client(client: TajoBrevo) -> None:
    with respx.mock(base_url=BASE) as router:
        attrs = router.get("/contacts/attributes").respond(200, json=attributes_body(CORE))
        router.put(url__regex=r"/contacts/.+").respond(204)
        for n in range(3):
            client.upsert_customer(
                LoyaltyProfile(email=f"c{n}@example.com", loyalty_id="L", loyalty_points=n),
                provisioning=fake_provisioning(),
            )
    assert attrs.call_count == 1


def provision_routes(router: respx.MockRouter, after: dict[str, str]) -> respx.Route:
    router.get("/contacts/attributes").mock(
        side_effect=[
            httpx.Response(200, json=attributes_body({})),
            httpx.Response(200, json=attributes_body(after)),
        ]
    )
    create = router.post(url__regex=r"/contacts/attributes/normal/.+").mock(
        side_effect=lambda request: (
            httpx.Response(
                400, json={"code": "invalid_parameter", "message": "Attribute name already exists"}
            )
            if request.url.path.endswith("/LOYALTY_ID")
            else httpx.Response(201)
        )
    )
    router.get("/contacts/folders").respond(200, json={"folders": [], "count": 0})
    router.post("/contacts/folders").respond(201, json={"id": 9})
    ids = iter(range(10, 20))
    router.post("/contacts/lists").mock(
        side_effect=lambda request: httpx.Response(201, json={"id": next(ids)})
    )
    return create


def test_an_attribute_create_refused_as_existing_is_checked_by_reading_back(
    client: TajoBrevo,
) -> None:
    # e.g. a retried create whose first attempt succeeded.
    everything = {s.name: s.type for s in TAJO_ATTRIBUTES.values()}
    with respx.mock(base_url=BASE) as router:
        create = provision_routes(router, everything)
        result = client.provision()
    assert "LOYALTY_ID" in result.attributes_created
    assert create.call_count == sum(1 for s in TAJO_ATTRIBUTES.values() if not s.builtin)
    assert result.folder_id == 9 and result.all_customers_list_id == 10


def test_an_attribute_create_refused_and_absent_raises(client: TajoBrevo) -> None:
    everything = {s.name: s.type for s in TAJO_ATTRIBUTES.values() if s.name != "LOYALTY_ID"}
    with respx.mock(base_url=BASE) as router:
        provision_routes(router, everything)
        with pytest.raises(BadRequestError, match="already exists"):
            client.provision()


def test_an_attribute_type_the_generated_client_cannot_parse_is_read_anyway(
    client: TajoBrevo,
) -> None:
    # Production has types the spec's enum lacks; the generated parser raises on them.
    body = attributes_body({**CORE, "HOBBIES": "multiple-choice"})
    with respx.mock(base_url=BASE) as router:
        router.get("/contacts/attributes").respond(200, json=body)
        infos = client.refresh_attributes()
        router.put("/contacts/g%40example.com").respond(204)
        client.upsert_customer(
            LoyaltyProfile(
                email="g@example.com", loyalty_id="L1", loyalty_points=1600, extra={"HOBBIES": "x"}
            ),
            provisioning=fake_provisioning(),
        )
    assert ("HOBBIES", "multiple-choice") in {(i.name, i.type) for i in infos}

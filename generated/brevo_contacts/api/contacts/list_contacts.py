import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.contact_list import ContactList
from ...models.error_response import ErrorResponse
from ...models.list_contacts_sort import ListContactsSort
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    modified_since: datetime.datetime | Unset = UNSET,
    sort: ListContactsSort | Unset = UNSET,
    list_ids: list[int] | Unset = UNSET,
    ids: list[int] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    json_modified_since: str | Unset = UNSET
    if not isinstance(modified_since, Unset):
        json_modified_since = modified_since.isoformat()
    params["modifiedSince"] = json_modified_since

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    json_list_ids: list[int] | Unset = UNSET
    if not isinstance(list_ids, Unset):
        json_list_ids = list_ids

    params["listIds"] = json_list_ids

    json_ids: list[int] | Unset = UNSET
    if not isinstance(ids, Unset):
        json_ids = ids

    params["ids"] = json_ids

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/contacts",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ContactList | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = ContactList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ContactList | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    modified_since: datetime.datetime | Unset = UNSET,
    sort: ListContactsSort | Unset = UNSET,
    list_ids: list[int] | Unset = UNSET,
    ids: list[int] | Unset = UNSET,
) -> Response[ContactList | ErrorResponse]:
    """Get all contacts

     Retrieves a paginated list of contacts from the account. Supports filtering by modification date and
    sorting. The response includes contact attributes and list memberships.

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        modified_since (datetime.datetime | Unset):
        sort (ListContactsSort | Unset):
        list_ids (list[int] | Unset):
        ids (list[int] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        offset=offset,
        modified_since=modified_since,
        sort=sort,
        list_ids=list_ids,
        ids=ids,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    modified_since: datetime.datetime | Unset = UNSET,
    sort: ListContactsSort | Unset = UNSET,
    list_ids: list[int] | Unset = UNSET,
    ids: list[int] | Unset = UNSET,
) -> ContactList | ErrorResponse | None:
    """Get all contacts

     Retrieves a paginated list of contacts from the account. Supports filtering by modification date and
    sorting. The response includes contact attributes and list memberships.

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        modified_since (datetime.datetime | Unset):
        sort (ListContactsSort | Unset):
        list_ids (list[int] | Unset):
        ids (list[int] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactList | ErrorResponse
    """

    return sync_detailed(
        client=client,
        limit=limit,
        offset=offset,
        modified_since=modified_since,
        sort=sort,
        list_ids=list_ids,
        ids=ids,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    modified_since: datetime.datetime | Unset = UNSET,
    sort: ListContactsSort | Unset = UNSET,
    list_ids: list[int] | Unset = UNSET,
    ids: list[int] | Unset = UNSET,
) -> Response[ContactList | ErrorResponse]:
    """Get all contacts

     Retrieves a paginated list of contacts from the account. Supports filtering by modification date and
    sorting. The response includes contact attributes and list memberships.

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        modified_since (datetime.datetime | Unset):
        sort (ListContactsSort | Unset):
        list_ids (list[int] | Unset):
        ids (list[int] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        offset=offset,
        modified_since=modified_since,
        sort=sort,
        list_ids=list_ids,
        ids=ids,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    modified_since: datetime.datetime | Unset = UNSET,
    sort: ListContactsSort | Unset = UNSET,
    list_ids: list[int] | Unset = UNSET,
    ids: list[int] | Unset = UNSET,
) -> ContactList | ErrorResponse | None:
    """Get all contacts

     Retrieves a paginated list of contacts from the account. Supports filtering by modification date and
    sorting. The response includes contact attributes and list memberships.

    Args:
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        modified_since (datetime.datetime | Unset):
        sort (ListContactsSort | Unset):
        list_ids (list[int] | Unset):
        ids (list[int] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactList | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            offset=offset,
            modified_since=modified_since,
            sort=sort,
            list_ids=list_ids,
            ids=ids,
        )
    ).parsed

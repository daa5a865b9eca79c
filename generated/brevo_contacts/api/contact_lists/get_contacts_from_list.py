import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.contact_list import ContactList
from ...models.error_response import ErrorResponse
from ...models.get_contacts_from_list_sort import GetContactsFromListSort
from ...types import UNSET, Response, Unset


def _get_kwargs(
    list_id: int,
    *,
    modified_since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    sort: GetContactsFromListSort | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_modified_since: str | Unset = UNSET
    if not isinstance(modified_since, Unset):
        json_modified_since = modified_since.isoformat()
    params["modifiedSince"] = json_modified_since

    params["limit"] = limit

    params["offset"] = offset

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/contacts/lists/{list_id}/contacts".format(
            list_id=quote(str(list_id), safe=""),
        ),
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

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

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
    list_id: int,
    *,
    client: AuthenticatedClient | Client,
    modified_since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    sort: GetContactsFromListSort | Unset = UNSET,
) -> Response[ContactList | ErrorResponse]:
    """Get the contacts of a list

     The list's members, newest first by default, paginated.

    Args:
        list_id (int):
        modified_since (datetime.datetime | Unset):
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        sort (GetContactsFromListSort | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        modified_since=modified_since,
        limit=limit,
        offset=offset,
        sort=sort,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    list_id: int,
    *,
    client: AuthenticatedClient | Client,
    modified_since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    sort: GetContactsFromListSort | Unset = UNSET,
) -> ContactList | ErrorResponse | None:
    """Get the contacts of a list

     The list's members, newest first by default, paginated.

    Args:
        list_id (int):
        modified_since (datetime.datetime | Unset):
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        sort (GetContactsFromListSort | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactList | ErrorResponse
    """

    return sync_detailed(
        list_id=list_id,
        client=client,
        modified_since=modified_since,
        limit=limit,
        offset=offset,
        sort=sort,
    ).parsed


async def asyncio_detailed(
    list_id: int,
    *,
    client: AuthenticatedClient | Client,
    modified_since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    sort: GetContactsFromListSort | Unset = UNSET,
) -> Response[ContactList | ErrorResponse]:
    """Get the contacts of a list

     The list's members, newest first by default, paginated.

    Args:
        list_id (int):
        modified_since (datetime.datetime | Unset):
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        sort (GetContactsFromListSort | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ContactList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        list_id=list_id,
        modified_since=modified_since,
        limit=limit,
        offset=offset,
        sort=sort,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    list_id: int,
    *,
    client: AuthenticatedClient | Client,
    modified_since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    sort: GetContactsFromListSort | Unset = UNSET,
) -> ContactList | ErrorResponse | None:
    """Get the contacts of a list

     The list's members, newest first by default, paginated.

    Args:
        list_id (int):
        modified_since (datetime.datetime | Unset):
        limit (int | Unset):  Default: 50.
        offset (int | Unset):  Default: 0.
        sort (GetContactsFromListSort | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ContactList | ErrorResponse
    """

    return (
        await asyncio_detailed(
            list_id=list_id,
            client=client,
            modified_since=modified_since,
            limit=limit,
            offset=offset,
            sort=sort,
        )
    ).parsed

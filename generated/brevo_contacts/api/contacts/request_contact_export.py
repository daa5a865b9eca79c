from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.created_process_id import CreatedProcessId
from ...models.error_response import ErrorResponse
from ...models.no_contact_to_export import NoContactToExport
from ...models.request_contact_export import RequestContactExport
from ...types import Response


def _get_kwargs(
    *,
    body: RequestContactExport,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/contacts/export",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreatedProcessId | ErrorResponse | NoContactToExport | None:
    if response.status_code == 200:
        response_200 = NoContactToExport.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = CreatedProcessId.from_dict(response.json())

        return response_202

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
) -> Response[CreatedProcessId | ErrorResponse | NoContactToExport]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RequestContactExport,
) -> Response[CreatedProcessId | ErrorResponse | NoContactToExport]:
    """Export contacts

     Starts a background export of the selected contacts and answers its process id; the completed
    process (GET /processes/{processId}) carries export_url, a CSV file of the contacts.

    Args:
        body (RequestContactExport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreatedProcessId | ErrorResponse | NoContactToExport]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: RequestContactExport,
) -> CreatedProcessId | ErrorResponse | NoContactToExport | None:
    """Export contacts

     Starts a background export of the selected contacts and answers its process id; the completed
    process (GET /processes/{processId}) carries export_url, a CSV file of the contacts.

    Args:
        body (RequestContactExport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreatedProcessId | ErrorResponse | NoContactToExport
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RequestContactExport,
) -> Response[CreatedProcessId | ErrorResponse | NoContactToExport]:
    """Export contacts

     Starts a background export of the selected contacts and answers its process id; the completed
    process (GET /processes/{processId}) carries export_url, a CSV file of the contacts.

    Args:
        body (RequestContactExport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreatedProcessId | ErrorResponse | NoContactToExport]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RequestContactExport,
) -> CreatedProcessId | ErrorResponse | NoContactToExport | None:
    """Export contacts

     Starts a background export of the selected contacts and answers its process id; the completed
    process (GET /processes/{processId}) carries export_url, a CSV file of the contacts.

    Args:
        body (RequestContactExport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreatedProcessId | ErrorResponse | NoContactToExport
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed

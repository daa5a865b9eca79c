from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ContactListSummary")


@_attrs_define
class ContactListSummary:
    """
    Attributes:
        id (int): Unique identifier of the list.
        name (str): Name of the list.
        total_blacklisted (int): Number of blacklisted contacts in the list.
        total_subscribers (int): Number of contacts in the list.
        unique_subscribers (int): Number of distinct contacts in the list.
        folder_id (int): ID of the folder containing the list.
    """

    id: int
    name: str
    total_blacklisted: int
    total_subscribers: int
    unique_subscribers: int
    folder_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        total_blacklisted = self.total_blacklisted

        total_subscribers = self.total_subscribers

        unique_subscribers = self.unique_subscribers

        folder_id = self.folder_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "totalBlacklisted": total_blacklisted,
                "totalSubscribers": total_subscribers,
                "uniqueSubscribers": unique_subscribers,
                "folderId": folder_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        total_blacklisted = d.pop("totalBlacklisted")

        total_subscribers = d.pop("totalSubscribers")

        unique_subscribers = d.pop("uniqueSubscribers")

        folder_id = d.pop("folderId")

        contact_list_summary = cls(
            id=id,
            name=name,
            total_blacklisted=total_blacklisted,
            total_subscribers=total_subscribers,
            unique_subscribers=unique_subscribers,
            folder_id=folder_id,
        )

        contact_list_summary.additional_properties = d
        return contact_list_summary

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

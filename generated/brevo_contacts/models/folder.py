from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Folder")


@_attrs_define
class Folder:
    """
    Attributes:
        id (int): Unique identifier of the folder.
        name (str): Name of the folder.
        total_subscribers (int): Total subscribers across all lists in the folder.
        total_blacklisted (int): Total blacklisted contacts across all lists.
        unique_subscribers (int): Unique subscribers across all lists in the folder.
    """

    id: int
    name: str
    total_subscribers: int
    total_blacklisted: int
    unique_subscribers: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        total_subscribers = self.total_subscribers

        total_blacklisted = self.total_blacklisted

        unique_subscribers = self.unique_subscribers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "totalSubscribers": total_subscribers,
                "totalBlacklisted": total_blacklisted,
                "uniqueSubscribers": unique_subscribers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        total_subscribers = d.pop("totalSubscribers")

        total_blacklisted = d.pop("totalBlacklisted")

        unique_subscribers = d.pop("uniqueSubscribers")

        folder = cls(
            id=id,
            name=name,
            total_subscribers=total_subscribers,
            total_blacklisted=total_blacklisted,
            unique_subscribers=unique_subscribers,
        )

        folder.additional_properties = d
        return folder

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.contact_list_detail import ContactListDetail


T = TypeVar("T", bound="ContactListCollection")


@_attrs_define
class ContactListCollection:
    """
    Attributes:
        count (int): Total number of contact lists.
        lists (list[ContactListDetail]): List of contact list summaries.
    """

    count: int
    lists: list[ContactListDetail]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        lists = []
        for lists_item_data in self.lists:
            lists_item = lists_item_data.to_dict()
            lists.append(lists_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "lists": lists,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_list_detail import ContactListDetail

        d = dict(src_dict)
        count = d.pop("count")

        lists = []
        _lists = d.pop("lists")
        for lists_item_data in _lists:
            lists_item = ContactListDetail.from_dict(lists_item_data)

            lists.append(lists_item)

        contact_list_collection = cls(
            count=count,
            lists=lists,
        )

        contact_list_collection.additional_properties = d
        return contact_list_collection

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

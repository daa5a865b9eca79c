from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_list_summary import ContactListSummary


T = TypeVar("T", bound="ContactListCollection")


@_attrs_define
class ContactListCollection:
    """
    Attributes:
        count (int | Unset): Total number of contact lists.
        lists (list[ContactListSummary] | Unset): List of contact list summaries.
    """

    count: int | Unset = UNSET
    lists: list[ContactListSummary] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        lists: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.lists, Unset):
            lists = []
            for lists_item_data in self.lists:
                lists_item = lists_item_data.to_dict()
                lists.append(lists_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if count is not UNSET:
            field_dict["count"] = count
        if lists is not UNSET:
            field_dict["lists"] = lists

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_list_summary import ContactListSummary

        d = dict(src_dict)
        count = d.pop("count", UNSET)

        _lists = d.pop("lists", UNSET)
        lists: list[ContactListSummary] | Unset = UNSET
        if _lists is not UNSET:
            lists = []
            for lists_item_data in _lists:
                lists_item = ContactListSummary.from_dict(lists_item_data)

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

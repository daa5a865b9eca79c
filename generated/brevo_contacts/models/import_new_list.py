from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ImportNewList")


@_attrs_define
class ImportNewList:
    """Create a new list and add imported contacts to it.

    Attributes:
        list_name (str): Name of the new list.
        folder_id (int): Folder ID for the new list.
    """

    list_name: str
    folder_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        list_name = self.list_name

        folder_id = self.folder_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "listName": list_name,
                "folderId": folder_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        list_name = d.pop("listName")

        folder_id = d.pop("folderId")

        import_new_list = cls(
            list_name=list_name,
            folder_id=folder_id,
        )

        import_new_list.additional_properties = d
        return import_new_list

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_json_body_item_attributes import ImportJsonBodyItemAttributes


T = TypeVar("T", bound="ImportJsonBodyItem")


@_attrs_define
class ImportJsonBodyItem:
    """
    Attributes:
        email (str | Unset): Email address of the contact.
        attributes (ImportJsonBodyItemAttributes | Unset): Attribute values of the contact, by name.
    """

    email: str | Unset = UNSET
    attributes: ImportJsonBodyItemAttributes | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if attributes is not UNSET:
            field_dict["attributes"] = attributes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.import_json_body_item_attributes import (
            ImportJsonBodyItemAttributes,
        )

        d = dict(src_dict)
        email = d.pop("email", UNSET)

        _attributes = d.pop("attributes", UNSET)
        attributes: ImportJsonBodyItemAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = ImportJsonBodyItemAttributes.from_dict(_attributes)

        import_json_body_item = cls(
            email=email,
            attributes=attributes,
        )

        import_json_body_item.additional_properties = d
        return import_json_body_item

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.attribute_type import AttributeType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attribute_enumeration import AttributeEnumeration


T = TypeVar("T", bound="CreateContactAttribute")


@_attrs_define
class CreateContactAttribute:
    """
    Attributes:
        value (str | Unset): Default or computed value for the attribute.
        enumeration (list[AttributeEnumeration] | Unset): Enum values for category-type attributes.
        type_ (AttributeType | Unset): Data type of an attribute value.
    """

    value: str | Unset = UNSET
    enumeration: list[AttributeEnumeration] | Unset = UNSET
    type_: AttributeType | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        enumeration: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.enumeration, Unset):
            enumeration = []
            for enumeration_item_data in self.enumeration:
                enumeration_item = enumeration_item_data.to_dict()
                enumeration.append(enumeration_item)

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if value is not UNSET:
            field_dict["value"] = value
        if enumeration is not UNSET:
            field_dict["enumeration"] = enumeration
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attribute_enumeration import AttributeEnumeration

        d = dict(src_dict)
        value = d.pop("value", UNSET)

        _enumeration = d.pop("enumeration", UNSET)
        enumeration: list[AttributeEnumeration] | Unset = UNSET
        if _enumeration is not UNSET:
            enumeration = []
            for enumeration_item_data in _enumeration:
                enumeration_item = AttributeEnumeration.from_dict(enumeration_item_data)

                enumeration.append(enumeration_item)

        _type_ = d.pop("type", UNSET)
        type_: AttributeType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = AttributeType(_type_)

        create_contact_attribute = cls(
            value=value,
            enumeration=enumeration,
            type_=type_,
        )

        create_contact_attribute.additional_properties = d
        return create_contact_attribute

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

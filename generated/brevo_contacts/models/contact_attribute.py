from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.attribute_category import AttributeCategory
from ..models.contact_attribute_type import ContactAttributeType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attribute_enumeration import AttributeEnumeration


T = TypeVar("T", bound="ContactAttribute")


@_attrs_define
class ContactAttribute:
    """
    Attributes:
        name (str): Name of the attribute.
        category (AttributeCategory): Category of a contact attribute.
        enumeration (list[AttributeEnumeration] | Unset): Enumeration values for category attributes.
        type_ (ContactAttributeType | Unset): Data type of an attribute, as a read of the account's attributes gives it.
        calculated_value (str | Unset): Formula of a calculated attribute.
        multi_category_options (list[str] | Unset): The options of a multiple-choice attribute.
    """

    name: str
    category: AttributeCategory
    enumeration: list[AttributeEnumeration] | Unset = UNSET
    type_: ContactAttributeType | Unset = UNSET
    calculated_value: str | Unset = UNSET
    multi_category_options: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        category = self.category.value

        enumeration: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.enumeration, Unset):
            enumeration = []
            for enumeration_item_data in self.enumeration:
                enumeration_item = enumeration_item_data.to_dict()
                enumeration.append(enumeration_item)

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        calculated_value = self.calculated_value

        multi_category_options: list[str] | Unset = UNSET
        if not isinstance(self.multi_category_options, Unset):
            multi_category_options = self.multi_category_options

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "category": category,
            }
        )
        if enumeration is not UNSET:
            field_dict["enumeration"] = enumeration
        if type_ is not UNSET:
            field_dict["type"] = type_
        if calculated_value is not UNSET:
            field_dict["calculatedValue"] = calculated_value
        if multi_category_options is not UNSET:
            field_dict["multiCategoryOptions"] = multi_category_options

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attribute_enumeration import AttributeEnumeration

        d = dict(src_dict)
        name = d.pop("name")

        category = AttributeCategory(d.pop("category"))

        _enumeration = d.pop("enumeration", UNSET)
        enumeration: list[AttributeEnumeration] | Unset = UNSET
        if _enumeration is not UNSET:
            enumeration = []
            for enumeration_item_data in _enumeration:
                enumeration_item = AttributeEnumeration.from_dict(enumeration_item_data)

                enumeration.append(enumeration_item)

        _type_ = d.pop("type", UNSET)
        type_: ContactAttributeType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = ContactAttributeType(_type_)

        calculated_value = d.pop("calculatedValue", UNSET)

        multi_category_options = cast(list[str], d.pop("multiCategoryOptions", UNSET))

        contact_attribute = cls(
            name=name,
            category=category,
            enumeration=enumeration,
            type_=type_,
            calculated_value=calculated_value,
            multi_category_options=multi_category_options,
        )

        contact_attribute.additional_properties = d
        return contact_attribute

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

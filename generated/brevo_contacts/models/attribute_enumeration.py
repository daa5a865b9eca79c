from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AttributeEnumeration")


@_attrs_define
class AttributeEnumeration:
    """
    Attributes:
        value (int): Numeric value of the enum option.
        label (str): Display label for the enum option.
        value_str (str | Unset): The option's value as stored (value is 0 when it is not numeric).
    """

    value: int
    label: str
    value_str: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        label = self.label

        value_str = self.value_str

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "value": value,
                "label": label,
            }
        )
        if value_str is not UNSET:
            field_dict["valueStr"] = value_str

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        value = d.pop("value")

        label = d.pop("label")

        value_str = d.pop("valueStr", UNSET)

        attribute_enumeration = cls(
            value=value,
            label=label,
            value_str=value_str,
        )

        attribute_enumeration.additional_properties = d
        return attribute_enumeration

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

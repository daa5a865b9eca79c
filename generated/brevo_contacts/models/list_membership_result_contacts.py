from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ListMembershipResultContacts")


@_attrs_define
class ListMembershipResultContacts:
    """Summary of contacts processed and failed.

    Attributes:
        success (list[str]): Contact identifiers processed successfully.
        failure (list[str]): Contact identifiers that could not be processed.
    """

    success: list[str]
    failure: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        failure = self.failure

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "failure": failure,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        success = cast(list[str], d.pop("success"))

        failure = cast(list[str], d.pop("failure"))

        list_membership_result_contacts = cls(
            success=success,
            failure=failure,
        )

        list_membership_result_contacts.additional_properties = d
        return list_membership_result_contacts

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

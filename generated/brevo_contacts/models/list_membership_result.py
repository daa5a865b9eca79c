from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.list_membership_result_contacts import ListMembershipResultContacts


T = TypeVar("T", bound="ListMembershipResult")


@_attrs_define
class ListMembershipResult:
    """
    Attributes:
        contacts (ListMembershipResultContacts): Summary of contacts processed and failed.
    """

    contacts: ListMembershipResultContacts
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        contacts = self.contacts.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "contacts": contacts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.list_membership_result_contacts import (
            ListMembershipResultContacts,
        )

        d = dict(src_dict)
        contacts = ListMembershipResultContacts.from_dict(d.pop("contacts"))

        list_membership_result = cls(
            contacts=contacts,
        )

        list_membership_result.additional_properties = d
        return list_membership_result

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.list_membership_result_contacts import ListMembershipResultContacts


T = TypeVar("T", bound="ListMembershipResult")


@_attrs_define
class ListMembershipResult:
    """
    Attributes:
        contacts (ListMembershipResultContacts | Unset): Summary of contacts processed and failed.
        success (list[int] | list[str] | Unset): Emails, or contact ids, as sent.
        failure (list[int] | list[str] | Unset): Emails, or contact ids, as sent.
    """

    contacts: ListMembershipResultContacts | Unset = UNSET
    success: list[int] | list[str] | Unset = UNSET
    failure: list[int] | list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        contacts: dict[str, Any] | Unset = UNSET
        if not isinstance(self.contacts, Unset):
            contacts = self.contacts.to_dict()

        success: list[int] | list[str] | Unset
        if isinstance(self.success, Unset):
            success = UNSET
        elif isinstance(self.success, list):
            success = self.success

        else:
            success = self.success

        failure: list[int] | list[str] | Unset
        if isinstance(self.failure, Unset):
            failure = UNSET
        elif isinstance(self.failure, list):
            failure = self.failure

        else:
            failure = self.failure

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if contacts is not UNSET:
            field_dict["contacts"] = contacts
        if success is not UNSET:
            field_dict["success"] = success
        if failure is not UNSET:
            field_dict["failure"] = failure

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.list_membership_result_contacts import (
            ListMembershipResultContacts,
        )

        d = dict(src_dict)
        _contacts = d.pop("contacts", UNSET)
        contacts: ListMembershipResultContacts | Unset
        if isinstance(_contacts, Unset):
            contacts = UNSET
        else:
            contacts = ListMembershipResultContacts.from_dict(_contacts)

        def _parse_success(data: object) -> list[int] | list[str] | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_membership_members_type_0 = cast(list[str], data)

                return componentsschemas_membership_members_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_membership_members_type_1 = cast(list[int], data)

            return componentsschemas_membership_members_type_1

        success = _parse_success(d.pop("success", UNSET))

        def _parse_failure(data: object) -> list[int] | list[str] | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_membership_members_type_0 = cast(list[str], data)

                return componentsschemas_membership_members_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_membership_members_type_1 = cast(list[int], data)

            return componentsschemas_membership_members_type_1

        failure = _parse_failure(d.pop("failure", UNSET))

        list_membership_result = cls(
            contacts=contacts,
            success=success,
            failure=failure,
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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ListMembershipResultContacts")


@_attrs_define
class ListMembershipResultContacts:
    """Summary of contacts processed and failed.

    Attributes:
        success (list[int] | list[str] | Unset): Emails, or contact ids, as sent.
        failure (list[int] | list[str] | Unset): Emails, or contact ids, as sent.
        process_id (int | Unset): Process of a removal of all contacts; its outcome is the process's.
        total (int | Unset): Number of contacts a removal of all contacts removes.
    """

    success: list[int] | list[str] | Unset = UNSET
    failure: list[int] | list[str] | Unset = UNSET
    process_id: int | Unset = UNSET
    total: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
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

        process_id = self.process_id

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if success is not UNSET:
            field_dict["success"] = success
        if failure is not UNSET:
            field_dict["failure"] = failure
        if process_id is not UNSET:
            field_dict["processId"] = process_id
        if total is not UNSET:
            field_dict["total"] = total

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

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

        process_id = d.pop("processId", UNSET)

        total = d.pop("total", UNSET)

        list_membership_result_contacts = cls(
            success=success,
            failure=failure,
            process_id=process_id,
            total=total,
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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.update_contact_attributes import UpdateContactAttributes


T = TypeVar("T", bound="UpdateContact")


@_attrs_define
class UpdateContact:
    """
    Attributes:
        attributes (UpdateContactAttributes | Unset): Custom attribute values to update as key-value pairs.
        list_ids (list[int] | Unset): IDs of lists to set for the contact.
        unlink_list_ids (list[int] | Unset): IDs of lists to remove the contact from.
        email_blacklisted (bool | Unset): Whether to blacklist the contact's email.
        sms_blacklisted (bool | Unset): Whether to blacklist the contact's phone for SMS.
    """

    attributes: UpdateContactAttributes | Unset = UNSET
    list_ids: list[int] | Unset = UNSET
    unlink_list_ids: list[int] | Unset = UNSET
    email_blacklisted: bool | Unset = UNSET
    sms_blacklisted: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        list_ids: list[int] | Unset = UNSET
        if not isinstance(self.list_ids, Unset):
            list_ids = self.list_ids

        unlink_list_ids: list[int] | Unset = UNSET
        if not isinstance(self.unlink_list_ids, Unset):
            unlink_list_ids = self.unlink_list_ids

        email_blacklisted = self.email_blacklisted

        sms_blacklisted = self.sms_blacklisted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if list_ids is not UNSET:
            field_dict["listIds"] = list_ids
        if unlink_list_ids is not UNSET:
            field_dict["unlinkListIds"] = unlink_list_ids
        if email_blacklisted is not UNSET:
            field_dict["emailBlacklisted"] = email_blacklisted
        if sms_blacklisted is not UNSET:
            field_dict["smsBlacklisted"] = sms_blacklisted

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.update_contact_attributes import UpdateContactAttributes

        d = dict(src_dict)
        _attributes = d.pop("attributes", UNSET)
        attributes: UpdateContactAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = UpdateContactAttributes.from_dict(_attributes)

        list_ids = cast(list[int], d.pop("listIds", UNSET))

        unlink_list_ids = cast(list[int], d.pop("unlinkListIds", UNSET))

        email_blacklisted = d.pop("emailBlacklisted", UNSET)

        sms_blacklisted = d.pop("smsBlacklisted", UNSET)

        update_contact = cls(
            attributes=attributes,
            list_ids=list_ids,
            unlink_list_ids=unlink_list_ids,
            email_blacklisted=email_blacklisted,
            sms_blacklisted=sms_blacklisted,
        )

        update_contact.additional_properties = d
        return update_contact

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_contact_attributes import CreateContactAttributes


T = TypeVar("T", bound="CreateContact")


@_attrs_define
class CreateContact:
    """
    Attributes:
        email (str | Unset): Email address of the new contact.
        attributes (CreateContactAttributes | Unset): Custom attribute values as key-value pairs.
        list_ids (list[int] | Unset): IDs of lists to add the contact to.
        update_enabled (bool | Unset): Whether to update the contact if a duplicate email exists. Default: False.
        smtp_blacklist_sender (list[str] | Unset): Sender email addresses to blacklist for this contact.
    """

    email: str | Unset = UNSET
    attributes: CreateContactAttributes | Unset = UNSET
    list_ids: list[int] | Unset = UNSET
    update_enabled: bool | Unset = False
    smtp_blacklist_sender: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        attributes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attributes, Unset):
            attributes = self.attributes.to_dict()

        list_ids: list[int] | Unset = UNSET
        if not isinstance(self.list_ids, Unset):
            list_ids = self.list_ids

        update_enabled = self.update_enabled

        smtp_blacklist_sender: list[str] | Unset = UNSET
        if not isinstance(self.smtp_blacklist_sender, Unset):
            smtp_blacklist_sender = self.smtp_blacklist_sender

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if attributes is not UNSET:
            field_dict["attributes"] = attributes
        if list_ids is not UNSET:
            field_dict["listIds"] = list_ids
        if update_enabled is not UNSET:
            field_dict["updateEnabled"] = update_enabled
        if smtp_blacklist_sender is not UNSET:
            field_dict["smtpBlacklistSender"] = smtp_blacklist_sender

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.create_contact_attributes import CreateContactAttributes

        d = dict(src_dict)
        email = d.pop("email", UNSET)

        _attributes = d.pop("attributes", UNSET)
        attributes: CreateContactAttributes | Unset
        if isinstance(_attributes, Unset):
            attributes = UNSET
        else:
            attributes = CreateContactAttributes.from_dict(_attributes)

        list_ids = cast(list[int], d.pop("listIds", UNSET))

        update_enabled = d.pop("updateEnabled", UNSET)

        smtp_blacklist_sender = cast(list[str], d.pop("smtpBlacklistSender", UNSET))

        create_contact = cls(
            email=email,
            attributes=attributes,
            list_ids=list_ids,
            update_enabled=update_enabled,
            smtp_blacklist_sender=smtp_blacklist_sender,
        )

        create_contact.additional_properties = d
        return create_contact

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

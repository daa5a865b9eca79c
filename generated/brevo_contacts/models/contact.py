from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_attributes import ContactAttributes


T = TypeVar("T", bound="Contact")


@_attrs_define
class Contact:
    """
    Attributes:
        id (int): Unique identifier of the contact.
        email_blacklisted (bool): Whether the contact's email is blacklisted.
        sms_blacklisted (bool): Whether the contact's phone number is blacklisted for SMS.
        modified_at (datetime.datetime): UTC date-time when the contact was last modified.
        created_at (datetime.datetime): UTC date-time when the contact was created.
        list_ids (list[int]): IDs of lists the contact belongs to.
        attributes (ContactAttributes): Custom attribute values for the contact as key-value pairs.
        email (str | Unset): Email address of the contact.
    """

    id: int
    email_blacklisted: bool
    sms_blacklisted: bool
    modified_at: datetime.datetime
    created_at: datetime.datetime
    list_ids: list[int]
    attributes: ContactAttributes
    email: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email_blacklisted = self.email_blacklisted

        sms_blacklisted = self.sms_blacklisted

        modified_at = self.modified_at.isoformat()

        created_at = self.created_at.isoformat()

        list_ids = self.list_ids

        attributes = self.attributes.to_dict()

        email = self.email

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "emailBlacklisted": email_blacklisted,
                "smsBlacklisted": sms_blacklisted,
                "modifiedAt": modified_at,
                "createdAt": created_at,
                "listIds": list_ids,
                "attributes": attributes,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_attributes import ContactAttributes

        d = dict(src_dict)
        id = d.pop("id")

        email_blacklisted = d.pop("emailBlacklisted")

        sms_blacklisted = d.pop("smsBlacklisted")

        modified_at = datetime.datetime.fromisoformat(d.pop("modifiedAt"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        list_ids = cast(list[int], d.pop("listIds"))

        attributes = ContactAttributes.from_dict(d.pop("attributes"))

        email = d.pop("email", UNSET)

        contact = cls(
            id=id,
            email_blacklisted=email_blacklisted,
            sms_blacklisted=sms_blacklisted,
            modified_at=modified_at,
            created_at=created_at,
            list_ids=list_ids,
            attributes=attributes,
            email=email,
        )

        contact.additional_properties = d
        return contact

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

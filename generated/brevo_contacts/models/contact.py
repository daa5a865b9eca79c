from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_attributes import ContactAttributes
    from ..models.contact_consent_groups_item import ContactConsentGroupsItem
    from ..models.contact_statistics import ContactStatistics


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
        whatsapp_blacklisted (bool | Unset): Whether the contact is blacklisted for WhatsApp.
        list_unsubscribed (list[int] | Unset): IDs of lists the contact unsubscribed from.
        consent_groups (list[ContactConsentGroupsItem] | Unset): Consent groups of the contact (accounts with consent
            groups only).
        statistics (ContactStatistics | Unset): Campaign statistics of the contact (one contact's read only).
    """

    id: int
    email_blacklisted: bool
    sms_blacklisted: bool
    modified_at: datetime.datetime
    created_at: datetime.datetime
    list_ids: list[int]
    attributes: ContactAttributes
    email: str | Unset = UNSET
    whatsapp_blacklisted: bool | Unset = UNSET
    list_unsubscribed: list[int] | Unset = UNSET
    consent_groups: list[ContactConsentGroupsItem] | Unset = UNSET
    statistics: ContactStatistics | Unset = UNSET
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

        whatsapp_blacklisted = self.whatsapp_blacklisted

        list_unsubscribed: list[int] | Unset = UNSET
        if not isinstance(self.list_unsubscribed, Unset):
            list_unsubscribed = self.list_unsubscribed

        consent_groups: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.consent_groups, Unset):
            consent_groups = []
            for consent_groups_item_data in self.consent_groups:
                consent_groups_item = consent_groups_item_data.to_dict()
                consent_groups.append(consent_groups_item)

        statistics: dict[str, Any] | Unset = UNSET
        if not isinstance(self.statistics, Unset):
            statistics = self.statistics.to_dict()

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
        if whatsapp_blacklisted is not UNSET:
            field_dict["whatsappBlacklisted"] = whatsapp_blacklisted
        if list_unsubscribed is not UNSET:
            field_dict["listUnsubscribed"] = list_unsubscribed
        if consent_groups is not UNSET:
            field_dict["consentGroups"] = consent_groups
        if statistics is not UNSET:
            field_dict["statistics"] = statistics

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_attributes import ContactAttributes
        from ..models.contact_consent_groups_item import ContactConsentGroupsItem
        from ..models.contact_statistics import ContactStatistics

        d = dict(src_dict)
        id = d.pop("id")

        email_blacklisted = d.pop("emailBlacklisted")

        sms_blacklisted = d.pop("smsBlacklisted")

        modified_at = datetime.datetime.fromisoformat(d.pop("modifiedAt"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        list_ids = cast(list[int], d.pop("listIds"))

        attributes = ContactAttributes.from_dict(d.pop("attributes"))

        email = d.pop("email", UNSET)

        whatsapp_blacklisted = d.pop("whatsappBlacklisted", UNSET)

        list_unsubscribed = cast(list[int], d.pop("listUnsubscribed", UNSET))

        _consent_groups = d.pop("consentGroups", UNSET)
        consent_groups: list[ContactConsentGroupsItem] | Unset = UNSET
        if _consent_groups is not UNSET:
            consent_groups = []
            for consent_groups_item_data in _consent_groups:
                consent_groups_item = ContactConsentGroupsItem.from_dict(
                    consent_groups_item_data
                )

                consent_groups.append(consent_groups_item)

        _statistics = d.pop("statistics", UNSET)
        statistics: ContactStatistics | Unset
        if isinstance(_statistics, Unset):
            statistics = UNSET
        else:
            statistics = ContactStatistics.from_dict(_statistics)

        contact = cls(
            id=id,
            email_blacklisted=email_blacklisted,
            sms_blacklisted=sms_blacklisted,
            modified_at=modified_at,
            created_at=created_at,
            list_ids=list_ids,
            attributes=attributes,
            email=email,
            whatsapp_blacklisted=whatsapp_blacklisted,
            list_unsubscribed=list_unsubscribed,
            consent_groups=consent_groups,
            statistics=statistics,
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

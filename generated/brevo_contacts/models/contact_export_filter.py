from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.contact_export_filter_action_for_contacts import (
    ContactExportFilterActionForContacts,
)
from ..models.contact_export_filter_action_for_email_campaigns import (
    ContactExportFilterActionForEmailCampaigns,
)
from ..models.contact_export_filter_action_for_sms_campaigns import (
    ContactExportFilterActionForSmsCampaigns,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="ContactExportFilter")


@_attrs_define
class ContactExportFilter:
    """Which contacts to export. actionForContacts (with listId or segmentId, or a date filter) selects from the contact
    base; the campaign actions select from a campaign's recipients.

        Attributes:
            action_for_contacts (ContactExportFilterActionForContacts | Unset): allContacts, subscribed / unsubscribed
                (blacklisted by any means), or unsubscribedPerList (unsubscribed from this list only).
            action_for_email_campaigns (ContactExportFilterActionForEmailCampaigns | Unset): Select recipients of email
                campaigns by what they did.
            action_for_sms_campaigns (ContactExportFilterActionForSmsCampaigns | Unset): Select recipients of SMS campaigns
                by what they did.
            email_campaign_id (int | Unset): The email campaign of actionForEmailCampaigns.
            sms_campaign_id (int | Unset): The SMS campaign of actionForSmsCampaigns.
            list_id (int | Unset): The list actionForContacts applies to (or segmentId).
            segment_id (int | Unset): The segment actionForContacts applies to (or listId).
            modified_since (datetime.datetime | Unset): Only contacts modified after this date-time (with its offset).
            created_since (datetime.datetime | Unset): Only contacts created after this date-time (with its offset).
    """

    action_for_contacts: ContactExportFilterActionForContacts | Unset = UNSET
    action_for_email_campaigns: ContactExportFilterActionForEmailCampaigns | Unset = (
        UNSET
    )
    action_for_sms_campaigns: ContactExportFilterActionForSmsCampaigns | Unset = UNSET
    email_campaign_id: int | Unset = UNSET
    sms_campaign_id: int | Unset = UNSET
    list_id: int | Unset = UNSET
    segment_id: int | Unset = UNSET
    modified_since: datetime.datetime | Unset = UNSET
    created_since: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action_for_contacts: str | Unset = UNSET
        if not isinstance(self.action_for_contacts, Unset):
            action_for_contacts = self.action_for_contacts.value

        action_for_email_campaigns: str | Unset = UNSET
        if not isinstance(self.action_for_email_campaigns, Unset):
            action_for_email_campaigns = self.action_for_email_campaigns.value

        action_for_sms_campaigns: str | Unset = UNSET
        if not isinstance(self.action_for_sms_campaigns, Unset):
            action_for_sms_campaigns = self.action_for_sms_campaigns.value

        email_campaign_id = self.email_campaign_id

        sms_campaign_id = self.sms_campaign_id

        list_id = self.list_id

        segment_id = self.segment_id

        modified_since: str | Unset = UNSET
        if not isinstance(self.modified_since, Unset):
            modified_since = self.modified_since.isoformat()

        created_since: str | Unset = UNSET
        if not isinstance(self.created_since, Unset):
            created_since = self.created_since.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if action_for_contacts is not UNSET:
            field_dict["actionForContacts"] = action_for_contacts
        if action_for_email_campaigns is not UNSET:
            field_dict["actionForEmailCampaigns"] = action_for_email_campaigns
        if action_for_sms_campaigns is not UNSET:
            field_dict["actionForSmsCampaigns"] = action_for_sms_campaigns
        if email_campaign_id is not UNSET:
            field_dict["emailCampaignId"] = email_campaign_id
        if sms_campaign_id is not UNSET:
            field_dict["smsCampaignId"] = sms_campaign_id
        if list_id is not UNSET:
            field_dict["listId"] = list_id
        if segment_id is not UNSET:
            field_dict["segmentId"] = segment_id
        if modified_since is not UNSET:
            field_dict["modifiedSince"] = modified_since
        if created_since is not UNSET:
            field_dict["createdSince"] = created_since

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _action_for_contacts = d.pop("actionForContacts", UNSET)
        action_for_contacts: ContactExportFilterActionForContacts | Unset
        if isinstance(_action_for_contacts, Unset):
            action_for_contacts = UNSET
        else:
            action_for_contacts = ContactExportFilterActionForContacts(
                _action_for_contacts
            )

        _action_for_email_campaigns = d.pop("actionForEmailCampaigns", UNSET)
        action_for_email_campaigns: ContactExportFilterActionForEmailCampaigns | Unset
        if isinstance(_action_for_email_campaigns, Unset):
            action_for_email_campaigns = UNSET
        else:
            action_for_email_campaigns = ContactExportFilterActionForEmailCampaigns(
                _action_for_email_campaigns
            )

        _action_for_sms_campaigns = d.pop("actionForSmsCampaigns", UNSET)
        action_for_sms_campaigns: ContactExportFilterActionForSmsCampaigns | Unset
        if isinstance(_action_for_sms_campaigns, Unset):
            action_for_sms_campaigns = UNSET
        else:
            action_for_sms_campaigns = ContactExportFilterActionForSmsCampaigns(
                _action_for_sms_campaigns
            )

        email_campaign_id = d.pop("emailCampaignId", UNSET)

        sms_campaign_id = d.pop("smsCampaignId", UNSET)

        list_id = d.pop("listId", UNSET)

        segment_id = d.pop("segmentId", UNSET)

        _modified_since = d.pop("modifiedSince", UNSET)
        modified_since: datetime.datetime | Unset
        if isinstance(_modified_since, Unset):
            modified_since = UNSET
        else:
            modified_since = datetime.datetime.fromisoformat(_modified_since)

        _created_since = d.pop("createdSince", UNSET)
        created_since: datetime.datetime | Unset
        if isinstance(_created_since, Unset):
            created_since = UNSET
        else:
            created_since = datetime.datetime.fromisoformat(_created_since)

        contact_export_filter = cls(
            action_for_contacts=action_for_contacts,
            action_for_email_campaigns=action_for_email_campaigns,
            action_for_sms_campaigns=action_for_sms_campaigns,
            email_campaign_id=email_campaign_id,
            sms_campaign_id=sms_campaign_id,
            list_id=list_id,
            segment_id=segment_id,
            modified_since=modified_since,
            created_since=created_since,
        )

        contact_export_filter.additional_properties = d
        return contact_export_filter

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

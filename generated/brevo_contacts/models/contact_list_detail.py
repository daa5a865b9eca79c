from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_list_detail_campaign_stats_item import (
        ContactListDetailCampaignStatsItem,
    )


T = TypeVar("T", bound="ContactListDetail")


@_attrs_define
class ContactListDetail:
    """
    Attributes:
        id (int): Unique identifier of the list.
        name (str): Name of the list.
        total_subscribers (int): Total number of subscribers in the list.
        total_blacklisted (int): Total number of blacklisted contacts in the list.
        folder_id (int): ID of the folder containing the list.
        created_at (datetime.datetime): UTC date-time when the list was created.
        unique_subscribers (int): Number of distinct contacts in the list.
        dynamic_list (bool | Unset): Whether the list is dynamic.
        campaign_stats (list[ContactListDetailCampaignStatsItem] | Unset): Statistics of the campaigns sent to the list.
    """

    id: int
    name: str
    total_subscribers: int
    total_blacklisted: int
    folder_id: int
    created_at: datetime.datetime
    unique_subscribers: int
    dynamic_list: bool | Unset = UNSET
    campaign_stats: list[ContactListDetailCampaignStatsItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        total_subscribers = self.total_subscribers

        total_blacklisted = self.total_blacklisted

        folder_id = self.folder_id

        created_at = self.created_at.isoformat()

        unique_subscribers = self.unique_subscribers

        dynamic_list = self.dynamic_list

        campaign_stats: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.campaign_stats, Unset):
            campaign_stats = []
            for campaign_stats_item_data in self.campaign_stats:
                campaign_stats_item = campaign_stats_item_data.to_dict()
                campaign_stats.append(campaign_stats_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "totalSubscribers": total_subscribers,
                "totalBlacklisted": total_blacklisted,
                "folderId": folder_id,
                "createdAt": created_at,
                "uniqueSubscribers": unique_subscribers,
            }
        )
        if dynamic_list is not UNSET:
            field_dict["dynamicList"] = dynamic_list
        if campaign_stats is not UNSET:
            field_dict["campaignStats"] = campaign_stats

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_list_detail_campaign_stats_item import (
            ContactListDetailCampaignStatsItem,
        )

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        total_subscribers = d.pop("totalSubscribers")

        total_blacklisted = d.pop("totalBlacklisted")

        folder_id = d.pop("folderId")

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        unique_subscribers = d.pop("uniqueSubscribers")

        dynamic_list = d.pop("dynamicList", UNSET)

        _campaign_stats = d.pop("campaignStats", UNSET)
        campaign_stats: list[ContactListDetailCampaignStatsItem] | Unset = UNSET
        if _campaign_stats is not UNSET:
            campaign_stats = []
            for campaign_stats_item_data in _campaign_stats:
                campaign_stats_item = ContactListDetailCampaignStatsItem.from_dict(
                    campaign_stats_item_data
                )

                campaign_stats.append(campaign_stats_item)

        contact_list_detail = cls(
            id=id,
            name=name,
            total_subscribers=total_subscribers,
            total_blacklisted=total_blacklisted,
            folder_id=folder_id,
            created_at=created_at,
            unique_subscribers=unique_subscribers,
            dynamic_list=dynamic_list,
            campaign_stats=campaign_stats,
        )

        contact_list_detail.additional_properties = d
        return contact_list_detail

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

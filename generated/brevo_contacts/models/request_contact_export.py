from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_export_filter import ContactExportFilter


T = TypeVar("T", bound="RequestContactExport")


@_attrs_define
class RequestContactExport:
    """
    Attributes:
        custom_contact_filter (ContactExportFilter): Which contacts to export. actionForContacts (with listId or
            segmentId, or a date filter) selects from the contact base; the campaign actions select from a campaign's
            recipients.
        export_attributes (list[str] | Unset): Attributes to export (they must exist in the account); required when
            exportMandatoryAttributes is false.
        export_mandatory_attributes (bool | Unset): Export EMAIL, ADDED_TIME and MODIFIED_TIME. Default: True.
        export_metadata (list[str] | Unset): Contact metadata to export, e.g. _listIds, ADDED_TIME, MODIFIED_TIME.
        export_date_in_utc (bool | Unset): Dates of the exported data in UTC. Default: False.
        export_subscription_status (list[str] | Unset): Subscription statuses to export (email_marketing,
            sms_marketing).
        notify_url (str | Unset): Called once the export process has finished.
        disable_notification (bool | Unset): Send no email notification when the export is ready. Default: False.
    """

    custom_contact_filter: ContactExportFilter
    export_attributes: list[str] | Unset = UNSET
    export_mandatory_attributes: bool | Unset = True
    export_metadata: list[str] | Unset = UNSET
    export_date_in_utc: bool | Unset = False
    export_subscription_status: list[str] | Unset = UNSET
    notify_url: str | Unset = UNSET
    disable_notification: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        custom_contact_filter = self.custom_contact_filter.to_dict()

        export_attributes: list[str] | Unset = UNSET
        if not isinstance(self.export_attributes, Unset):
            export_attributes = self.export_attributes

        export_mandatory_attributes = self.export_mandatory_attributes

        export_metadata: list[str] | Unset = UNSET
        if not isinstance(self.export_metadata, Unset):
            export_metadata = self.export_metadata

        export_date_in_utc = self.export_date_in_utc

        export_subscription_status: list[str] | Unset = UNSET
        if not isinstance(self.export_subscription_status, Unset):
            export_subscription_status = self.export_subscription_status

        notify_url = self.notify_url

        disable_notification = self.disable_notification

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customContactFilter": custom_contact_filter,
            }
        )
        if export_attributes is not UNSET:
            field_dict["exportAttributes"] = export_attributes
        if export_mandatory_attributes is not UNSET:
            field_dict["exportMandatoryAttributes"] = export_mandatory_attributes
        if export_metadata is not UNSET:
            field_dict["exportMetadata"] = export_metadata
        if export_date_in_utc is not UNSET:
            field_dict["exportDateInUTC"] = export_date_in_utc
        if export_subscription_status is not UNSET:
            field_dict["exportSubscriptionStatus"] = export_subscription_status
        if notify_url is not UNSET:
            field_dict["notifyUrl"] = notify_url
        if disable_notification is not UNSET:
            field_dict["disableNotification"] = disable_notification

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_export_filter import ContactExportFilter

        d = dict(src_dict)
        custom_contact_filter = ContactExportFilter.from_dict(
            d.pop("customContactFilter")
        )

        export_attributes = cast(list[str], d.pop("exportAttributes", UNSET))

        export_mandatory_attributes = d.pop("exportMandatoryAttributes", UNSET)

        export_metadata = cast(list[str], d.pop("exportMetadata", UNSET))

        export_date_in_utc = d.pop("exportDateInUTC", UNSET)

        export_subscription_status = cast(
            list[str], d.pop("exportSubscriptionStatus", UNSET)
        )

        notify_url = d.pop("notifyUrl", UNSET)

        disable_notification = d.pop("disableNotification", UNSET)

        request_contact_export = cls(
            custom_contact_filter=custom_contact_filter,
            export_attributes=export_attributes,
            export_mandatory_attributes=export_mandatory_attributes,
            export_metadata=export_metadata,
            export_date_in_utc=export_date_in_utc,
            export_subscription_status=export_subscription_status,
            notify_url=notify_url,
            disable_notification=disable_notification,
        )

        request_contact_export.additional_properties = d
        return request_contact_export

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

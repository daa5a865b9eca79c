from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProcessImportReports")


@_attrs_define
class ProcessImportReports:
    """URLs of CSV report files of a completed import; null when empty.

    Attributes:
        invalid_emails (None | str | Unset): Rows skipped for an invalid email address.
        duplicate_contact_id (None | str | Unset): Rows skipped for a contact id used by another contact.
        duplicate_ext_id (None | str | Unset): Rows skipped for an external id used by another contact.
        duplicate_email_id (None | str | Unset): Rows skipped for a duplicate email.
        duplicate_phone_id (None | str | Unset): Rows skipped for an SMS number used by another contact.
        duplicate_whatsapp_id (None | str | Unset): Rows skipped for a WhatsApp number used by another contact.
        duplicate_landline_number_id (None | str | Unset): Rows skipped for a landline number used by another contact.
    """

    invalid_emails: None | str | Unset = UNSET
    duplicate_contact_id: None | str | Unset = UNSET
    duplicate_ext_id: None | str | Unset = UNSET
    duplicate_email_id: None | str | Unset = UNSET
    duplicate_phone_id: None | str | Unset = UNSET
    duplicate_whatsapp_id: None | str | Unset = UNSET
    duplicate_landline_number_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        invalid_emails: None | str | Unset
        if isinstance(self.invalid_emails, Unset):
            invalid_emails = UNSET
        else:
            invalid_emails = self.invalid_emails

        duplicate_contact_id: None | str | Unset
        if isinstance(self.duplicate_contact_id, Unset):
            duplicate_contact_id = UNSET
        else:
            duplicate_contact_id = self.duplicate_contact_id

        duplicate_ext_id: None | str | Unset
        if isinstance(self.duplicate_ext_id, Unset):
            duplicate_ext_id = UNSET
        else:
            duplicate_ext_id = self.duplicate_ext_id

        duplicate_email_id: None | str | Unset
        if isinstance(self.duplicate_email_id, Unset):
            duplicate_email_id = UNSET
        else:
            duplicate_email_id = self.duplicate_email_id

        duplicate_phone_id: None | str | Unset
        if isinstance(self.duplicate_phone_id, Unset):
            duplicate_phone_id = UNSET
        else:
            duplicate_phone_id = self.duplicate_phone_id

        duplicate_whatsapp_id: None | str | Unset
        if isinstance(self.duplicate_whatsapp_id, Unset):
            duplicate_whatsapp_id = UNSET
        else:
            duplicate_whatsapp_id = self.duplicate_whatsapp_id

        duplicate_landline_number_id: None | str | Unset
        if isinstance(self.duplicate_landline_number_id, Unset):
            duplicate_landline_number_id = UNSET
        else:
            duplicate_landline_number_id = self.duplicate_landline_number_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if invalid_emails is not UNSET:
            field_dict["invalid_emails"] = invalid_emails
        if duplicate_contact_id is not UNSET:
            field_dict["duplicate_contact_id"] = duplicate_contact_id
        if duplicate_ext_id is not UNSET:
            field_dict["duplicate_ext_id"] = duplicate_ext_id
        if duplicate_email_id is not UNSET:
            field_dict["duplicate_email_id"] = duplicate_email_id
        if duplicate_phone_id is not UNSET:
            field_dict["duplicate_phone_id"] = duplicate_phone_id
        if duplicate_whatsapp_id is not UNSET:
            field_dict["duplicate_whatsapp_id"] = duplicate_whatsapp_id
        if duplicate_landline_number_id is not UNSET:
            field_dict["duplicate_landline_number_id"] = duplicate_landline_number_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_invalid_emails(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invalid_emails = _parse_invalid_emails(d.pop("invalid_emails", UNSET))

        def _parse_duplicate_contact_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duplicate_contact_id = _parse_duplicate_contact_id(
            d.pop("duplicate_contact_id", UNSET)
        )

        def _parse_duplicate_ext_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duplicate_ext_id = _parse_duplicate_ext_id(d.pop("duplicate_ext_id", UNSET))

        def _parse_duplicate_email_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duplicate_email_id = _parse_duplicate_email_id(
            d.pop("duplicate_email_id", UNSET)
        )

        def _parse_duplicate_phone_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duplicate_phone_id = _parse_duplicate_phone_id(
            d.pop("duplicate_phone_id", UNSET)
        )

        def _parse_duplicate_whatsapp_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duplicate_whatsapp_id = _parse_duplicate_whatsapp_id(
            d.pop("duplicate_whatsapp_id", UNSET)
        )

        def _parse_duplicate_landline_number_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        duplicate_landline_number_id = _parse_duplicate_landline_number_id(
            d.pop("duplicate_landline_number_id", UNSET)
        )

        process_import_reports = cls(
            invalid_emails=invalid_emails,
            duplicate_contact_id=duplicate_contact_id,
            duplicate_ext_id=duplicate_ext_id,
            duplicate_email_id=duplicate_email_id,
            duplicate_phone_id=duplicate_phone_id,
            duplicate_whatsapp_id=duplicate_whatsapp_id,
            duplicate_landline_number_id=duplicate_landline_number_id,
        )

        process_import_reports.additional_properties = d
        return process_import_reports

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

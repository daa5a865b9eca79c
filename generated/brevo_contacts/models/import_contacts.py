from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.import_json_body_item import ImportJsonBodyItem
    from ..models.import_new_list import ImportNewList


T = TypeVar("T", bound="ImportContacts")


@_attrs_define
class ImportContacts:
    """
    Attributes:
        file_url (str | Unset): URL of the file to import contacts from.
        file_body (str | Unset): Inline CSV data for contact import.
        list_ids (list[int] | Unset): IDs of lists to add imported contacts to.
        notify_url (str | Unset): URL to receive notification when the import completes.
        email_blacklist (bool | Unset): Whether to blacklist imported contacts' email addresses.
        sms_blacklist (bool | Unset): Whether to blacklist imported contacts' phone numbers.
        update_existing_contacts (bool | Unset): Whether to update existing contacts during import.
        empty_contacts_attributes (bool | Unset): Whether to empty existing attributes not in the import file.
        json_body (list[ImportJsonBodyItem] | Unset): Contacts to import, as JSON (instead of fileUrl or fileBody).
        new_list (ImportNewList | Unset): Create a new list and add imported contacts to it.
    """

    file_url: str | Unset = UNSET
    file_body: str | Unset = UNSET
    list_ids: list[int] | Unset = UNSET
    notify_url: str | Unset = UNSET
    email_blacklist: bool | Unset = UNSET
    sms_blacklist: bool | Unset = UNSET
    update_existing_contacts: bool | Unset = UNSET
    empty_contacts_attributes: bool | Unset = UNSET
    json_body: list[ImportJsonBodyItem] | Unset = UNSET
    new_list: ImportNewList | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        file_url = self.file_url

        file_body = self.file_body

        list_ids: list[int] | Unset = UNSET
        if not isinstance(self.list_ids, Unset):
            list_ids = self.list_ids

        notify_url = self.notify_url

        email_blacklist = self.email_blacklist

        sms_blacklist = self.sms_blacklist

        update_existing_contacts = self.update_existing_contacts

        empty_contacts_attributes = self.empty_contacts_attributes

        json_body: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.json_body, Unset):
            json_body = []
            for json_body_item_data in self.json_body:
                json_body_item = json_body_item_data.to_dict()
                json_body.append(json_body_item)

        new_list: dict[str, Any] | Unset = UNSET
        if not isinstance(self.new_list, Unset):
            new_list = self.new_list.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if file_url is not UNSET:
            field_dict["fileUrl"] = file_url
        if file_body is not UNSET:
            field_dict["fileBody"] = file_body
        if list_ids is not UNSET:
            field_dict["listIds"] = list_ids
        if notify_url is not UNSET:
            field_dict["notifyUrl"] = notify_url
        if email_blacklist is not UNSET:
            field_dict["emailBlacklist"] = email_blacklist
        if sms_blacklist is not UNSET:
            field_dict["smsBlacklist"] = sms_blacklist
        if update_existing_contacts is not UNSET:
            field_dict["updateExistingContacts"] = update_existing_contacts
        if empty_contacts_attributes is not UNSET:
            field_dict["emptyContactsAttributes"] = empty_contacts_attributes
        if json_body is not UNSET:
            field_dict["jsonBody"] = json_body
        if new_list is not UNSET:
            field_dict["newList"] = new_list

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.import_json_body_item import ImportJsonBodyItem
        from ..models.import_new_list import ImportNewList

        d = dict(src_dict)
        file_url = d.pop("fileUrl", UNSET)

        file_body = d.pop("fileBody", UNSET)

        list_ids = cast(list[int], d.pop("listIds", UNSET))

        notify_url = d.pop("notifyUrl", UNSET)

        email_blacklist = d.pop("emailBlacklist", UNSET)

        sms_blacklist = d.pop("smsBlacklist", UNSET)

        update_existing_contacts = d.pop("updateExistingContacts", UNSET)

        empty_contacts_attributes = d.pop("emptyContactsAttributes", UNSET)

        _json_body = d.pop("jsonBody", UNSET)
        json_body: list[ImportJsonBodyItem] | Unset = UNSET
        if _json_body is not UNSET:
            json_body = []
            for json_body_item_data in _json_body:
                json_body_item = ImportJsonBodyItem.from_dict(json_body_item_data)

                json_body.append(json_body_item)

        _new_list = d.pop("newList", UNSET)
        new_list: ImportNewList | Unset
        if isinstance(_new_list, Unset):
            new_list = UNSET
        else:
            new_list = ImportNewList.from_dict(_new_list)

        import_contacts = cls(
            file_url=file_url,
            file_body=file_body,
            list_ids=list_ids,
            notify_url=notify_url,
            email_blacklist=email_blacklist,
            sms_blacklist=sms_blacklist,
            update_existing_contacts=update_existing_contacts,
            empty_contacts_attributes=empty_contacts_attributes,
            json_body=json_body,
            new_list=new_list,
        )

        import_contacts.additional_properties = d
        return import_contacts

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

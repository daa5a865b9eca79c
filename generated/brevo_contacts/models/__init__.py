"""Contains all the data models used in inputs/outputs"""

from .add_contacts_to_list import AddContactsToList
from .attribute_category import AttributeCategory
from .attribute_enumeration import AttributeEnumeration
from .attribute_type import AttributeType
from .contact import Contact
from .contact_attribute import ContactAttribute
from .contact_attribute_list import ContactAttributeList
from .contact_attribute_type import ContactAttributeType
from .contact_attributes import ContactAttributes
from .contact_consent_groups_item import ContactConsentGroupsItem
from .contact_export_filter import ContactExportFilter
from .contact_export_filter_action_for_contacts import (
    ContactExportFilterActionForContacts,
)
from .contact_export_filter_action_for_email_campaigns import (
    ContactExportFilterActionForEmailCampaigns,
)
from .contact_export_filter_action_for_sms_campaigns import (
    ContactExportFilterActionForSmsCampaigns,
)
from .contact_list import ContactList
from .contact_list_collection import ContactListCollection
from .contact_list_detail import ContactListDetail
from .contact_list_detail_campaign_stats_item import ContactListDetailCampaignStatsItem
from .contact_list_summary import ContactListSummary
from .contact_statistics import ContactStatistics
from .create_contact import CreateContact
from .create_contact_attribute import CreateContactAttribute
from .create_contact_attributes import CreateContactAttributes
from .create_contact_list import CreateContactList
from .create_contact_list_response_201 import CreateContactListResponse201
from .create_contact_response_201 import CreateContactResponse201
from .create_folder import CreateFolder
from .create_folder_response_201 import CreateFolderResponse201
from .created_process_id import CreatedProcessId
from .error_response import ErrorResponse
from .error_response_metadata import ErrorResponseMetadata
from .folder import Folder
from .folder_list import FolderList
from .get_contacts_from_list_sort import GetContactsFromListSort
from .get_processes_sort import GetProcessesSort
from .import_contacts import ImportContacts
from .import_json_body_item import ImportJsonBodyItem
from .import_json_body_item_attributes import ImportJsonBodyItemAttributes
from .import_new_list import ImportNewList
from .list_contact_lists_sort import ListContactListsSort
from .list_contacts_sort import ListContactsSort
from .list_membership_result import ListMembershipResult
from .list_membership_result_contacts import ListMembershipResultContacts
from .no_contact_to_export import NoContactToExport
from .process import Process
from .process_import_reports import ProcessImportReports
from .process_info import ProcessInfo
from .process_list import ProcessList
from .process_status import ProcessStatus
from .remove_contacts_from_list import RemoveContactsFromList
from .request_contact_export import RequestContactExport
from .update_contact import UpdateContact
from .update_contact_attributes import UpdateContactAttributes
from .update_contact_list import UpdateContactList

__all__ = (
    "AddContactsToList",
    "AttributeCategory",
    "AttributeEnumeration",
    "AttributeType",
    "Contact",
    "ContactAttribute",
    "ContactAttributeList",
    "ContactAttributeType",
    "ContactAttributes",
    "ContactConsentGroupsItem",
    "ContactExportFilter",
    "ContactExportFilterActionForContacts",
    "ContactExportFilterActionForEmailCampaigns",
    "ContactExportFilterActionForSmsCampaigns",
    "ContactList",
    "ContactListCollection",
    "ContactListDetail",
    "ContactListDetailCampaignStatsItem",
    "ContactListSummary",
    "ContactStatistics",
    "CreateContact",
    "CreateContactAttribute",
    "CreateContactAttributes",
    "CreateContactList",
    "CreateContactListResponse201",
    "CreateContactResponse201",
    "CreateFolder",
    "CreateFolderResponse201",
    "CreatedProcessId",
    "ErrorResponse",
    "ErrorResponseMetadata",
    "Folder",
    "FolderList",
    "GetContactsFromListSort",
    "GetProcessesSort",
    "ImportContacts",
    "ImportJsonBodyItem",
    "ImportJsonBodyItemAttributes",
    "ImportNewList",
    "ListContactListsSort",
    "ListContactsSort",
    "ListMembershipResult",
    "ListMembershipResultContacts",
    "NoContactToExport",
    "Process",
    "ProcessImportReports",
    "ProcessInfo",
    "ProcessList",
    "ProcessStatus",
    "RemoveContactsFromList",
    "RequestContactExport",
    "UpdateContact",
    "UpdateContactAttributes",
    "UpdateContactList",
)

from enum import StrEnum


class ContactExportFilterActionForContacts(StrEnum):
    ALLCONTACTS = "allContacts"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    UNSUBSCRIBEDPERLIST = "unsubscribedPerList"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class ContactExportFilterActionForSmsCampaigns(StrEnum):
    HARDBOUNCES = "hardBounces"
    SOFTBOUNCES = "softBounces"
    UNSUBSCRIBED = "unsubscribed"

    def __str__(self) -> str:
        return str(self.value)

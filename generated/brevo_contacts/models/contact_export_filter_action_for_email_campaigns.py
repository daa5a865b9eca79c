from enum import StrEnum


class ContactExportFilterActionForEmailCampaigns(StrEnum):
    CLICKERS = "clickers"
    HARDBOUNCES = "hardBounces"
    NONCLICKERS = "nonClickers"
    NONOPENERS = "nonOpeners"
    OPENERS = "openers"
    SOFTBOUNCES = "softBounces"
    UNSUBSCRIBED = "unsubscribed"

    def __str__(self) -> str:
        return str(self.value)

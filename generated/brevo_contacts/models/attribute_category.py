from enum import StrEnum


class AttributeCategory(StrEnum):
    CALCULATED = "calculated"
    CATEGORY = "category"
    GLOBAL = "global"
    NORMAL = "normal"
    TRANSACTIONAL = "transactional"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class AttributeType(StrEnum):
    BOOLEAN = "boolean"
    DATE = "date"
    FLOAT = "float"
    ID = "id"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)

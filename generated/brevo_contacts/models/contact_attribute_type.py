from enum import StrEnum


class ContactAttributeType(StrEnum):
    BOOLEAN = "boolean"
    DATE = "date"
    FLOAT = "float"
    ID = "id"
    MULTIPLE_CHOICE = "multiple-choice"
    TEXT = "text"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)

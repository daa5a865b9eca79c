"""Contact attributes: list, create, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._base import (
    ATTRIBUTE_NAME_MAX,
    IDENTIFIER_ATTRIBUTES,
    Attribute,
    StateBase,
    invalid,
    missing,
    not_found,
)


class AttributesMixin(StateBase):
    """The attribute operations of :class:`MockState`."""

    def list_attributes(self) -> dict[str, Any]:
        """listContactAttributes."""
        with self.lock:
            return {"attributes": [a.to_json() for a in self.attributes.values()]}

    def create_attribute(self, category: str, raw_name: str, body: Mapping[str, Any]) -> None:
        """createContactAttribute: names are unique (upper case); per-category needs."""
        with self.lock:
            name = raw_name.upper()
            if not name or len(name) > ATTRIBUTE_NAME_MAX:
                raise invalid(f"attributeName: give a name of 1 to {ATTRIBUTE_NAME_MAX} characters")
            if name in self.attributes:
                raise invalid(f"attributeName: attribute {name} already exists")
            type_ = body.get("type")
            enumeration: list[dict[str, Any]] = []
            value = body.get("value")
            if category == "category":
                enumeration = [dict(item) for item in body.get("enumeration") or []]
                if not enumeration:
                    raise missing("enumeration is missing: a category attribute needs one")
                values = [item["value"] for item in enumeration]
                if len(set(values)) != len(values):
                    raise invalid("enumeration: values must be unique")
                type_ = None
            elif category in ("calculated", "global"):
                if not value:
                    raise missing("value is missing: a calculated or global attribute needs one")
            else:
                # normal and transactional: a typed value per contact (text by default);
                # an enumeration or a formula means nothing there and is ignored.
                type_ = type_ or "text"
                value = None
            self.attributes[name] = Attribute(name, category, type_, enumeration, value)

    def delete_attribute(self, category: str, raw_name: str) -> None:
        """deleteContactAttribute: values disappear from every contact."""
        with self.lock:
            name = raw_name.upper()
            attribute = self.attributes.get(name)
            if attribute is None or attribute.category != category:
                raise not_found("Attribute not found")
            if name in IDENTIFIER_ATTRIBUTES:
                raise invalid(f"attributeName: {name} identifies contacts and can't be deleted")
            del self.attributes[name]
            for contact in self.contacts.values():
                contact.attributes.pop(name, None)

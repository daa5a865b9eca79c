"""What the state remembers of each attribute value Brevo confirmed: small hashes.

A contact's stored ``digest`` is 16 bytes (its values and target lists, compared whole)
followed by one 8-byte entry per attribute the row set: a 2-byte attribute number (the
state's ``attributes`` table) and 6 bytes of a hash of the value in a canonical form that
Brevo's answers give too. So a run can tell, attribute by attribute, whether what Brevo
holds (read back by the drift checks) or what the source now says (a new or dropped
column) differs from what was confirmed, without keeping a copy of any row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["HEAD", "canonical", "entries", "pack", "value_hash"]

#: Bytes of the whole-row hash at the start of a stored digest.
HEAD = 16
_ENTRY = 8
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def canonical(value: Any) -> str:
    """One text per value as Brevo holds it: a row's encoded value and the value Brevo
    answers with give the same text (None and "" alike, 5 and 5.0 alike, a date with or
    without its time of day)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int | float):
        return "f" + repr(float(value))
    text = str(value).strip()
    if not text:
        return ""
    if _DATE_TIME.match(text):
        text = text[:10]
    return "s" + text


def value_hash(value: Any) -> bytes:
    """6 bytes of the canonical value's hash (one stored entry without its number)."""
    return hashlib.blake2b(
        canonical(value).encode("utf-8", "surrogatepass"), digest_size=6
    ).digest()


def pack(values: Mapping[str, Any], ids: Mapping[str, int]) -> bytes:
    """The entries of a row's values (attributes without a number are left out)."""
    found = sorted((ids[name], value) for name, value in values.items() if name in ids)
    return b"".join(number.to_bytes(2, "big") + value_hash(value) for number, value in found)


def entries(digest: bytes | None) -> dict[int, bytes] | None:
    """Attribute number -> value hash of a stored digest; None when it holds none (a
    state written before per-attribute entries, or a contact to re-send)."""
    if digest is None or len(digest) <= HEAD:
        return None
    body = digest[HEAD:]
    return {
        int.from_bytes(body[i : i + 2], "big"): body[i + 2 : i + _ENTRY]
        for i in range(0, len(body) - _ENTRY + 1, _ENTRY)
    }

"""Validating a sync row: one raw row -> a :class:`Row` or an :class:`Invalid`.

A column present in the source is authoritative: an empty cell (or a JSON ``null``, ``""``
or ``[]``) clears that attribute in Brevo. An attribute whose column is absent is never
touched. :class:`Normalizer` validates a row, encodes it as Brevo attribute values (with
the codec of :class:`~tajo_brevo.LoyaltyProfile`, ``tajo_brevo._profile_codec``) and
hashes them (the hash the state compares); a row refused gets the reason.

Rows come from the sources (``_source``: files and API callers' items, ``_sql``: queries).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import _profile_codec as codec
from ..attributes import TAJO_ATTRIBUTES, AttributeSpec, BrevoType, check_value, text_problem
from ..errors import AttributeMismatchError, ValidationError
from ..profile import LoyaltyProfile
from ..tiers import DEFAULT_TIER_POLICY, Tier, TierPolicy, TierStatus
from ._csv import Value
from ._source import MalformedRow, Raw, canonical_column

__all__ = ["Invalid", "Normalizer", "Row", "check_account", "digest"]

#: Core attributes a row can't clear: a loyalty contact always has them (guide, practice 1).
_CORE_ATTRIBUTES = ("LOYALTY_ID", "LOYALTY_POINTS")


@dataclass(frozen=True, slots=True)
class Row:
    """A valid row, ready to compare with the state.

    Attributes:
        index: position in the source (0-based).
        email: the email as given (stripped).
        key: the lower-cased email: the contact's identity (Brevo matches emails
            case-insensitively).
        values: attribute -> encoded value for every attribute the row touches; None
            clears the attribute.
        tier: the tier the contact is listed under.
        digest: hash of ``values`` (what the state compares).
        raw: the cells as read (for a failures file).
        raw_digest: hash of the row as read and of the run's fingerprint (see
            ``_engine``), stored beside ``digest`` once Brevo confirms the row; None
            when the row has no raw text (API rows).
    """

    index: int
    email: str
    key: str
    values: Mapping[str, Value]
    tier: Tier
    digest: bytes
    raw: Mapping[str, Any]
    raw_digest: bytes | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The attributes the row touches, sorted (rows are grouped by this)."""
        return tuple(sorted(self.values))


@dataclass(frozen=True, slots=True)
class Invalid:
    """A row refused before sending: nothing of it is sent."""

    index: int
    email: str | None
    reason: str
    raw: Mapping[str, Any]


def check_account(
    attributes: Mapping[str, object], cleared: Iterable[str], types: Mapping[str, str | None]
) -> None:
    """Refuse what Brevo would silently drop: unknown attributes and mismatched types.

    Raises:
        AttributeMismatchError: one ``(attribute, problem)`` per value that would be lost.
    """
    problems: list[tuple[str, str]] = []
    for name in [*attributes, *(n for n in cleared if n not in attributes)]:
        if name not in types:
            problems.append(
                (name, f"{name} does not exist in the Brevo account (run provision() or create it)")
            )
            continue
        kind = types[name]
        if name in attributes and kind in ("text", "float", "date", "boolean"):
            spec = AttributeSpec(name=name, type=kind)  # type: ignore[arg-type]
            problem = check_value(spec, attributes[name])
            if problem is not None:
                problems.append((name, f"{problem} (the account's attribute is {kind})"))
    if problems:
        raise AttributeMismatchError(problems)


def _is_empty(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, list | tuple) and not value)
    )


def _tag(value: Value) -> str:
    if value is None:
        return "n"
    if isinstance(value, bool):
        return "b"
    return "f" if isinstance(value, int | float) else "s"


#: _tag by exact type (the common case, without the isinstance chain).
_TAGS: Mapping[type, str] = {type(None): "n", bool: "b", int: "f", float: "f", str: "s"}


def digest(values: Mapping[str, Value], list_ids: tuple[int, ...] = ()) -> bytes:
    """A 16-byte hash of the Brevo-visible values and target lists (type-tagged).

    The bytes hashed never change between versions (states store this hash): one update
    of the joined parts is the same hash as one update per part.
    """
    tags = _TAGS
    try:
        text = "".join([f"{n}\x1f{tags[type(v)]}{v!r}\x1e" for n, v in sorted(values.items())])
    except KeyError:  # a subclass (an enum member): the isinstance chain decides
        text = "".join([f"{n}\x1f{_tag(v)}{v!r}\x1e" for n, v in sorted(values.items())])
    return hashlib.blake2b((text + ",".join(map(str, list_ids))).encode(), digest_size=16).digest()


#: One column of the fast path: attribute, converter (None for the email), core field.
_Step = tuple[str, Callable[[str], Value] | None, bool]
#: Header orders whose steps a normalizer remembers (then it starts again).
_STEPS_CACHE = 1000
#: Balances whose tier status a normalizer remembers (then it starts again).
_STATUS_CACHE = 10_000
#: Attributes a row's tier computes when it gives points but no tier.
_COMPUTED = ("LOYALTY_TIER", "TIER_PROGRESS", "NEXT_TIER_POINTS")


#: Ranges of the number kinds (as ``_profile_codec.check`` applies them).
_RANGES: Mapping[str, tuple[float, float | None]] = {
    "count": (0, None),
    "percent": (0, 100),
    "score": (1, 10),
}


def _typed_converter(kind: Any, declared: str) -> Callable[[str], Value]:
    """A typed field's cell -> encoded value: the profile's own decode, check, encode.

    The common kinds call the same functions without the dispatch by kind: for a text cell
    ``decode`` is the identity for text, ``lenient_number`` for numbers and
    ``lenient_date`` for dates; ``check`` is ``check_text`` / ``in_range`` / ``strict_date``;
    ``encode`` keeps a text, ``encode_number`` a float and ``isoformat`` a date (all in
    ``tajo_brevo._profile_codec``).
    """
    if kind == "text" and declared == "text":
        return codec.check_text
    if kind in _RANGES and declared == "float":
        low, high = _RANGES[kind]
        return lambda cell: codec.encode_number(
            codec.in_range(codec.lenient_number(cell), low, high)
        )
    if kind == "date" and declared == "date":
        return lambda cell: codec.strict_date(codec.lenient_date(cell)).isoformat()
    if kind == "array" and declared == "text":
        generic = _generic_converter(kind, declared)

        def array(cell: str) -> Value:
            if "\\" in cell:
                return generic(cell)  # escapes: decode_array's own loop
            # Without a backslash decode_array splits on "," and drops blank items, and
            # encode_array joins the (stripped, so valid) items back: no escape needed.
            items = [item for item in (part.strip() for part in cell.split(",")) if item]
            encoded = ",".join(items)
            if text_problem(encoded) is not None:  # any item's problem, or the length
                raise ValueError("text")
            return encoded or None  # no items: clears, as on the full path

        return array
    return _generic_converter(kind, declared)


def _generic_converter(kind: Any, declared: str) -> Callable[[str], Value]:
    """decode, check and encode by kind, as ``LoyaltyProfile`` does."""

    def convert(cell: str) -> Value:
        decoded = codec.decode(kind, cell)
        if decoded is None:  # pragma: no cover - blank cells never get here
            raise ValueError("blank")
        encoded = codec.encode(codec.check(kind, decoded))
        if encoded == "":
            return None  # an array with no items: clears, as on the full path
        if declared == "text" and text_problem(encoded) is not None:  # type: ignore[arg-type]
            raise ValueError("text")  # e.g. an encoded array longer than the text limit
        return encoded

    return convert


def _extra_converter(name: str, decode_as: Any, kind: str | None) -> Callable[[str], Value]:
    """An extra attribute's cell -> encoded value, checked by the account's type."""
    spec = None if kind is None else AttributeSpec(name=name, type=kind)  # type: ignore[arg-type]

    def convert(cell: str) -> Value:
        decoded = codec.decode_extra(cell, decode_as)
        if decoded is None:  # pragma: no cover - blank cells never get here
            raise ValueError("blank")
        encoded = codec.encode(codec.check_extra_value(decoded))
        if spec is not None and check_value(spec, encoded) is not None:
            raise ValueError("type")
        return None if encoded == "" else encoded

    return convert


class Normalizer:
    """Raw rows -> :class:`Row` or :class:`Invalid`.

    Args:
        policy: computes the tier (and progress) when a row gives points but no tier.
        attribute_types: the account's attribute types: extra columns are decoded and
            every value is checked by them (Brevo drops a mismatched value silently).
        mapping: source column -> target name, applied before the usual names.
    """

    def __init__(
        self,
        *,
        policy: TierPolicy = DEFAULT_TIER_POLICY,
        attribute_types: Mapping[str, str | None] | None = None,
        mapping: Mapping[str, str] | None = None,
        columns: Mapping[str, str] | None = None,
        fast: bool = True,
    ) -> None:
        self.policy = policy
        self.types = dict(attribute_types) if attribute_types is not None else None
        self._extra_types: dict[str, BrevoType] = {
            name: kind  # type: ignore[misc]
            for name, kind in (attribute_types or {}).items()
            if kind in ("text", "float", "date", "boolean")
        }
        self.mapping = dict(mapping or {})
        self._columns: dict[str, str | None] = dict(columns or {})
        self.fast = fast
        #: header -> (attribute, converter) for the fast path; None: that column (and so
        #: its rows) takes the full path.
        self._converters: dict[str, tuple[str, Callable[[str], Value]] | None] = {}
        #: a row's headers (in order) -> its steps (None: the full path).
        self._steps: dict[tuple[Any, ...], list[_Step] | None] = {}
        #: policy.status by balance: balances repeat, and the policy is immutable.
        self._status: dict[float, TierStatus] = {}
        self._computed_ok = self.types is None or all(
            self.types.get(name, "") == TAJO_ATTRIBUTES[name].type for name in _COMPUTED
        )

    def _target(self, header: str) -> str | None:
        if header not in self._columns:
            self._columns[header] = canonical_column(header, self.mapping)
        return self._columns[header]

    def normalize(self, raw: Raw, raw_digest: bytes | None = None) -> Row | Invalid:
        """Validate and encode one row (never raises for bad data)."""
        if self.fast:
            fast = self._fast(raw, raw_digest)
            if fast is not None:
                return fast
        return self._full(raw, raw_digest)

    # -- the fast path ----------------------------------------------------------------
    #
    # A row of text cells whose every column is a known attribute of the account with the
    # type the program declares is encoded column by column with the same functions the
    # profile uses (decode, check, encode: the results are equal by construction), without
    # building a LoyaltyProfile (about half the time of a first sync). Anything unusual
    # (a problem, a non-text cell, a type that differs) returns None and the row takes the
    # full path, which reports problems with their usual messages.

    def _converter(self, header: str) -> tuple[str, Callable[[str], Value]] | None:
        if header in self._converters:
            return self._converters[header]
        target = self._target(header)
        found: tuple[str, Callable[[str], Value]] | None = None
        if target == "EMAIL":
            found = (target, str.strip)
        elif target is not None and target in codec.BY_ATTRIBUTE:
            declared = TAJO_ATTRIBUTES[target].type
            if self.types is None or self.types.get(target, "") == declared:
                found = (target, _typed_converter(codec.BY_ATTRIBUTE[target].kind, declared))
        elif target is not None:
            kind = None if self.types is None else self.types.get(target, "")
            if kind is None or kind in ("text", "float", "date", "boolean"):
                found = (target, _extra_converter(target, self._extra_types.get(target), kind))
        self._converters[header] = found
        return found

    def _compile(self, headers: tuple[Any, ...]) -> list[_Step] | None:
        """The steps for rows with these headers (in this order), or None: full path."""
        steps: list[_Step] = []
        targets: set[str] = set()
        for header in headers:
            if type(header) is not str:
                return None
            converter = self._converter(header)
            if converter is None or converter[0] in targets:
                return None  # not fast, or named twice: the full path says so
            target, convert = converter
            targets.add(target)
            if target == "EMAIL":
                steps.append((target, None, False))
            else:
                steps.append((target, convert, target in _CORE_ATTRIBUTES))
        return steps

    def _fast(self, raw: Raw, raw_digest: bytes | None) -> Row | None:
        cells = raw.cells
        if not self._computed_ok or not isinstance(cells, dict):
            return None
        headers = tuple(cells)
        if headers in self._steps:
            steps = self._steps[headers]
        else:
            if len(self._steps) >= _STEPS_CACHE:
                self._steps.clear()  # JSON Lines rows may each have their own keys
            steps = self._steps[headers] = self._compile(headers)
        if steps is None:
            return None
        values: dict[str, Value] = {}
        cleared: list[str] = []
        email: Any = None
        for (target, convert, core), cell in zip(steps, cells.values(), strict=True):
            if type(cell) is not str:
                return None
            if convert is None:  # the email
                email = cell.strip()
            elif not cell.strip():
                if core:
                    return None
                cleared.append(target)
            else:
                try:
                    values[target] = convert(cell)
                except Exception:  # any problem: the full path reports it
                    return None
        if not email or codec.email_problem(email) is not None:
            return None
        if "LOYALTY_ID" not in values or "LOYALTY_POINTS" not in values:
            return None
        tier_value = values.get("LOYALTY_TIER")
        if isinstance(tier_value, str):
            tier = Tier(tier_value)
        else:
            points = values["LOYALTY_POINTS"]
            if not isinstance(points, int | float):  # pragma: no cover - a count encodes so
                return None
            balance = float(points)
            status = self._status.get(balance)
            if status is None:
                if len(self._status) >= _STATUS_CACHE:
                    self._status.clear()
                status = self._status[balance] = self.policy.status(balance)
            tier = status.tier
            values["LOYALTY_TIER"] = tier.value
            values["TIER_PROGRESS"] = codec.encode_number(float(status.progress))
            values["NEXT_TIER_POINTS"] = codec.encode_number(float(status.next_tier_points))
        for name in cleared:
            values.setdefault(name, None)
        return Row(
            index=raw.index,
            email=email,
            key=email.lower(),
            values=values,
            tier=tier,
            digest=digest(values),
            raw=cells,
            raw_digest=raw_digest,
        )

    # -- the full path ----------------------------------------------------------------

    def _full(self, raw: Raw, raw_digest: bytes | None) -> Row | Invalid:
        cells = raw.cells
        if isinstance(cells, MalformedRow):
            return Invalid(raw.index, None, cells.reason, {})
        present: dict[str, Any] = {}
        problems: list[str] = []
        for header, value in cells.items():
            target = self._target(str(header))
            if target is None:
                problems.append(f"unknown column {header!r}")
            elif target in present:
                problems.append(f"{header!r} names {target} twice")
            else:
                present[target] = value
        email_cell = present.get("EMAIL")
        email = email_cell.strip() if isinstance(email_cell, str) else None
        if problems:
            return Invalid(raw.index, email or None, "; ".join(problems), cells)
        filled = {k: v for k, v in present.items() if not _is_empty(v)}
        cleared = {k for k, v in present.items() if _is_empty(v)} - {"EMAIL"}
        refused = [name for name in _CORE_ATTRIBUTES if name in cleared]
        if refused:
            return Invalid(
                raw.index,
                email or None,
                "; ".join(f"{n}: is a core loyalty field and can't be cleared" for n in refused),
                cells,
            )
        filled.setdefault("EMAIL", "")
        try:
            profile = LoyaltyProfile.from_row(filled, attribute_types=self._extra_types or None)
            attributes, tier = self._encode(profile)
            if self.types is not None:
                check_account(attributes, cleared, self.types)
        except ValidationError as exc:
            return Invalid(raw.index, email or None, str(exc), cells)
        values: dict[str, Value] = {
            name: (None if value == "" else value) for name, value in attributes.items()
        }
        for name in cleared:
            values.setdefault(name, None)
        return Row(
            index=raw.index,
            email=profile.email,
            key=profile.email.lower(),
            values=values,
            tier=tier,
            digest=digest(values),
            raw=cells,
            raw_digest=raw_digest,
        )

    def _encode(self, profile: LoyaltyProfile) -> tuple[dict[str, str | float | bool], Tier]:
        """Attributes and tier; the tier (with progress) from the points when not given.

        Same values as ``profile.with_tier(policy).to_attributes()``, without building the
        profile twice (this runs once per row of a million-row file).

        Raises:
            ProfileValidationError: a core field is missing.
        """
        if profile.loyalty_tier is not None or profile.loyalty_points is None:
            attributes = profile.to_attributes(require_core=True)
            assert profile.loyalty_tier is not None  # require_core checked it
            return attributes, profile.loyalty_tier
        status = self.policy.status(profile.loyalty_points)
        if profile.loyalty_id is None:
            profile.to_attributes(require_core=True)  # raises the usual message
        attributes = profile.to_attributes(require_core=False)
        attributes["LOYALTY_TIER"] = status.tier.value
        attributes["TIER_PROGRESS"] = codec.encode_number(float(status.progress))
        attributes["NEXT_TIER_POINTS"] = codec.encode_number(float(status.next_tier_points))
        return attributes, status.tier

    def from_profile(self, index: int, profile: LoyaltyProfile) -> Row | Invalid:
        """A :class:`LoyaltyProfile` (API callers): None fields untouched, ``()`` clears."""
        try:
            if profile.loyalty_tier is None and profile.loyalty_points is not None:
                profile = profile.with_tier(self.policy)
            attributes = profile.to_attributes(require_core=True)
            if self.types is not None:
                check_account(attributes, (), self.types)
        except ValidationError as exc:
            return Invalid(index, profile.email, str(exc), {"EMAIL": profile.email})
        values: dict[str, Value] = {
            name: (None if value == "" else value) for name, value in attributes.items()
        }
        assert profile.loyalty_tier is not None
        return Row(
            index=index,
            email=profile.email,
            key=profile.email.lower(),
            values=values,
            tier=profile.loyalty_tier,
            digest=digest(values),
            raw={"EMAIL": profile.email},
        )

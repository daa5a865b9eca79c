from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.process_import_reports import ProcessImportReports


T = TypeVar("T", bound="ProcessInfo")


@_attrs_define
class ProcessInfo:
    """Only for a completed IMPORTUSER process.

    Attributes:
        import_ (ProcessImportReports | Unset): URLs of CSV report files of a completed import; null when empty.
    """

    import_: ProcessImportReports | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        import_: dict[str, Any] | Unset = UNSET
        if not isinstance(self.import_, Unset):
            import_ = self.import_.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if import_ is not UNSET:
            field_dict["import"] = import_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.process_import_reports import ProcessImportReports

        d = dict(src_dict)
        _import_ = d.pop("import", UNSET)
        import_: ProcessImportReports | Unset
        if isinstance(_import_, Unset):
            import_ = UNSET
        else:
            import_ = ProcessImportReports.from_dict(_import_)

        process_info = cls(
            import_=import_,
        )

        process_info.additional_properties = d
        return process_info

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

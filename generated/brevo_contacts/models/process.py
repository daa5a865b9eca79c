from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.process_status import ProcessStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.process_info import ProcessInfo


T = TypeVar("T", bound="Process")


@_attrs_define
class Process:
    """
    Attributes:
        id (int): Unique identifier of the process.
        name (str): Kind of process, e.g. IMPORTUSER for a contact import.
        status (ProcessStatus): Current status of the process.
        info (ProcessInfo | Unset): Only for a completed IMPORTUSER process.
        export_url (str | Unset): Download URL of a completed export process.
    """

    id: int
    name: str
    status: ProcessStatus
    info: ProcessInfo | Unset = UNSET
    export_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        status = self.status.value

        info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.info, Unset):
            info = self.info.to_dict()

        export_url = self.export_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "status": status,
            }
        )
        if info is not UNSET:
            field_dict["info"] = info
        if export_url is not UNSET:
            field_dict["export_url"] = export_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.process_info import ProcessInfo

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        status = ProcessStatus(d.pop("status"))

        _info = d.pop("info", UNSET)
        info: ProcessInfo | Unset
        if isinstance(_info, Unset):
            info = UNSET
        else:
            info = ProcessInfo.from_dict(_info)

        export_url = d.pop("export_url", UNSET)

        process = cls(
            id=id,
            name=name,
            status=status,
            info=info,
            export_url=export_url,
        )

        process.additional_properties = d
        return process

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

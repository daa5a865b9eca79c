"""Merge an upstream spec split over several files into one document, deterministically.

Upstream (api-evangelist/brevo) now splits the Contacts API by tag: contacts, contact
lists, contact attributes, folders and import, each file with its own ``info`` and the
components its paths use. :func:`merge_specs` puts them back together:

- the files are taken in order of file name (then full path), so the result does not
  depend on the order they are given in;
- ``paths`` and every ``components`` section are unions, sorted by key; a path may be
  spread over files (one method each), but the same method of a path, or the same
  component name, defined differently in two files is an error naming both files;
- ``tags`` are a union by name, sorted; ``servers`` and ``security`` a union in order
  of first appearance; ``openapi`` must be the same everywhere;
- ``info`` and ``externalDocs`` are the first file's (each split file describes its own
  tag), except that differing titles are joined with `` + ``; ``x-tajo-merged-from`` in
  ``info`` lists every file.

The result is written as YAML (:func:`dump_merged`), with a header naming the sources.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .._openapi_kit import HTTP_METHODS

__all__ = [
    "MergeError",
    "SourceFile",
    "dump_merged",
    "expand_sources",
    "merge_specs",
    "read_sources",
]

_SPEC_SUFFIXES = (".yml", ".yaml", ".json")


class MergeError(ValueError):
    """The files can't be merged into one spec (a conflict, a missing file, ...)."""


@dataclass(frozen=True)
class SourceFile:
    """One upstream file: its path, bytes, parsed document and hash.

    Attributes:
        path: where it was read.
        raw: its bytes.
        doc: the parsed document.
    """

    path: Path
    raw: bytes
    doc: dict[str, Any]

    @property
    def sha256(self) -> str:
        """The sha256 of :attr:`raw`."""
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def name(self) -> str:
        """The file name (what the lock and error messages show)."""
        return self.path.name


def expand_sources(paths: Sequence[Path]) -> list[Path]:
    """The spec files ``paths`` names: files as given, directories by their spec files.

    Returns:
        The files sorted by name (then full path), without duplicates.

    Raises:
        MergeError: a path does not exist, or a directory holds no ``.yml``, ``.yaml``
            or ``.json`` file.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            inside = [p for p in path.iterdir() if p.is_file() and p.suffix in _SPEC_SUFFIXES]
            if not inside:
                raise MergeError(f"{path}: no .yml, .yaml or .json file in this directory")
            found.update(p.resolve() for p in inside)
        elif path.is_file():
            found.add(path.resolve())
        else:
            raise MergeError(f"{path}: no such file or directory")
    return sorted(found, key=lambda p: (p.name, str(p)))


def read_sources(paths: Sequence[Path]) -> list[SourceFile]:
    """Read and parse every file of :func:`expand_sources` (YAML or JSON).

    Raises:
        MergeError: a file can't be read or is not a mapping.
    """
    sources: list[SourceFile] = []
    for path in expand_sources(paths):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise MergeError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            doc = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise MergeError(f"{path} is not YAML or JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise MergeError(f"{path} is not an OpenAPI document (not a mapping)")
        sources.append(SourceFile(path, raw, doc))
    return sources


_KNOWN_KEYS = frozenset(
    {"openapi", "info", "externalDocs", "paths", "components", "tags", "servers", "security"}
)


@dataclass
class _Union:
    """What the files define so far, section by section, and which file defined each name.

    A name (a path method, a component, a tag, an other top-level key) may stand in several
    files only when every file defines it the same way: the first file keeps it, and a file
    defining it differently is an error naming both files.
    """

    paths: dict[str, dict[str, Any]] = field(default_factory=dict)
    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    servers: list[Any] = field(default_factory=list)
    security: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: "where/key" -> the name of the file that defined it first.
    owners: dict[str, str] = field(default_factory=dict)

    def add(self, source: SourceFile) -> None:
        """Add every section of ``source`` (see the module docstring)."""
        doc = source.doc
        for key in ("paths", "components"):
            if not isinstance(doc.get(key) or {}, dict):
                raise MergeError(f"{source.name}: {key} is not a mapping")
        for path, item in (doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                raise MergeError(f"{source.name}: paths/{path} is not a mapping")
            # Methods and path-level fields (parameters, summary, ...) alike: one definition each.
            target = self.paths.setdefault(str(path), {})
            self._put(target, item, f"paths[{path}]", source)
        for section, entries in (doc.get("components") or {}).items():
            target = self.components.setdefault(str(section), {})
            self._put(target, entries, f"components/{section}", source)
        for tag in doc.get("tags") or []:
            if not isinstance(tag, dict) or "name" not in tag:
                raise MergeError(f"{source.name}: a tag without a name")
            self._put(self.tags, {str(tag["name"]): tag}, "tags", source)
        for server in doc.get("servers") or []:
            if server not in self.servers:
                self.servers.append(server)
        for requirement in doc.get("security") or []:
            if requirement not in self.security:
                self.security.append(requirement)
        others = {k: v for k, v in doc.items() if k not in _KNOWN_KEYS}
        self._put(self.extra, others, "", source)

    def _put(self, target: dict[str, Any], items: Any, where: str, source: SourceFile) -> None:
        """Add the entries of ``items`` (the mapping at ``where`` in ``source``) to ``target``."""
        if items is None:
            return
        if not isinstance(items, dict):
            raise MergeError(f"{source.name}: {where} is not a mapping")
        for key, value in items.items():
            name = f"{where}/{key}"
            if key in target and target[key] != value:
                raise MergeError(
                    f"{name} is defined differently in {self.owners[name]} and {source.name}: "
                    "the files can't be merged (fix one of them, or merge by hand)"
                )
            if key not in target:
                target[key] = value
                self.owners[name] = source.name


def merge_specs(sources: Sequence[SourceFile]) -> dict[str, Any]:
    """Merge ``sources`` into one OpenAPI document (see the module docstring).

    Args:
        sources: from :func:`read_sources` (any order: they are sorted here).

    Returns:
        The merged document.

    Raises:
        MergeError: no source, differing ``openapi`` versions, or a path method,
            component or tag defined differently in two files (naming both).
    """
    if not sources:
        raise MergeError("no spec file to merge")
    ordered = sorted(sources, key=lambda s: (s.name, str(s.path)))
    versions = {str(s.doc.get("openapi")) for s in ordered}
    if len(versions) > 1:
        listing = ", ".join(f"{s.name}: {s.doc.get('openapi')}" for s in ordered)
        raise MergeError(f"the files use different OpenAPI versions ({listing})")
    union = _Union()
    for source in ordered:
        union.add(source)

    info = dict(ordered[0].doc.get("info") or {})
    titles = list(dict.fromkeys(str((s.doc.get("info") or {}).get("title", "")) for s in ordered))
    if len(titles) > 1:
        info["title"] = " + ".join(t for t in titles if t)
    info["x-tajo-merged-from"] = [s.name for s in ordered]
    merged: dict[str, Any] = {"openapi": ordered[0].doc.get("openapi"), "info": info}
    docs = next((s.doc["externalDocs"] for s in ordered if "externalDocs" in s.doc), None)
    if docs is not None:
        merged["externalDocs"] = docs
    if union.servers:
        merged["servers"] = union.servers
    if union.security:
        merged["security"] = union.security
    if union.tags:
        merged["tags"] = [union.tags[name] for name in sorted(union.tags)]
    merged["paths"] = {path: _ordered_item(union.paths[path]) for path in sorted(union.paths)}
    if union.components:
        merged["components"] = {
            section: {name: entries[name] for name in sorted(entries)}
            for section, entries in sorted(union.components.items())
        }
    merged.update({key: union.extra[key] for key in sorted(union.extra)})
    return merged


def _ordered_item(item: dict[str, Any]) -> dict[str, Any]:
    # Path-level fields first, then methods in the usual order: stable whatever the files.
    fields = {k: v for k, v in sorted(item.items()) if k not in HTTP_METHODS}
    methods = {m: item[m] for m in HTTP_METHODS if m in item}
    return {**fields, **methods}


def dump_merged(merged: dict[str, Any], sources: Sequence[SourceFile]) -> bytes:
    """The merged document as YAML, with a header naming each source and its sha256."""
    ordered = sorted(sources, key=lambda s: (s.name, str(s.path)))
    header = ["# Merged by `make update-spec` from the upstream files below; never edited."]
    header += [f"#   {s.name} sha256 {s.sha256}" for s in ordered]
    body = yaml.safe_dump(merged, sort_keys=False, allow_unicode=True, width=100)
    return ("\n".join(header) + "\n" + body).encode("utf-8")

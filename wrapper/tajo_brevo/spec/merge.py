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
from dataclasses import dataclass
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


def _union(
    target: dict[str, Any],
    owners: dict[str, str],
    items: Any,
    *,
    where: str,
    source: SourceFile,
) -> None:
    if items is None:
        return
    if not isinstance(items, dict):
        raise MergeError(f"{source.name}: {where} is not a mapping")
    for key, value in items.items():
        name = f"{where}/{key}"
        if key in target and target[key] != value:
            raise MergeError(
                f"{name} is defined differently in {owners[name]} and {source.name}: "
                "the files can't be merged (fix one of them, or merge by hand)"
            )
        if key not in target:
            target[key] = value
            owners[name] = source.name


def _merge_path_item(
    merged: dict[str, Any],
    owners: dict[str, str],
    path: str,
    item: Any,
    source: SourceFile,
) -> None:
    if not isinstance(item, dict):
        raise MergeError(f"{source.name}: paths/{path} is not a mapping")
    target = merged.setdefault(path, {})
    # Methods and path-level fields (parameters, summary, ...) alike: one definition each.
    _union(target, owners, item, where=f"paths[{path}]", source=source)


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
    owners: dict[str, str] = {}
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    tags: dict[str, Any] = {}
    servers: list[Any] = []
    security: list[Any] = []
    extra: dict[str, Any] = {}
    for source in ordered:
        doc = source.doc
        for key in ("paths", "components"):
            if not isinstance(doc.get(key) or {}, dict):
                raise MergeError(f"{source.name}: {key} is not a mapping")
        for path, item in (doc.get("paths") or {}).items():
            _merge_path_item(paths, owners, str(path), item, source)
        for section, entries in (doc.get("components") or {}).items():
            _union(
                components.setdefault(str(section), {}),
                owners,
                entries,
                where=f"components/{section}",
                source=source,
            )
        for tag in doc.get("tags") or []:
            if not isinstance(tag, dict) or "name" not in tag:
                raise MergeError(f"{source.name}: a tag without a name")
            _union(tags, owners, {str(tag["name"]): tag}, where="tags", source=source)
        for server in doc.get("servers") or []:
            if server not in servers:
                servers.append(server)
        for requirement in doc.get("security") or []:
            if requirement not in security:
                security.append(requirement)
        known = {
            "openapi",
            "info",
            "externalDocs",
            "paths",
            "components",
            "tags",
            "servers",
            "security",
        }
        others = {k: v for k, v in doc.items() if k not in known}
        _union(extra, owners, others, where="", source=source)

    info = dict(ordered[0].doc.get("info") or {})
    titles = list(dict.fromkeys(str((s.doc.get("info") or {}).get("title", "")) for s in ordered))
    if len(titles) > 1:
        info["title"] = " + ".join(t for t in titles if t)
    info["x-tajo-merged-from"] = [s.name for s in ordered]
    merged: dict[str, Any] = {"openapi": ordered[0].doc.get("openapi"), "info": info}
    docs = next((s.doc["externalDocs"] for s in ordered if "externalDocs" in s.doc), None)
    if docs is not None:
        merged["externalDocs"] = docs
    if servers:
        merged["servers"] = servers
    if security:
        merged["security"] = security
    if tags:
        merged["tags"] = [tags[name] for name in sorted(tags)]
    merged["paths"] = {path: _ordered_item(paths[path]) for path in sorted(paths)}
    if components:
        merged["components"] = {
            section: {name: entries[name] for name in sorted(entries)}
            for section, entries in sorted(components.items())
        }
    merged.update({key: extra[key] for key in sorted(extra)})
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

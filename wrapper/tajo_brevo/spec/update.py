"""Bump the pinned Brevo spec: validate, diff, re-apply corrections, regenerate, lock.

:func:`update_spec` does all of it or nothing: every output (new pin, effective spec,
generated client) is built in a staging directory first, and only when all of them are
ready are they moved into place; a failure while moving restores what was there.

:func:`regenerate` is ``make generate`` (effective spec, client, lock) as a function.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tajo_brevo.spec import (
    EFFECTIVE_HEADER,
    CorrectionReport,
    SpecPaths,
    apply_corrections,
    build_effective,
    dump_yaml,
    format_report,
    load_yaml,
    sha256_file,
    validate_spec,
    write_lock,
)
from tajo_brevo.spec.diff import DiffReport, changelog_lines, diff_specs

__all__ = [
    "GENERATOR_ARGS",
    "SpecInputError",
    "SpecUpdateError",
    "UpdateResult",
    "generate_client",
    "regenerate",
    "update_spec",
    "write_changelog_entry",
]

#: Arguments given to ``openapi-python-client generate`` besides paths (the Makefile's
#: GEN_ARGS; a test keeps the two equal).
GENERATOR_ARGS = ("--meta", "none", "--overwrite", "--fail-on-warning")

# Generous: generation takes about a second, its ruff post-hooks a few more.
_GENERATOR_TIMEOUT_S = 300


class SpecUpdateError(Exception):
    """The spec update was refused or failed; the project was left as it was."""


class SpecInputError(SpecUpdateError):
    """The new spec itself can't be read or is not a valid OpenAPI document (bad input)."""


@dataclass
class UpdateResult:
    """What :func:`update_spec` found and did."""

    #: Old pin -> new spec: what Brevo changed.
    upstream: DiffReport
    #: Old effective spec -> new effective spec: what the generated client sees.
    effective: DiffReport
    corrections: CorrectionReport
    #: False when the new spec is byte-identical to the pin (nothing was written).
    changed: bool
    #: The CHANGELOG entry written ("" when nothing changed).
    changelog_entry: str


def _generator_executable() -> str:
    beside = Path(sys.executable).with_name("openapi-python-client")
    if beside.exists():
        return str(beside)
    found = shutil.which("openapi-python-client")
    if found is None:
        raise SpecUpdateError(
            "openapi-python-client not found: install the dev extra (`make setup`)"
        )
    return found


def generate_client(effective: Path, output: Path, config: Path) -> None:
    """Run openapi-python-client on ``effective`` into ``output`` (replaced if it exists).

    Args:
        effective: the effective spec to generate from.
        output: the package directory to write (e.g. ``generated/brevo_contacts``).
        config: the generator config (``openapi/generator.yml``).

    Raises:
        SpecUpdateError: the generator is missing, fails or warns.
    """
    command = [
        _generator_executable(),
        "generate",
        "--path",
        str(effective),
        "--output-path",
        str(output),
        "--config",
        str(config),
        *GENERATOR_ARGS,
    ]
    env = dict(os.environ)
    # The generator's post-hooks call `ruff`: use the pinned one beside this Python.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=_GENERATOR_TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        raise SpecUpdateError(f"openapi-python-client timed out after {exc.timeout}s") from exc
    if result.returncode != 0:
        raise SpecUpdateError(
            "openapi-python-client failed:\n" + (result.stdout + result.stderr).strip()
        )
    shutil.rmtree(output / ".ruff_cache", ignore_errors=True)


def regenerate(paths: SpecPaths) -> CorrectionReport:
    """``make generate``: rebuild the effective spec, the generated client and the lock.

    Args:
        paths: the project's spec files.

    Returns:
        The corrections report (never stale: stale corrections raise).

    Raises:
        ValueError: invalid overlay or effective spec, or a stale correction.
        SpecUpdateError: the generator failed.
    """
    text, report = build_effective(paths)
    paths.effective.write_text(text, encoding="utf-8")
    generate_client(paths.effective, paths.generated, paths.generator_config)
    write_lock(paths)
    return report


def _read_new_specs(new_specs: Sequence[Path]) -> tuple[bytes, Any, list[dict[str, str]], str]:
    """The new pin's bytes and document, the sources for the lock, and a name for messages.

    One file is copied byte for byte; several files (or a directory) are merged.
    """
    from tajo_brevo.spec.merge import MergeError, dump_merged, merge_specs, read_sources

    try:
        sources = read_sources(new_specs)
    except MergeError as exc:
        raise SpecInputError(str(exc)) from exc
    # Each file on its own first: an error then names the file it is in.
    for source in sources:
        try:
            validate_spec(source.doc)
        except ValueError as exc:
            raise SpecInputError(f"{source.path}: {exc}") from exc
    if len(sources) == 1:
        [source] = sources
        raw, doc, label = source.raw, source.doc, str(source.path)
    else:
        label = f"the merge of {', '.join(s.name for s in sources)}"
        try:
            doc = merge_specs(sources)
            validate_spec(doc)
        except ValueError as exc:  # MergeError included
            raise SpecInputError(f"{label}: {exc}") from exc
        raw = dump_merged(doc, sources)
    lock_sources = [{"path": s.name, "sha256": s.sha256} for s in sources]
    return raw, doc, lock_sources, label


def update_spec(
    paths: SpecPaths,
    new_spec: Path | Sequence[Path],
    *,
    allow_stale: bool = False,
    today: _dt.date | None = None,
) -> UpdateResult:
    """Make ``new_spec`` the pin: validate, diff, re-apply corrections, regenerate, lock.

    Nothing is written unless every step succeeds: the new spec is valid OpenAPI, the
    corrections apply and give a valid effective spec, no correction is stale (unless
    ``allow_stale``), and the generator succeeds. Then the pin, the effective spec, the
    generated client, ``spec.lock`` and a ``CHANGELOG.md`` entry are written.

    Args:
        paths: the project's spec files.
        new_spec: the candidate upstream spec (YAML or JSON), copied byte for byte; or
            several files, or a directory of them (upstream's split by tag), merged into
            one pin by :func:`tajo_brevo.spec.merge.merge_specs`. ``spec.lock`` records
            every source file and its sha256.
        allow_stale: write the bump even if some corrections no longer apply (they are
            still reported, and ``make check-generated`` keeps failing until they are
            removed from ``corrections.yml``).
        today: date for the CHANGELOG entry (default: today, UTC).

    Returns:
        The diffs, the corrections report and the CHANGELOG entry.

    Raises:
        SpecUpdateError: the update was refused or failed; nothing was changed.
    """
    specs = [new_spec] if isinstance(new_spec, Path) else list(new_spec)
    raw, new_doc, sources, label = _read_new_specs(specs)
    old_pin = load_yaml(paths.pin)
    old_effective = load_yaml(paths.effective)
    try:
        upstream = diff_specs(old_pin, new_doc)
    except ValueError as exc:
        raise SpecUpdateError(f"cannot compare {label} with the pin: {exc}") from exc

    try:
        effective_doc, report = apply_corrections(new_doc, load_yaml(paths.corrections))
    except ValueError as exc:
        raise SpecUpdateError(f"{paths.corrections}: {exc}") from exc
    if report.stale and not allow_stale:
        raise SpecUpdateError(
            "corrections that no longer apply to the new spec:\n"
            + format_report(report)
            + "\nNothing was changed. Look at each one: remove it from openapi/corrections.yml"
            " if upstream now says the same or the target is gone for good, or fix its"
            " target; then run the update again (or pass --allow-stale to write the bump"
            " and look at it first; make check-generated fails until they are fixed)."
        )
    try:
        validate_spec(effective_doc)
    except ValueError as exc:
        raise SpecUpdateError(
            f"the new spec is valid, but with openapi/corrections.yml applied it is not: {exc}"
            "\nNothing was changed."
        ) from exc
    effective = diff_specs(old_effective, effective_doc)

    if raw == paths.pin.read_bytes():
        return UpdateResult(upstream, effective, report, changed=False, changelog_entry="")

    entry = _changelog_entry(
        paths, raw, upstream, effective, report, today or _utc_today(), sources
    )
    _stage_and_commit(paths, raw, EFFECTIVE_HEADER + dump_yaml(effective_doc), entry, sources)
    return UpdateResult(upstream, effective, report, changed=True, changelog_entry=entry)


def _utc_today() -> _dt.date:
    return _dt.datetime.now(_dt.UTC).date()


def _stage_and_commit(
    paths: SpecPaths,
    pin_bytes: bytes,
    effective_text: str,
    entry: str,
    sources: list[dict[str, str]],
) -> None:
    # Staging lives inside the project so the final moves are renames on one filesystem.
    stage = Path(tempfile.mkdtemp(prefix=".spec-update-", dir=paths.root))
    try:
        staged_pin = stage / "pin.yml"
        staged_pin.write_bytes(pin_bytes)
        staged_effective = stage / "effective.yml"
        staged_effective.write_text(effective_text, encoding="utf-8")
        staged_client = stage / "client"
        generate_client(staged_effective, staged_client, paths.generator_config)

        backup = stage / "backup"
        backup.mkdir()
        saved: dict[Path, Path] = {}
        for target in (paths.pin, paths.effective, paths.lock, paths.changelog):
            if target.exists():
                saved[target] = backup / target.name
                shutil.copy2(target, saved[target])
        old_client = backup / "client"
        moved_client = False
        try:
            os.replace(staged_pin, paths.pin)
            os.replace(staged_effective, paths.effective)
            if paths.generated.exists():
                os.replace(paths.generated, old_client)
                moved_client = True
            paths.generated.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged_client, paths.generated)
            write_lock(paths, sources)
            write_changelog_entry(paths.changelog, entry)
        except BaseException as exc:
            _restore(paths, saved, old_client if moved_client else None)
            if isinstance(exc, Exception):
                raise SpecUpdateError(
                    f"writing the update failed, nothing was changed: {exc}"
                ) from exc
            raise  # KeyboardInterrupt and the like: restored, then passed on as they are
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _restore(paths: SpecPaths, saved: dict[Path, Path], old_client: Path | None) -> None:
    for target in (paths.pin, paths.effective, paths.lock, paths.changelog):
        if target in saved:
            shutil.copy2(saved[target], target)
        elif target.exists():
            target.unlink()
    if old_client is not None:
        shutil.rmtree(paths.generated, ignore_errors=True)
        os.replace(old_client, paths.generated)


def _short_sha(data: bytes | Path) -> str:
    if isinstance(data, Path):
        return sha256_file(data)[:12]
    return hashlib.sha256(data).hexdigest()[:12]


def _changelog_entry(
    paths: SpecPaths,
    raw: bytes,
    upstream: DiffReport,
    effective: DiffReport,
    report: CorrectionReport,
    today: _dt.date,
    sources: list[dict[str, str]],
) -> str:
    old_info, new_info = upstream.old_info, upstream.new_info
    lines = [
        f"### Brevo spec bump ({today.isoformat()})",
        "",
        f"Pin `openapi/brevo-contacts.yml`: {old_info['title']} {old_info['version']} "
        f"(sha256 {_short_sha(paths.pin)}) -> {new_info['title']} {new_info['version']} "
        f"(sha256 {_short_sha(raw)}).",
        "",
        *(
            [
                "Merged from "
                + ", ".join(f"`{s['path']}` (sha256 {s['sha256'][:12]})" for s in sources)
                + ".",
                "",
            ]
            if len(sources) > 1
            else []
        ),
        f"Upstream changes: {len(upstream.breaking)} breaking, "
        f"{len(upstream.non_breaking)} non-breaking for a client of the API.",
    ]
    if upstream.changes:
        lines += ["", *changelog_lines(upstream)]
    # Corrections can hide an upstream change (or add one): show the client's view too
    # when it differs.
    if [c.sort_key for c in effective.changes] != [c.sort_key for c in upstream.changes]:
        lines += [
            "",
            f"Generated client (effective spec, corrections applied): "
            f"{len(effective.breaking)} breaking, {len(effective.non_breaking)} non-breaking.",
        ]
        if effective.changes:
            lines += ["", *changelog_lines(effective)]
    if report.stale:
        lines += [
            "",
            "Corrections that no longer apply (to remove from `openapi/corrections.yml`):",
            "",
            format_report(report),
        ]
    return "\n".join(lines) + "\n"


_CHANGELOG_HEADER = "# Changelog\n\n## Unreleased\n"


def write_changelog_entry(path: Path, entry: str) -> None:
    """Insert ``entry`` at the top of the ``## Unreleased`` section of ``path``.

    Args:
        path: the CHANGELOG (created with a ``# Changelog`` title if missing).
        entry: Markdown text of the entry (starting with a ``###`` heading).
    """
    text = path.read_text(encoding="utf-8") if path.exists() else _CHANGELOG_HEADER
    marker = "## Unreleased\n"
    if marker not in text:
        # Put an Unreleased section right after the title (or at the top).
        head, sep, rest = text.partition("\n")
        if head.startswith("# "):
            text = f"{head}\n\n{marker}{sep}{rest.lstrip(chr(10))}"
        else:
            text = f"{_CHANGELOG_HEADER}\n{text}"
    before, _, after = text.partition(marker)
    new_text = f"{before}{marker}\n{entry.rstrip()}\n\n{after.lstrip(chr(10))}"
    path.write_text(new_text.rstrip("\n") + "\n", encoding="utf-8")

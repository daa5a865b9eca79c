"""Schemathesis against a Brevo Contacts server, in process: load the schema and run it.

:func:`load_schema` loads the effective spec with the stateful links
(:mod:`~tajo_brevo.contract.st_links`), the configuration every run shares
(:mod:`~tajo_brevo.contract.st_config`) and the data hooks
(:mod:`~tajo_brevo.contract.st_hooks`); :func:`run` drives schemathesis' own engine and
reporter (all phases, every default check, positive and negative data) against a base
URL or an in-process ASGI app and returns the exit code the ``schemathesis run`` command
would give. The names of those three modules are importable from here too.

Needs the ``contract`` extra.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import schemathesis

from tajo_brevo._openapi_kit import load_spec
from tajo_brevo.contract.st_config import (
    MAX_EXAMPLES_ENV,
    POSITIVE_EXTRA_STATUSES,
    SEED_ENV,
    WARNING_EXEMPTIONS,
    KnownData,
    config_data,
    default_max_examples,
)
from tajo_brevo.contract.st_hooks import (
    RESERVED_IDENTIFIERS,
    PositiveCreatesFitState,
    identifier_reaches_its_route,
    query_mutation_survives,
    realistic_emails,
    register_formats,
)
from tajo_brevo.contract.st_links import STATEFUL_LINKS, with_links

__all__ = [
    "MAX_EXAMPLES_ENV",
    "POSITIVE_EXTRA_STATUSES",
    "RESERVED_IDENTIFIERS",
    "SEED_ENV",
    "STATEFUL_LINKS",
    "WARNING_EXEMPTIONS",
    "KnownData",
    "PositiveCreatesFitState",
    "config_data",
    "default_max_examples",
    "identifier_reaches_its_route",
    "load_schema",
    "query_mutation_survives",
    "realistic_emails",
    "register_formats",
    "run",
    "with_links",
]


def load_schema(
    *,
    base_url: str,
    api_key: str,
    app: Any = None,
    spec_path: str | Path | None = None,
    max_examples: int | None = None,
    seed: int | None = None,
    known: KnownData | None = None,
) -> Any:
    """The effective spec as a schemathesis schema, configured for a contract run.

    Args:
        base_url: the API root (for an in-process app, e.g. ``http://testserver/v3``).
        api_key: the key the server accepts.
        app: an ASGI app to call in-process instead of the network.
        spec_path: the OpenAPI document (default: the effective spec).
        max_examples: fuzzing examples per operation.
        seed: hypothesis seed.
        known: identifiers that exist on the server (see :class:`KnownData`).

    Returns:
        A ``schemathesis`` OpenAPI schema with the hooks of this module registered.
    """
    from schemathesis.config import SchemathesisConfig

    from tajo_brevo._resources import effective_spec_path

    register_formats()
    config = SchemathesisConfig.from_dict(
        config_data(
            base_url=base_url, api_key=api_key, max_examples=max_examples, seed=seed, known=known
        )
    )
    spec = load_spec(spec_path or effective_spec_path())
    schema = schemathesis.openapi.from_dict(with_links(spec), config=config)
    schema.hooks.register_hook_with_name(identifier_reaches_its_route, "filter_path_parameters")
    schema.hooks.register_hook_with_name(query_mutation_survives, "filter_case")
    taken = known.contact_identifiers if known is not None else ()
    schema.hooks.register_hook_with_name(PositiveCreatesFitState(taken), "map_case")
    if app is not None:
        schema.app = app
    return schema


def run(schema: Any) -> int:
    """Run every phase and check of schemathesis on ``schema``, reporting like its CLI.

    The report (failures with curl reproductions, warnings, summary) goes to stdout.

    Args:
        schema: from :func:`load_schema`.

    Returns:
        The exit code ``schemathesis run`` would give: 0 when nothing failed and no
        warning was raised.
    """
    # schemathesis run takes a URL, not an in-process app: its CLI event loop is reached
    # through the one module that uses schemathesis internals.
    from tajo_brevo.contract._schemathesis_internals import run_with_cli_reporter

    code = run_with_cli_reporter(schema)
    sys.stdout.flush()
    return code

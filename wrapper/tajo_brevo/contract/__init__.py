"""Contract tooling: prove that the client, the mock and a live Brevo agree with the spec.

Needs the ``contract`` extra (``pip install tajo-brevo[contract]``).

Modules (import the one you need; each pulls only its own dependencies):

- ``tajo_brevo.contract.completeness``: the (operation, status) pairs a spec documents,
  and which of them a test suite does not handle.
- ``tajo_brevo.contract.validation``: validate httpx requests and responses against the
  spec with openapi-core (for respx tests of a client).
- ``tajo_brevo.contract.strategies``: hypothesis strategies for request inputs and
  response bodies generated from the spec's schemas.
- ``tajo_brevo.contract.schemathesis_setup``: load the spec as a schemathesis schema
  and run it in process, from what every run shares: ``st_config`` (configuration:
  per-operation expected statuses, warnings, known data), ``st_hooks`` (formats and
  data hooks) and ``st_links`` (the stateful links the spec can't declare).
- ``tajo_brevo.contract.runner``: run the schemathesis suite against a base URL and
  report per operation (used by ``tajo-brevo contract``), with its parts:
  ``discovery`` (what exists on the target), ``st_config`` (also the config and spec
  handed to ``schemathesis run``), ``st_extension`` (the hooks module schemathesis loads),
  ``results`` (summary, verdict, JUnit), ``writes`` (what a write run may touch and the
  record of what it created) and ``cleanup``. ``_schemathesis_internals`` is the one
  module that reaches past schemathesis' documented interfaces.
"""

from __future__ import annotations

from pathlib import Path

from tajo_brevo._resources import effective_spec_path

__all__ = ["default_spec_path"]


def default_spec_path() -> Path:
    """Return the effective spec (pin + corrections) the suites check against.

    Returns:
        The spec shipped with the package (a wheel) or the checkout's
        ``openapi/brevo-contacts.effective.yml``.

    Raises:
        FileNotFoundError: neither exists; pass the spec path explicitly instead.
    """
    return effective_spec_path()

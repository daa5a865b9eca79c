"""Hooks module for one test: schemathesis' stateful phase always explores past a link.

Loaded by ``schemathesis run`` (``SCHEMATHESIS_HOOKS=_explore_always``) in the contract
run's own process, so the patch reaches only that run. The folder link stays on, or no
list is ever created (see ``always_explore_links``).
"""

from __future__ import annotations

import tajo_brevo.contract.st_extension  # noqa: F401  (tajo-brevo's hooks and handler)
from tajo_brevo.contract._schemathesis_internals import always_explore_links

always_explore_links(keep="CreateListInFolder")

"""Hooks module for one test: schemathesis' stateful phase always explores past a link.

Loaded by ``schemathesis run`` (``SCHEMATHESIS_HOOKS=_explore_always``) in the contract
run's own process, so the patches below reach only that run. p(use a path link) =
1 - rate * 0.5 (path parameter) * 0.5 (required) = 0 before calibration and 0 after; the
folder link stays on, or no list is ever created.
"""

from __future__ import annotations

import schemathesis.engine.link_calibration as calibration
import schemathesis.specs.openapi.stateful as stateful
import tajo_brevo.contract.st_extension  # noqa: F401  (tajo-brevo's hooks and handler)

stateful.BASE_EXPLORATION_RATE = 4.0  # type: ignore[attr-defined]
calibration.LinkCalibrationState.use_probability = (  # type: ignore[method-assign]
    lambda _self, transition: 1.0 if "CreateListInFolder" in transition else 0.0
)

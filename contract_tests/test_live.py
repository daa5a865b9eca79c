"""The contract suite against a live target: any base URL given by BREVO_BASE_URL.

Skipped unless both BREVO_BASE_URL and BREVO_API_KEY are set. Read-only by default;
BREVO_CONTRACT_ALLOW_WRITES=1 also runs the write operations (everything they create is
named ``tajo-contract-...`` and deleted afterwards). BREVO_CONTRACT_MAX_EXAMPLES sets the
fuzzing examples per operation (default 20).
"""

from __future__ import annotations

import os

import pytest
from tajo_brevo.contract.runner import DEFAULT_MAX_EXAMPLES, run_contract

BASE_URL = os.environ.get("BREVO_BASE_URL", "")
API_KEY = os.environ.get("BREVO_API_KEY", "")

pytestmark = pytest.mark.skipif(
    not (BASE_URL and API_KEY),
    reason="live contract run needs BREVO_BASE_URL and BREVO_API_KEY (not set)",
)


def test_live_target_conforms_to_the_effective_spec() -> None:
    result = run_contract(
        base_url=BASE_URL,
        api_key=API_KEY,
        allow_writes=os.environ.get("BREVO_CONTRACT_ALLOW_WRITES") == "1",
        max_examples=int(os.environ.get("BREVO_CONTRACT_MAX_EXAMPLES", DEFAULT_MAX_EXAMPLES)),
    )
    print(result.summary())
    assert result.ok, result.summary()

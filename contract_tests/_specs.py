"""Where the specs are, and the base URL the respx suites serve (shared by the modules)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EFFECTIVE = ROOT / "openapi" / "brevo-contacts.effective.yml"
PIN = ROOT / "openapi" / "brevo-contacts.yml"
BASE_URL = "https://api.brevo.com/v3"

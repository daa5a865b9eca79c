"""tajo_brevo: keep Brevo contacts in step with Tajo loyalty data."""

from __future__ import annotations

__all__: list[str] = []
__version__ = "0.1.0"

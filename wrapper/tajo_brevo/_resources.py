"""Files shipped with the package, found the same way in a wheel and in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_NAME = "brevo-contacts.effective.yml"


def effective_spec_path() -> Path:
    """The effective spec (pin + corrections) this package was built from.

    A wheel ships it as ``tajo_brevo/_openapi/``; a source checkout (editable install) has
    it in ``openapi/`` beside ``wrapper/``.

    Returns:
        Path of ``brevo-contacts.effective.yml``.

    Raises:
        FileNotFoundError: neither the packaged copy nor the checkout's file exists.
    """
    packaged = resources.files("tajo_brevo").joinpath(f"_openapi/{_NAME}")
    if packaged.is_file():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[2] / "openapi" / _NAME
    if source.is_file():
        return source
    raise FileNotFoundError(f"{_NAME} not found: reinstall tajo-brevo or pass a spec path")

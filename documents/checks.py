"""System checks of the documents app (issue 12): say loudly when uploads are not scanned."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def antivirus_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.CLAMD_URL:
        return []
    # Production cannot get here (settings refuse DEBUG off without CLAMD_URL).
    return [
        checks.Warning(
            "CLAMD_URL is empty: uploaded pieces are NOT scanned for viruses.",
            hint="Set CLAMD_URL (e.g. unix:///run/clamav/clamd.ctl); accepted only with DEBUG on.",
            id="documents.W001",
        )
    ]

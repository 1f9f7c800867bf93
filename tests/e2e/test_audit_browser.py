"""The checks every page of the journey goes through (tests/e2e/audit.py, issue 18): axe-core runs
only the rules that can report a serious or critical violation, and still reports them."""

from __future__ import annotations

import pytest

from .audit import Audit

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main>
<p style="color:#aaa;background:#fff">Texte trop pâle</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1">
<div style="width:2000px">Trop large</div>
</main></body></html>"""


def test_the_audit_still_reports_serious_and_critical_violations_and_overflow(phone_page):
    phone_page.set_content(PAGE)
    audit = Audit.from_env()
    audit.check(phone_page, "essai")
    found = "\n".join(audit.problems)
    assert "axe color-contrast (serious)" in found  # serious
    assert "axe image-alt (critical)" in found  # critical
    assert "wider than the window" in found
    # A moderate rule (no <h1>: page-has-heading-one) is not run: it could never fail the journey.
    assert "page-has-heading-one" not in found

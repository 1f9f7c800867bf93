"""Tokens of activation, reset and e-mail-change links never reach a log (issue 12)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.urls import reverse

from portal.logmasking import TokenMaskingFilter, mask_tokens

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "c4n-8f1e2d3c4b5a69788796a5b4c3d2e1f0"
UID = "MTIzNA"

TOKENISED = [
    reverse("candidates:activate", kwargs={"uidb64": UID, "token": TOKEN}),
    reverse("candidates:password_reset_confirm", kwargs={"uidb64": UID, "token": TOKEN}),
    reverse(
        "candidates:email_change_confirm", kwargs={"token": "eyJ1aWQiOjEsIm9sZCI6ImFAYi5mciJ9:1tXyZ:" + TOKEN}
    ),
]


def test_every_tokenised_url_is_masked():
    for url in TOKENISED:
        masked = mask_tokens(f'"GET {url} HTTP/1.1" 200 Referer: https://examens.fr{url}')
        assert TOKEN not in masked and UID not in masked and "eyJ1" not in masked, masked
        assert "***" in masked


def test_other_account_urls_are_left_as_they_are():
    for name in [
        "candidates:resend_activation",
        "candidates:password_reset_done",
        "candidates:password_reset",
    ]:
        assert mask_tokens(reverse(name)) == reverse(name)


def test_django_log_records_are_masked():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (TOKENISED[0],), None
    )
    TokenMaskingFilter().filter(record)
    assert TOKEN not in record.getMessage()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_of_the_image_keeps_no_token(tmp_path):
    """The Dockerfile's gunicorn command, with its logger class, writing a real access log."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATA_DIR": str(tmp_path), "DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--access-logfile", str(log), "--logger-class", "portal.logmasking.TokenMaskingLogger"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        # A uid that does not decode: the page answers without needing a migrated database.
        url = f"http://127.0.0.1:{port}" + reverse(
            "candidates:activate", kwargs={"uidb64": "x", "token": TOKEN}
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(url, headers={"Referer": url})
                urllib.request.urlopen(request, timeout=5)
                break
            except urllib.error.HTTPError:
                break  # an answer (400: the link is invalid) is all we need
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        deadline = time.monotonic() + 10
        while "activation" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(15)
    text = log.read_text()
    assert "/activation/***/***/" in text, text
    assert TOKEN not in text

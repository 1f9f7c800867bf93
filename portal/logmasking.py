"""Secrets that travel in URLs are masked before any log line is written (issue 12).

Activation, password-reset and e-mail-change links carry a single-use token in their path (the
e-mail-change one also carries both addresses, base64-readable). The pages behind them only show a
button that POSTs, but the GET and the POST still name the URL: gunicorn's access log (request
line and Referer) and Django's request logger would keep live tokens. Both go through mask_tokens.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

MASK = "***"
# Path prefix of each tokenised link, then how many secret segments follow it. tests/test_logmasking.py
# reverses every such URL name and checks that it is masked, so a moved URL cannot slip through.
_PATTERNS = [
    re.compile(r"(/activation/)(?!nouveau-lien/)[^/\s?\"]+/[^/\s?\"]+"),
    re.compile(r"(/mot-de-passe-oublie/)(?!envoye/|termine/)[^/\s?\"]+/[^/\s?\"]+"),
    re.compile(r"(/mon-espace/adresse-electronique/confirmer/)[^/\s?\"]+"),
]


def mask_tokens(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(
            lambda m: m.group(1) + "/".join([MASK] * (m.group(0)[len(m.group(1)) :].count("/") + 1)), text
        )
    return text


class TokenMaskingFilter(logging.Filter):
    """For Django's loggers ("Not Found: /activation/…", "Bad Request: …")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class TokenMaskingLogger(GunicornLogger):
    """gunicorn --logger-class: every atom of the access log (request line, path, Referer and any
    header) is masked before formatting."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}

"""Runs ``documents.pieces.disarm`` on one file in a child process capped in memory (address
space) and CPU time (issue 12): a crafted image or PDF may exhaust the child, never the worker.
The child's answer (or its death) becomes a French ``DomainError``."""

from __future__ import annotations

import functools
import json
import logging
import os
import resource
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from portal.exceptions import DomainError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]


def _limits(memory: int, cpu: int) -> None:
    """Runs in the child between fork and exec: only async-signal-safe work, values computed by
    the parent."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _coverage_env() -> dict[str, str]:
    """The child's environment is nearly empty on purpose; the test suite's coverage measurement
    (coverage's `patch = subprocess`, which sets COVERAGE_PROCESS_*) is the one thing let through."""
    return {key: value for key, value in os.environ.items() if key.startswith("COVERAGE_")}


def max_pdf_pages() -> int:
    return settings.UPLOAD_MAX_PDF_PAGES


def max_image_pixels() -> int:
    return settings.UPLOAD_MAX_IMAGE_PIXELS


def refusal_message(code: str, name: str, detail: dict) -> str:
    """The candidate's message for each refusal of the child."""
    messages = {
        "broken_pdf": _(
            "« %(name)s » est un PDF illisible ou endommagé : enregistrez-le à nouveau puis redéposez-le."
        ),
        "encrypted_pdf": _(
            "« %(name)s » est un PDF protégé par un mot de passe : déposez une version sans protection."
        ),
        "too_many_pages": _(
            "« %(name)s » compte trop de pages (%(pages)s) : %(max)s pages au plus par fichier. "
            "Déposez seulement les pages demandées."
        ),
        "image_too_large": _(
            "« %(name)s » est une image trop grande (plus de %(mpx)s millions de pixels) : "
            "réduisez sa définition (une photo de téléphone en qualité standard convient)."
        ),
        "broken_image": _(
            "« %(name)s » est une image illisible ou incomplète : reprenez la photo ou le scan."
        ),
        "too_complex": _(
            "« %(name)s » n'a pas pu être vérifié : il demande trop de ressources (fichier très lourd ou "
            "construit de façon inhabituelle). Enregistrez-le à nouveau (ou scannez-le) puis redéposez-le."
        ),
    }
    return messages.get(code, messages["too_complex"]) % {
        "name": name,
        "pages": detail.get("pages", "?"),
        "max": max_pdf_pages(),
        "mpx": max_image_pixels() // 1_000_000,
    }


def disarm_file(source: str, dest: str, *, content_type: str, name: str, rebuild: bool = True) -> dict:
    """Check and clean ``source`` (a local file) into ``dest``; a French DomainError if refused."""
    memory = settings.UPLOAD_SANDBOX_MEMORY_MB * 1024 * 1024
    cpu = settings.UPLOAD_SANDBOX_CPU_SECONDS
    command = [
        sys.executable,
        "-m",
        "documents.pieces.disarm",
        source,
        dest,
        "--type",
        content_type,
        "--max-pixels",
        str(max_image_pixels()),
        "--max-pages",
        str(max_pdf_pages()),
    ]
    if not rebuild:
        command.append("--keep-pdf")
    try:
        done = subprocess.run(  # noqa: S603 (our own module, arguments we built)
            command,
            cwd=ROOT,
            capture_output=True,
            timeout=cpu * 3 + 10,
            preexec_fn=functools.partial(_limits, memory, cpu),  # noqa: PLW1509 (no threads touch the limits)
            env={
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": str(ROOT),
                "PYTHONDONTWRITEBYTECODE": "1",
                **_coverage_env(),
            },
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("disarm of %s timed out", content_type)
        answer = {"ok": False, "code": "too_complex"}
    else:
        try:
            answer = json.loads(done.stdout.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            # Killed by a limit (MemoryError, SIGXCPU) or crashed: the file is refused, not retried.
            logger.warning(
                "disarm of %s failed (exit %s): %s", content_type, done.returncode, done.stderr[-500:]
            )
            answer = {"ok": False, "code": "too_complex"}
    if not answer.get("ok"):
        code = answer.pop("code", "too_complex")
        answer.pop("ok", None)
        raise DomainError(refusal_message(code, name, answer), field="files", code=code)
    return answer

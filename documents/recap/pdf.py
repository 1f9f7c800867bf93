"""WeasyPrint rendering of Django templates into PDF bytes, with no network access.

Fonts: DejaVu Sans from Debian's ``fonts-dejavu-core`` package (PDF_FONT_DIR, default
/usr/share/fonts/truetype/dejavu), declared with @font-face so every machine embeds the same
files. The URL fetcher serves only our static files, those fonts and data: URIs; any other URL
(http, https, file elsewhere) is refused, so a template can never make the worker fetch something.

The stylesheet (templates/documents/pdf/base.css and the @font-face rules) and WeasyPrint's font
configuration are made once per process and thread, not per PDF: building them cost ≈ 45 ms of a
recap's 360, and a FontConfiguration made per render (fontconfig and Pango state) grew the
worker's memory by 250–280 kB a render. See docs/performance.md, "PDFs".
"""

from __future__ import annotations

import atexit
import gc
import mimetypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from celery.signals import worker_process_shutdown
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"


class RefusedURL(ValueError):
    """A template asked WeasyPrint for a resource outside our static files and fonts."""


def font_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_DIR", "") or DEFAULT_FONT_DIR)


def _allowed_file(path: Path) -> bool:
    path = path.resolve()
    roots = [font_dir().resolve(), *(Path(d).resolve() for d in settings.STATICFILES_DIRS)]
    return any(path.is_relative_to(root) for root in roots)


class LocalOnlyFetcher(URLFetcher):
    """Serve data: URIs, ``static:`` names and files below the font and static folders; refuse
    everything else (WeasyPrint's own advice for server-side rendering of untrusted input)."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        if parsed.scheme == "static":
            found = finders.find(unquote(parsed.path).lstrip("/"))
            if not found:
                raise RefusedURL(f"Unknown static file: {url}")
            path = Path(found)
        elif parsed.scheme == "file" and not parsed.netloc:
            path = Path(unquote(parsed.path))
        else:
            raise RefusedURL(f"External URL refused while rendering a PDF: {url}")
        if not path.is_file() or not _allowed_file(path):
            raise RefusedURL(f"File outside the allowed folders refused: {url}")
        mime, _ = mimetypes.guess_type(path.name)
        if path.suffix.lower() in {".ttf", ".otf"}:
            mime = f"font/{path.suffix.lower()[1:]}"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
        )


def font_face_css() -> str:
    """@font-face rules pointing at the DejaVu files (regular, bold, oblique)."""
    base = font_dir()
    faces = [
        ("DejaVuSans.ttf", "normal", "normal"),
        ("DejaVuSans-Bold.ttf", "bold", "normal"),
        ("DejaVuSans-Oblique.ttf", "normal", "italic"),
        ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
    ]
    return "\n".join(
        f'@font-face {{ font-family: "Portail Sans"; src: url("{(base / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in faces
        if (base / name).exists()
    )


STYLESHEET_TEMPLATE = "documents/pdf/base.css"


@dataclass(frozen=True)
class PdfResources:
    """What every render of one process and thread shares: the font configuration holding the
    @font-face fonts, and the stylesheet parsed against it."""

    key: tuple
    font_config: FontConfiguration
    stylesheet: CSS


_local = threading.local()
# Resources a forked child found made by its parent: kept referenced, so that the child never
# deletes the parent's font folder (FontConfiguration deletes its folder when freed).
_inherited: list[PdfResources] = []


def pdf_resources() -> PdfResources:
    """This thread's resources, made at its first render. Per thread because Pango and fontconfig
    objects are not to be shared between threads (the web's gthread workers render in eager mode);
    per process (the pid is in the key) because a Celery pool child must not reuse its parent's;
    made again when the font folder changes (a test's settings)."""
    key = (os.getpid(), str(font_dir()))
    resources = getattr(_local, "resources", None)
    if resources is None or resources.key != key:
        if resources is not None and resources.key[0] != key[0]:
            _inherited.append(resources)
        font_config = FontConfiguration()
        stylesheet = CSS(
            string=font_face_css() + "\n" + render_to_string(STYLESHEET_TEMPLATE),
            base_url="static:///",
            url_fetcher=LocalOnlyFetcher(),
            font_config=font_config,
        )
        resources = _local.resources = PdfResources(key, font_config, stylesheet)
    return resources


def release_pdf_resources() -> None:
    """Drop this thread's resources: the font configuration then deletes the copies of the fonts
    it keeps in a temporary folder (called as a worker process ends, and at exit)."""
    if getattr(_local, "resources", None) is not None:
        _local.resources = None
        gc.collect()  # the font configuration sits in reference cycles: freed by the collector only


atexit.register(release_pdf_resources)


@worker_process_shutdown.connect
def _release_at_worker_exit(**_kwargs) -> None:
    # A pool child leaves through os._exit (no atexit): this signal is its last word.
    release_pdf_resources()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF bytes (A4 and page numbers come from the stylesheet)."""
    resources = pdf_resources()
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url="static:///", url_fetcher=LocalOnlyFetcher()).write_pdf(
        stylesheets=[resources.stylesheet], font_config=resources.font_config
    )

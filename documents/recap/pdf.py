"""WeasyPrint rendering of Django templates into PDF bytes, with no network access.

Fonts: DejaVu Sans from Debian's ``fonts-dejavu-core`` package (PDF_FONT_DIR, default
/usr/share/fonts/truetype/dejavu), declared with @font-face so every machine embeds the same
files. The URL fetcher serves only our static files, those fonts and data: URIs; any other URL
(http, https, file elsewhere) is refused, so a template can never make the worker fetch something.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
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


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to PDF bytes (A4 and page numbers come from the template's CSS)."""
    html = render_to_string(template_name, {**context, "font_face_css": font_face_css()})
    return HTML(string=html, base_url="static:///", url_fetcher=LocalOnlyFetcher()).write_pdf()

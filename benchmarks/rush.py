"""The deadline rush: N virtual candidates at once through the whole journey, over HTTP against
gunicorn, with the e-mails read from the SMTP sink as a person reads their inbox:
sign-up → activation → login → profile → the nine tabs → register → sign the recap → two uploads →
lock. Then the database is checked: exactly N submitted dossiers, every file on storage, every
e-mail sent."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed

from client import Browser, HttpError, forms_of

PASSWORD = "Rush-du-dernier-soir-2026"
# The status polls at the pace of the pages' scripts (static/js/documents-status.js and
# pieces.js): a rush that polled every 0.5 s spent web CPU no browser spends.
RECAP_FIRST_POLL, RECAP_POLL = 3.0, 4.0
PIECES_FIRST_POLL = 3.0


def phone_jpeg(width: int, height: int, quality: int = 88) -> bytes:
    """A photo-like JPEG (gradients and grain, as a phone photo of a paper compresses)."""
    from PIL import Image, ImageFilter

    noise = Image.effect_noise((width // 4, height // 4), 60).resize((width, height)).filter(ImageFilter.BLUR)
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def small_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Attestation</h1><p>Justificatif du candidat.</p>").write_pdf()


def _redirected(browser: Browser, response, what: str):
    if response.status not in (302, 303):
        raise HttpError(f"{what}: {response.status} (no redirect) {_errors(response.text)}")
    location = response.headers["location"]
    return browser.get(location)


def _errors(html: str) -> str:
    found = re.findall(
        r"(?:invalid-feedback|errorlist|alert-danger|alert alert-danger)[^>]*>(.*?)</", html, re.S
    )
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found[:5])[:500]


class Journey:
    """One candidate. ``until`` stops after a step (the page benchmark keeps drafts)."""

    def __init__(
        self, base_url: str, mail, email: str, files: dict[str, tuple[str, bytes, str]], address: str = ""
    ) -> None:
        self.browser = Browser(base_url)
        if address:  # as the deployment's reverse proxy would tell (TRUSTED_PROXIES=127.0.0.1)
            self.browser.headers["X-Forwarded-For"] = address
        self.mail = mail
        self.email = email
        self.files = files
        self.dossier_id: int | None = None

    def post_form(self, page, overrides=None, *, files=None, match="", what=""):
        response = self.browser.submit(page, overrides, files=files, match=match, follow=False, expect=None)
        return _redirected(self.browser, response, what)

    def run(self, until: str = "lock") -> None:
        b = self.browser
        page = b.get("/creer-un-compte/")
        self.post_form(
            page,
            {"email": self.email, "email_confirm": self.email, "password1": PASSWORD, "password2": PASSWORD},
            what="sign-up",
        )
        # Five minutes, then the candidate gives up (an error of the rush).
        text = self.mail.wait_for(self.email, lambda subject, body: "/activation/" in body, timeout=300)
        link = re.search(r"https?://\S+?(/activation/\S+/)", text).group(1)
        page = b.get(link)
        self.post_form(page, what="activation")
        page = b.get("/connexion/")
        self.post_form(page, {"username": self.email, "password": PASSWORD}, what="login")
        page = b.get("/mon-espace/profil/modifier/")
        self.post_form(
            page,
            {
                "birth_name": "Rush",
                "first_name_1": "Camille",
                "sex": "F",
                "birth_date": "2001-05-14",
                "birth_commune": "Nancy",
                "address_line1": "12 rue Stanislas",
                "postcode": "54000",
                "city": "Nancy",
                "mobile_phone": "06 12 34 56 78",
                "consent_press": "false",
                "consent_commercial": "false",
                "consent_local_authorities": "true",
            },
            what="profile",
        )
        page = b.get("/inscription/")
        page = self.post_form(page, {"session": "__first__"}, what="start")
        self.dossier_id = int(re.search(r"/inscription/(\d+)/", page.url).group(1))
        tabs = [
            ("identite", {}),
            ("contact", {}),
            ("situation", {"category": "distance_school", "access_diploma": "Baccalauréat STI2D 2022"}),
            ("specialite", {"specialty": "__first__", "forme": "global"}),
            ("epreuves", {}),
            ("langues", {"mandatory_language": "__first__"}),
            ("handicap", {}),
        ]
        for tab, overrides in tabs:
            if f"/{tab}/" not in page.url:
                page = b.get(f"/inscription/{self.dossier_id}/{tab}/")
            page = self.post_form(page, overrides, what=f"tab {tab}")
        if until == "tabs":
            return
        if "/conditions/" not in page.url:
            page = b.get(f"/inscription/{self.dossier_id}/conditions/")
        self.post_form(page, {"certify": "on"}, what="register")
        self._wait_for_recap()
        if until == "register":
            return
        page = b.get(f"/mes-documents/dossier/{self.dossier_id}/signer/")
        self.post_form(page, {"password": PASSWORD, "certify": "on"}, what="sign")
        page = b.get(f"/mes-justificatifs/{self.dossier_id}/")
        codes = re.findall(rf"/mes-justificatifs/{self.dossier_id}/deposer/([\w-]+)/", page.text)
        codes = list(dict.fromkeys(codes))
        if len(codes) < 2:
            raise HttpError(f"expected two pieces to deposit, found {codes}")
        for code, (name, data, content_type) in zip(codes, self.files.values(), strict=False):
            form = next(f for f in forms_of(page.text) if f"/deposer/{code}/" in f.action)
            response = b.post(
                form.action,
                form.values(),
                files={form.files[0]: (name, data, content_type)},
                follow=False,
                expect=None,
            )
            page = _redirected(b, response, f"upload {code}")
        # Uploads wait in quarantine for the antivirus and the format check (issue 12): the page
        # polls their status (pieces.js) and reloads when none is left, as the candidate does.
        self._wait_for_checks()
        page = b.get(f"/mes-justificatifs/{self.dossier_id}/")
        self.post_form(page, match="verrouiller", what="lock")

    def _wait_for_checks(self, timeout: float = 300) -> None:
        from urllib.parse import urlparse

        page = self.browser.get(f"/mes-justificatifs/{self.dossier_id}/")
        found = re.search(r'data-status-url="([^"]+)"', page.text)
        if not found:
            return
        path = urlparse(found.group(1)).path
        # pieces.js's pace: a first look after 3 s, then 1.5 times longer each time, at most 30 s.
        deadline = time.monotonic() + timeout
        delay = PIECES_FIRST_POLL
        while time.monotonic() < deadline:
            time.sleep(delay)
            if not json.loads(self.browser.get(path).text).get("checking"):
                return
            delay = min(delay * 1.5, 30.0)
        raise HttpError("uploads still being checked")

    def _wait_for_recap(self, timeout: float = 300) -> None:
        # documents-status.js's pace: a first look after 3 s, then every 4 s.
        deadline = time.monotonic() + timeout
        time.sleep(RECAP_FIRST_POLL)
        while time.monotonic() < deadline:
            status = json.loads(self.browser.get(f"/mes-documents/dossier/{self.dossier_id}/etat/").text)
            if not status.get("pending"):
                return
            time.sleep(RECAP_POLL)
        raise HttpError("recap still pending")


def run_rush(stack, n: int, concurrency: int, prefix: str = "rush", until: str = "lock") -> dict:
    files = {
        "photo": ("piece-identite.jpg", phone_jpeg(1600, 1200), "image/jpeg"),
        "pdf": ("attestation.pdf", small_pdf(), "application/pdf"),
    }
    errors: list[str] = []
    journeys: list[Journey] = []
    lock = threading.Lock()
    durations: list[float] = []

    def one(i: int) -> None:
        # Documentation networks (RFC 5737): one address per candidate, as from their homes.
        address = f"{('203.0.113', '198.51.100', '192.0.2')[i // 250 % 3]}.{i % 250 + 1}"
        journey = Journey(stack.base_url, stack.mail, f"{prefix}-{i:05d}@bench.example.org", files, address)
        started = time.monotonic()
        try:
            journey.run(until=until)
        except Exception as exc:  # an error is a figure of the bench, not a crash of it
            with lock:
                errors.append(
                    f"{journey.email}: {exc}" if isinstance(exc, HttpError) else traceback.format_exc()
                )
        finally:
            journey.browser.close()
            with lock:
                journeys.append(journey)
                durations.append(time.monotonic() - started)

    cpu0 = stack.web_cpu()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in as_completed([pool.submit(one, i) for i in range(n)]):
            future.result()
    seconds = time.monotonic() - started
    return {
        "candidates": n,
        "errors": errors,
        "seconds": seconds,
        "journeys": journeys,
        "web_cpu_seconds": stack.web_cpu() - cpu0,
        "requests": sum(j.browser.requests for j in journeys),
        "journey_p50_s": sorted(durations)[len(durations) // 2] if durations else 0,
    }


def check_rush(stack, emails: list[str], expected_mails_before: int = 0) -> dict:
    """What the database and the storage hold after the rush, once the workers are idle."""
    from django.core.files.storage import default_storage

    from candidates.models import Dossier, DossierState
    from documents.models import PieceFile
    from notifications.models import EmailStatus, OutgoingEmail

    stack.wait_for_queue()
    dossiers = Dossier.objects.filter(candidate__email__in=emails)
    submitted = dossiers.filter(state=DossierState.SUBMITTED).count()
    files = list(PieceFile.objects.filter(piece__dossier__in=dossiers).values_list("file", flat=True))
    missing_files = sum(1 for name in files if not default_storage.exists(name))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        outgoing = OutgoingEmail.objects.filter(to__in=emails)
        unsent = outgoing.exclude(status=EmailStatus.SENT).count()
        if unsent == 0:
            break
        time.sleep(1)
    total_mails = OutgoingEmail.objects.filter(to__in=emails).count()
    received = sum(len(stack.mail.by_recipient.get(e.lower(), [])) for e in emails)
    return {
        "submitted": submitted,
        "files": len(files),
        "files_missing": missing_files,
        "emails": total_mails,
        "emails_unsent": unsent,
        "emails_received": received,
    }

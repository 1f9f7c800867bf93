"""`make faults`: the portal under a bounded HTTP load while one component at a time fails (issue 17).

Starts its OWN PostgreSQL (initdb in a temporary folder), Redis, SMTP sink, gunicorn, Celery
workers (one per queue) and beat, each on a free port (never the shared 5432/6379), drives a few
virtual candidates through login → wizard → "Enregistrer" → upload → signature → lock, injects
each fault, then prints a consistency table and the measured recovery time (must be <= 120 s)
per scenario. Exits non-zero when a check fails.

    .venv/bin/python faults/run.py [scenario ...]     # default: all, in order
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faults.services import Clamd, Postgres, Process, Redis, SmtpSink, celery, free_port, wait_port  # noqa: E402

RECOVERY_LIMIT = 120.0
PASSWORD = "Un-mot-de-passe-solide-1"
REDIS_DOWN = float(os.environ.get("FAULTS_REDIS_DOWN_SECONDS", 30))
SMTP_DOWN = float(os.environ.get("FAULTS_SMTP_DOWN_SECONDS", 60))
FRENCH_503 = "Le portail est momentanément indisponible"
FRENCH_500 = "Une erreur est survenue de notre côté"


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {text}", flush=True)


# --- the stack ---------------------------------------------------------------------------------
class Stack:
    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="portal-faults-"))
        os.chmod(self.base, 0o755)
        self.pg = Postgres(self.base)
        self.redis = Redis(self.base)
        self.smtp = SmtpSink()
        self.clamd = Clamd(self.base)
        self.web_port = free_port()
        self.data = self.base / "data"
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "DATABASE_URL": self.pg.url,
            "REDIS_URL": self.redis.url,
            "CLAMD_URL": self.clamd.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp.port}",
            "DATA_DIR": str(self.data),
            "CELERY_QUEUE": "portal",
            "LOG_LEVEL": "WARNING",
            "AXES_FAILURE_LIMIT": "1000",
        }
        for name in ("CI", "TEST_DATABASE_NAME", "CELERY_BROKER_URL", "PRIVATE_MEDIA_ROOT"):
            self.env.pop(name, None)
        self.web = Process(
            "web",
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{self.web_port}",
             "--workers", "2", "--threads", "4", "--timeout", "60"],
            self.env, self.base / "web.log",
        )  # fmt: skip
        self.worker_emails = Process(
            "worker-emails",
            celery("worker", "-Q", "portal,portal.emails,portal.exports,portal.uploads", "-n", "emails@%h", "-c", "2",
                   "--without-gossip", "--without-mingle", "-l", "warning"),
            self.env, self.base / "worker-emails.log",
        )  # fmt: skip
        self.worker_pdf = Process(
            "worker-pdf",
            celery("worker", "-Q", "portal.pdf", "-n", "pdf@%h", "-c", "2", "--max-tasks-per-child", "200",
                   "--without-gossip", "--without-mingle", "-l", "warning"),
            self.env, self.base / "worker-pdf.log",
        )  # fmt: skip
        self.beat = Process(
            "beat",
            celery("beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler", "-l", "warning",
                   "--pidfile=", "-s", str(self.base / "beat-schedule")),
            self.env, self.base / "beat.log",
        )  # fmt: skip
        self.processes = [self.web, self.worker_emails, self.worker_pdf, self.beat]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self) -> None:
        log(f"folder {self.base}")
        self.pg.start()
        self.pg.createdb("portal")
        self.redis.start()
        self.smtp.start()
        self.clamd.start()
        log(f"PostgreSQL :{self.pg.port}, Redis :{self.redis.port}, SMTP sink :{self.smtp.port}")
        os.environ.clear()
        os.environ.update(self.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("ensure_signing_certificate", verbosity=0)
        for process in self.processes:
            process.start()
        wait_port(self.web_port, 60)
        self.wait_healthy(90)
        log(f"gunicorn :{self.web_port}, workers and beat up")

    def wait_healthy(self, timeout: float) -> float:
        import requests

        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                if requests.get(self.url + "/sante/", timeout=3).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"/sante/ not ok after {timeout}s: see logs in {self.base}")

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
        self.smtp.stop()
        self.clamd.stop()
        self.redis.stop()
        self.pg.stop()


# --- database access from the suite, surviving a PostgreSQL restart -------------------------------
def db(fn, *, tries: int = 60):
    from django.db import InterfaceError, OperationalError, connection

    for attempt in range(tries):
        try:
            return fn()
        except (OperationalError, InterfaceError):
            connection.close()
            if attempt == tries - 1:
                raise
            time.sleep(0.5)
    return None


# --- the world the candidates register in -----------------------------------------------------------
class World:
    def __init__(self):
        from documents.pieces.services import seed_piece_rules
        from tests.factories import LanguageFactory, UserFactory, bts_catalogue, open_session, open_specialty

        self.session = open_session()
        self.catalogue = bts_catalogue()
        open_specialty(self.session, self.catalogue["specialty"])  # issue 13: the session opens it
        self.en = LanguageFactory(code="en", name="Anglais")
        seed_piece_rules()
        self.admin = UserFactory(email="admin@faults.example.org", is_staff=True, is_superuser=True)
        self.count = 0

    def candidate(self, prefix: str = "candidat") -> str:
        from tests.factories import candidate_with_profile

        self.count += 1
        email = f"{prefix}{self.count}@faults.example.org"
        user = candidate_with_profile(user__email=email)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return email


TABS = {
    "identite": {
        "birth_name": "dupont", "first_name_1": "Camille", "sex": "F", "birth_date": "2001-05-14",
        "birth_commune": "Nancy", "birth_country": "fr", "nationality": "FR",
    },
    "contact": {
        "address_line1": "12 rue Stanislas", "postcode": "54000", "city": "Nancy", "country": "FR",
        "departement": "54", "mobile_phone": "06 12 34 56 78", "consent_press": "False",
        "consent_commercial": "False", "consent_local_authorities": "True",
    },
    "situation": {"category": "distance_school", "access_diploma": "Baccalauréat STI2D 2022"},
}  # fmt: skip


def pdf_bytes(text: str) -> bytes:
    """A small valid PDF, different per candidate (a piece is deduplicated by content)."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# --- HTTP -----------------------------------------------------------------------------------------
class Observations:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.bare_examples: list[str] = []

    def record(self, response) -> None:
        kind = "ok"
        if response is None:
            kind = "connection refused"
        elif response.status_code == 503:
            kind = "503 French page" if FRENCH_503 in response.text else "503 other"
        elif response.status_code >= 500:
            kind = "500 French page" if FRENCH_500 in response.text else "500 bare"
        with self.lock:
            self.counts[kind] += 1
            if kind in ("503 other", "500 bare") and len(self.bare_examples) < 3:
                self.bare_examples.append(response.text[:300])


class Candidate:
    """A virtual candidate: a browser session that retries after an error page, as a person
    would, and checks in the database (not in the answer) whether the last action was saved."""

    def __init__(self, stack: Stack, world: World, email: str, observations: Observations):

        self.stack, self.world, self.email, self.obs = stack, world, email, observations
        self.cookies: dict[str, str] = {}
        self.dossier_id = None
        self.error = ""
        self.done = False

    def _request(self, method: str, path: str, **kwargs):
        import requests

        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        try:
            # Cookies kept by hand: DEBUG is off, so they are Secure, and the suite talks plain
            # HTTP to gunicorn on 127.0.0.1 (a cookie jar would not send them back).
            response = requests.request(method, self.stack.url + path, cookies=dict(self.cookies), **kwargs)
            self.cookies.update(response.cookies.get_dict())
        except requests.RequestException:
            response = None
        self.obs.record(response)
        return response

    def _csrf(self, path: str) -> str:
        for _ in range(120):
            response = self._request("GET", path)
            token = self.cookies.get("csrftoken")
            if response is not None and response.status_code < 500 and token:
                return token
            time.sleep(1)
        raise RuntimeError(f"no CSRF token from {path}")

    def post(self, path: str, data=None, files=None, *, form: str | None = None):
        token = self._csrf(form or path)
        return self._request("POST", path, data={**(data or {}), "csrfmiddlewaretoken": token}, files=files)

    def until(self, done, action, *, what: str, timeout: float = 240) -> None:
        """Repeat ``action`` (one HTTP request) until ``done()`` holds in the database."""
        deadline = time.monotonic() + timeout
        while not db(done):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.email}: {what} not done after {timeout}s")
            response = action()
            if response is not None and response.status_code < 500 and db(done):
                return
            time.sleep(1)

    # -- the steps ---------------------------------------------------------------------------------
    def login(self):
        from django.contrib.auth import get_user_model

        self.user_id = db(lambda: get_user_model().objects.get(email=self.email).pk)
        response = None
        for _ in range(60):
            response = self.post("/connexion/", {"username": self.email, "password": PASSWORD})
            if response is not None and response.status_code == 302:
                return
            time.sleep(1)
        status = response.status_code if response is not None else None
        raise RuntimeError(f"{self.email}: cannot log in (HTTP {status})")

    def fill(self):
        from candidates.models import Dossier

        session = self.world.session

        def started():
            return Dossier.objects.filter(candidate_id=self.user_id, session=session).first()

        self.until(started, lambda: self.post("/inscription/", {"session": session.pk}), what="start")
        self.dossier_id = db(started).pk
        cat = self.world.catalogue
        tabs = {
            **TABS,
            "specialite": {"specialty": cat["specialty"].pk, "forme": "global"},
            "epreuves": {f"choice_{cat[c].pk}": "taken" for c in ("E1", "E2", "E31", "E32")},
            "langues": {"mandatory_language": self.world.en.pk},
            "handicap": {},
        }
        for tab, data in tabs.items():
            for _ in range(120):
                response = self.post(f"/inscription/{self.dossier_id}/{tab}/", data)
                if response is not None and response.status_code == 302:
                    break
                time.sleep(1)
            else:
                raise RuntimeError(f"{self.email}: tab {tab} refused")

    def register(self, *, twice: bool = False):
        from candidates.models import Dossier

        path = f"/inscription/{self.dossier_id}/conditions/"

        def numbered():
            return Dossier.objects.filter(pk=self.dossier_id, number__isnull=False).exists()

        if twice:
            self.double(path, {"certify": "on"})
        self.until(numbered, lambda: self.post(path, {"certify": "on"}), what="Enregistrer")

    def upload(self, *, twice: bool = False):
        from documents.models import PieceFile

        path = f"/mes-justificatifs/{self.dossier_id}/deposer/identity/"
        content = pdf_bytes(self.email)
        form = f"/mes-justificatifs/{self.dossier_id}/"

        def send():
            return self.post(
                path, files={"identity-files": ("identite.pdf", content, "application/pdf")}, form=form
            )

        def deposited():
            return PieceFile.objects.filter(
                piece__dossier_id=self.dossier_id, piece__code="identity"
            ).exists()

        if twice:
            self.double(
                path, files={"identity-files": ("identite.pdf", content, "application/pdf")}, form=form
            )
        self.until(deposited, send, what="upload")

    def sign(self, *, timeout: float = 240):
        from candidates.models import Dossier
        from documents.models import DocumentKind, DocumentStatus, GeneratedDocument

        def signed():
            return Dossier.objects.filter(pk=self.dossier_id, signed_at__isnull=False).exists()

        def ready_recap():
            dossier = Dossier.objects.get(pk=self.dossier_id)
            return (
                GeneratedDocument.objects.filter(
                    dossier=dossier, kind=DocumentKind.RECAP, status=DocumentStatus.READY,
                    choices_version=dossier.choices_version,
                ).order_by("-version").first()
            )  # fmt: skip

        deadline = time.monotonic() + timeout
        while not db(signed):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.email}: recap never ready to sign")
            document = db(ready_recap)
            if document is None:
                self._request("GET", "/mes-documents/")  # the page polls, as the browser would
                time.sleep(2)
                continue
            path = f"/mes-documents/dossier/{self.dossier_id}/signer/"
            self.post(path, {"document_id": document.pk, "password": PASSWORD, "certify": "on"})
            time.sleep(0.5)

    def lock(self, *, twice: bool = False):
        from candidates.models import Dossier

        path = f"/mes-justificatifs/{self.dossier_id}/verrouiller/"
        form = f"/mes-justificatifs/{self.dossier_id}/"

        def locked():
            return Dossier.objects.filter(pk=self.dossier_id, pieces_locked_at__isnull=False).exists()

        if twice:
            answers = self.double(path, {}, form=form)
            statuses = [a.status_code if a is not None else None for a in answers]
            if statuses != [302, 302]:
                self.error = f"double lock answered {statuses}"
        self.until(locked, lambda: self.post(path, {}, form=form), what="lock")

    def double(self, path: str, data=None, files=None, *, form: str | None = None):
        """The same POST twice at once (a double click), on the same browser session."""
        token = self._csrf(form or path)
        answers = [None, None]

        def one(i):
            answers[i] = self._request(
                "POST", path, data={**(data or {}), "csrfmiddlewaretoken": token}, files=files
            )

        threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return answers

    def run(self, *, twice: bool = False, stop_after: str = "lock"):
        try:
            self.login()
            self.fill()
            self.register(twice=twice)
            if stop_after == "register":
                return
            self.upload(twice=twice)
            self.sign()
            self.lock(twice=twice)
        except Exception as exc:
            self.error = f"{exc.__class__.__name__}: {exc}"
            traceback.print_exc()
        finally:
            self.done = True


def run_candidates(candidates: list[Candidate], **kwargs) -> list[threading.Thread]:
    threads = [threading.Thread(target=c.run, kwargs=kwargs, daemon=True) for c in candidates]
    for i, t in enumerate(threads):
        t.start()
        time.sleep(0.3 * (i % 3))
    return threads


def join(threads: list[threading.Thread], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))


# --- the consistency check ----------------------------------------------------------------------------
def settled(refused_prefix: str = "refuse") -> bool:
    """Nothing left to do: no e-mail pending or being sent, no document pending."""
    from documents.models import DocumentStatus, GeneratedDocument
    from notifications.models import EmailStatus, OutgoingEmail

    def check():
        return not (
            OutgoingEmail.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.SENDING]).exists()
            or GeneratedDocument.objects.filter(status=DocumentStatus.PENDING).exists()
        )

    return db(check)


def wait_settled(since: float, timeout: float = 240) -> float:
    while time.monotonic() - since < timeout:
        if settled():
            return time.monotonic() - since
        time.sleep(1)
    return float("inf")


def consistency(stack: Stack, *, expected_failed: int = 0) -> list[tuple[str, bool, str]]:
    from django.db.models import Count

    from candidates.models import Dossier
    from documents.models import DocumentKind, DocumentStatus, GeneratedDocument, Piece, PieceFile
    from documents.orphans import orphan_files, orphan_files_sweep
    from notifications.models import EmailStatus, OutgoingEmail

    def compute():
        rows = []
        numbered = Dossier.objects.filter(number__isnull=False)
        no_choices = numbered.annotate(n=Count("epreuve_choices")).filter(n=0).count()
        unnumbered = Dossier.objects.exclude(state="draft").filter(number__isnull=True).count()
        rows.append(
            ("dossiers numbered, with their choices", no_choices == 0 and unnumbered == 0,
             f"{numbered.count()} numbered; {unnumbered} registered without number; {no_choices} number without choices")
        )  # fmt: skip
        storage = PieceFile._meta.get_field("file").storage
        files = list(PieceFile.objects.values_list("file", "size"))
        missing = [name for name, size in files if not storage.exists(name) or storage.size(name) != size]
        empty_pieces = Piece.objects.filter(state="deposited").annotate(n=Count("files")).filter(n=0).count()
        rows.append(
            ("deposits with their stored object", not missing and empty_pieces == 0,
             f"{len(files)} files, {len(missing)} missing or wrong size; {empty_pieces} deposits without file")
        )  # fmt: skip
        twins = PieceFile.objects.values("piece_id", "sha256").annotate(n=Count("id")).filter(n__gt=1).count()
        rows.append(("one copy of a file per piece", twins == 0, f"{twins} pieces holding a file twice"))
        # A crash between writing a file and committing its row (PostgreSQL restarted under the
        # write) leaves an object no row names: the file cannot be deleted at once, since the commit
        # may have landed. The orphan sweep removes it after its grace; run it now, as it would then.
        swept = orphan_files_sweep(grace_seconds=0)
        orphans = orphan_files(grace_seconds=0)
        rows.append(
            ("no orphan object left after the orphan sweep", not orphans,
             f"{len(swept)} swept {swept[:2]}; {len(orphans)} left")
        )  # fmt: skip
        received = stack.smtp.counts()
        sent = list(OutgoingEmail.objects.filter(status=EmailStatus.SENT))
        not_once = [e.pk for e in sent if received.get(e.message_id_header, 0) != 1]
        twice = sum(1 for n in received.values() if n > 1)
        waiting = OutgoingEmail.objects.filter(status__in=[EmailStatus.PENDING, EmailStatus.SENDING]).count()
        failed = OutgoingEmail.objects.filter(status=EmailStatus.FAILED)
        wrong_failed = failed.exclude(to__startswith="refuse").count()
        rows.append(
            ("outbox rows sent exactly once (by Message-ID)", not not_once and twice == 0 and waiting == 0,
             f"{len(sent)} sent, {len(not_once)} not received exactly once, {twice} Message-IDs received "
             f"twice, {waiting} still waiting")
        )  # fmt: skip
        rows.append(
            ("failed only for a permanent 5xx", wrong_failed == 0 and failed.count() >= expected_failed,
             f"{failed.count()} failed ({expected_failed} expected refused), {wrong_failed} for a transient error")
        )  # fmt: skip
        stale = 0
        for dossier in numbered:
            latest = (
                GeneratedDocument.objects.filter(dossier=dossier, kind=DocumentKind.RECAP)
                .order_by("-version")
                .first()
            )
            if (
                latest is None
                or latest.status != DocumentStatus.READY
                or latest.choices_version != dossier.choices_version
            ):
                stale += 1
        rows.append(
            ("every current recap rendered", stale == 0, f"{stale} dossier(s) without a current recap")
        )
        return rows

    return db(compute)


def print_table(name: str, rows: list[tuple[str, bool, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n=== {name} ===")
    print(f"{'check'.ljust(width)} | ok  | detail")
    print(f"{'-' * width}-|-----|{'-' * 60}")
    for check, ok, detail in rows:
        print(f"{check.ljust(width)} | {'yes' if ok else 'NO '} | {detail}")
    print(flush=True)


# --- the scenarios ------------------------------------------------------------------------------------
class Scenario:
    def __init__(self, stack: Stack, world: World):
        self.stack, self.world = stack, world
        self.obs = Observations()
        self.extra: list[tuple[str, bool, str]] = []
        self.recovery = None
        self.expected_failed = 0

    def candidates(self, n: int, prefix: str = "candidat") -> list[Candidate]:
        return [
            Candidate(self.stack, self.world, db(lambda: self.world.candidate(prefix)), self.obs)
            for _ in range(n)
        ]

    def flows_ok(self, candidates: list[Candidate]) -> None:
        errors = [f"{c.email}: {c.error}" for c in candidates if c.error or not c.done]
        self.extra.append(
            (
                "every virtual candidate went through",
                not errors,
                "; ".join(errors)[:200] or f"{len(candidates)} candidates",
            )
        )

    def http_row(self, *, allowed: tuple[str, ...] = ("ok", "503 French page")) -> None:
        bad = {k: v for k, v in self.obs.counts.items() if k not in allowed}
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(self.obs.counts.items()))
        if self.obs.bare_examples:
            detail += f" e.g. {self.obs.bare_examples[0][:120]!r}"
        self.extra.append(("answers: French pages only, never a bare 500", not bad, detail))


def until(predicate, timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if db(predicate, tries=3):
                return True
        except Exception:
            pass
        time.sleep(step)
    return False


def scenario_worker_kill(s: Scenario) -> None:
    """Workers SIGKILLed mid-render and mid-SMTP, then restarted."""
    from documents.models import DocumentStatus, GeneratedDocument
    from notifications.models import EmailStatus, OutgoingEmail

    stack = s.stack
    stack.smtp.slow_rcpt = 1.5  # the SMTP conversation lasts long enough to be cut
    candidates = s.candidates(4)
    threads = run_candidates(candidates)
    mid_render = until(
        lambda: GeneratedDocument.objects.filter(
            status=DocumentStatus.PENDING, claimed_at__isnull=False
        ).exists(),
        90,
    )
    stack.worker_pdf.kill()
    mid_smtp = until(lambda: OutgoingEmail.objects.filter(status=EmailStatus.SENDING).exists(), 90)
    stack.worker_emails.kill()
    log(f"killed the PDF worker (mid-render: {mid_render}) and the e-mail worker (mid-SMTP: {mid_smtp})")
    stack.smtp.slow_rcpt = 0
    time.sleep(3)
    stack.worker_pdf.start()
    stack.worker_emails.start()
    back = time.monotonic()
    s.extra.append(
        (
            "fault injected mid-render and mid-SMTP",
            mid_render and mid_smtp,
            "SIGKILL of both workers' process groups",
        )
    )
    join(threads)
    s.recovery = wait_settled(back)
    s.flows_ok(candidates)
    s.http_row(allowed=("ok",))


def scenario_redis_loss(s: Scenario) -> None:
    """Redis stopped (REDIS_DOWN s) under load, restarted empty; sign-ups during the outage."""
    from django.utils import timezone

    from candidates.models import Dossier

    stack = s.stack
    candidates = s.candidates(4)
    emails = [c.email for c in candidates]
    threads = run_candidates(candidates)
    # Down while they fill the wizard, so their « Enregistrer » lands in the outage.
    until(lambda: Dossier.objects.filter(candidate__email__in=emails).exists(), 60, 0.05)
    stack.redis.stop()
    down_at = timezone.now()
    log(f"Redis stopped for {REDIS_DOWN:.0f} s")
    signups = []
    for i in range(3):
        anonymous = Candidate(stack, s.world, f"nouveau{i}@faults.example.org", s.obs)
        email = anonymous.email
        response = anonymous.post(
            "/creer-un-compte/",
            {"email": email, "email_confirm": email, "password1": PASSWORD, "password2": PASSWORD},
        )
        signups.append(response.status_code if response is not None else None)
    time.sleep(max(0, REDIS_DOWN - 5))
    stack.redis.start()
    back = time.monotonic()
    up_at = timezone.now()
    log("Redis restarted, empty")
    during = db(
        lambda: Dossier.objects.filter(
            candidate__email__in=emails, registered_at__range=(down_at, up_at)
        ).count()
    )
    s.extra.append(
        (
            "« Enregistrer » answered while Redis was down",
            during >= 1,
            f"{during} dossier(s) registered during the outage",
        )
    )
    s.extra.append(("sign-up works with Redis down", signups == [302, 302, 302], f"answers {signups}"))
    join(threads)
    s.recovery = wait_settled(back)
    s.flows_ok(candidates)
    s.http_row(allowed=("ok",))


def scenario_postgres_restart(s: Scenario) -> None:
    """`pg_ctl restart -m fast` twice under load: French 503s, nothing half saved, serving again."""
    import requests

    stack = s.stack
    candidates = s.candidates(4)
    threads = run_candidates(candidates)
    serving = []
    for _ in range(2):
        time.sleep(4)
        stack.pg.restart_fast()
        back = time.monotonic()
        while time.monotonic() - back < 60:
            try:
                if requests.get(stack.url + "/connexion/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        serving.append(round(time.monotonic() - back, 2))
    log(f"PostgreSQL restarted twice; serving again after {serving} s")
    s.extra.append(("serving again within seconds of PostgreSQL's return", max(serving) < 10, f"{serving} s"))
    join(threads)
    s.recovery = wait_settled(back)
    s.flows_ok(candidates)
    s.http_row()


def scenario_smtp_outage(s: Scenario) -> None:
    """SMTP down SMTP_DOWN s, then up: nothing failed; a 550 address failed and shown in the admin."""
    stack = s.stack
    stack.smtp.stop()
    log(f"SMTP sink down for {SMTP_DOWN:.0f} s")
    started = time.monotonic()
    candidates = s.candidates(3) + s.candidates(1, prefix="refuse")
    threads = run_candidates(candidates)
    time.sleep(max(0, SMTP_DOWN - (time.monotonic() - started)))
    stack.smtp.start()
    back = time.monotonic()
    log("SMTP sink up again")
    join(threads)
    s.recovery = wait_settled(back)
    s.expected_failed = 1
    s.flows_ok(candidates)
    admin = Candidate(stack, s.world, s.world.admin.email, s.obs)
    admin.user_id = s.world.admin.pk
    admin.login()
    page = admin._request("GET", "/admin/notifications/outgoingemail/?status__exact=failed")
    shown = page is not None and page.status_code == 200 and "refuse" in page.text
    s.extra.append(
        (
            "the refused e-mail is shown failed in the admin",
            shown,
            f"HTTP {page.status_code if page is not None else None}",
        )
    )
    s.http_row(allowed=("ok",))


def scenario_storage_unwritable(s: Scenario) -> None:
    """Private storage unwritable: the upload is refused in French, nothing recorded; a render
    fails with its reason; once writable again everything is done."""
    from documents.models import DocumentStatus, GeneratedDocument, PieceFile
    from notifications.models import OutgoingEmail

    stack = s.stack
    private = stack.data / "private"
    candidates = s.candidates(2)
    threads = run_candidates(candidates, stop_after="register")
    join(threads)
    wait_settled(time.monotonic())  # their first PDFs are written before the storage breaks
    # "pieces" and "generated" become files: every write below them fails (root ignores chmod).
    moved = []
    for folder in ("pieces", "generated", "quarantine"):  # issue 12: uploads land in quarantine/ first
        path = private / folder
        if path.exists():
            path.rename(private / f"{folder}.aside")
            moved.append(folder)
        path.write_text("not a folder")
    victim = candidates[0]
    before = db(
        lambda: (PieceFile.objects.count(), OutgoingEmail.objects.filter(kind="piece_deposited").count())
    )
    response = victim.post(
        f"/mes-justificatifs/{victim.dossier_id}/deposer/identity/",
        files={"identity-files": ("identite.pdf", pdf_bytes("stockage"), "application/pdf")},
        form=f"/mes-justificatifs/{victim.dossier_id}/",
    )
    after = db(
        lambda: (PieceFile.objects.count(), OutgoingEmail.objects.filter(kind="piece_deposited").count())
    )
    french = (
        response is not None and response.status_code == 400 and "pas pu être enregistré" in response.text
    )
    s.extra.append(("upload refused in French, nothing recorded", french and before == after,
                    f"HTTP {response.status_code if response is not None else None}; files/e-mails {before} -> {after}"))  # fmt: skip
    # A new recap version while storage is unwritable: the candidate changes a choice.
    other = candidates[1]
    dossier_id = other.dossier_id
    other.post(f"/inscription/{dossier_id}/handicap/", {"handicap": "on", "accommodation_requested": "on"})
    failed = until(
        lambda: (
            GeneratedDocument.objects.filter(dossier_id=dossier_id, status=DocumentStatus.FAILED)
            .exclude(error="")
            .exists()
        ),
        60,
        0.5,
    )
    reason = db(
        lambda: (
            GeneratedDocument.objects.filter(dossier_id=dossier_id, status=DocumentStatus.FAILED)
            .values_list("error", flat=True)
            .first()
        )
    )
    s.extra.append(
        ("a render meeting a storage error is failed with its reason", failed, (reason or "")[:90])
    )
    for folder in ("pieces", "generated", "quarantine"):  # issue 12: uploads land in quarantine/ first
        (private / folder).unlink()
        if folder in moved:
            (private / f"{folder}.aside").rename(private / folder)
    back = time.monotonic()
    # The candidates ask again ("Générer mes documents" is offered after a failure) and go on.
    for c in candidates:
        c.post(f"/mes-documents/dossier/{c.dossier_id}/generer/", {}, form="/mes-documents/")
    threads = []
    for c in candidates:
        t = threading.Thread(target=lambda c=c: (c.upload(), c.sign(), c.lock()), daemon=True)
        t.start()
        threads.append(t)
    join(threads)
    s.recovery = wait_settled(back)
    s.http_row(allowed=("ok",))


def scenario_double_submits(s: Scenario) -> None:
    """ "Enregistrer", upload and lock each posted twice at once: one number, one file, one e-mail each."""
    from django.db.models import Count

    from notifications.models import OutgoingEmail

    candidates = s.candidates(3)
    started = time.monotonic()
    threads = run_candidates(candidates, twice=True)
    join(threads)
    s.recovery = wait_settled(started)
    ids = [c.dossier_id for c in candidates]
    per_kind = db(
        lambda: list(
            OutgoingEmail.objects.filter(message__dossier_id__in=ids)
            .values("message__dossier_id", "kind", "subject")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
    )
    s.extra.append(
        ("one e-mail per action (registered, deposited, locked)", not per_kind, f"duplicates: {per_kind}")
    )
    s.flows_ok(candidates)
    s.http_row(allowed=("ok",))


SCENARIOS = {
    "worker-kill": scenario_worker_kill,
    "redis-loss": scenario_redis_loss,
    "postgres-restart": scenario_postgres_restart,
    "smtp-outage": scenario_smtp_outage,
    "storage-unwritable": scenario_storage_unwritable,
    "double-submits": scenario_double_submits,
}


def main(argv: list[str]) -> int:
    names = argv or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {unknown}; known: {list(SCENARIOS)}")
        return 2
    stack = Stack()
    started = time.monotonic()
    summary = []
    try:
        stack.start()
        world = db(World)
        for name in names:
            log(f"scenario {name}: {SCENARIOS[name].__doc__.strip().splitlines()[0]}")
            scenario = Scenario(stack, world)
            t0 = time.monotonic()
            try:
                SCENARIOS[name](scenario)
                rows = scenario.extra + consistency(stack, expected_failed=scenario.expected_failed)
            except Exception as exc:
                traceback.print_exc()
                rows = [*scenario.extra, ("scenario ran", False, f"{exc.__class__.__name__}: {exc}")]
            recovery = scenario.recovery
            rows.append(
                ("recovered within 120 s of the component's return", recovery is not None and recovery <= RECOVERY_LIMIT,
                 "not measured" if recovery is None else f"{recovery:.1f} s")
            )  # fmt: skip
            dead = [p.name for p in stack.processes if not p.alive()]
            rows.append(("every process still running", not dead, ", ".join(dead) or "web, 2 workers, beat"))
            print_table(f"{name} ({time.monotonic() - t0:.0f} s)", rows)
            summary.append((name, all(ok for _c, ok, _d in rows), recovery))
            for process in stack.processes:  # a dead process must not spoil the next scenario
                if not process.alive():
                    process.start()
    finally:
        stack.stop()
    print("=== summary ===")
    for name, ok, recovery in summary:
        shown = "-" if recovery is None else f"{recovery:.1f} s"
        print(f"{name.ljust(20)} {'ok' if ok else 'FAILED'}  recovery {shown}")
    print(f"total {time.monotonic() - started:.0f} s; logs in {stack.base}")
    if all(ok for _n, ok, _r in summary) and len(summary) == len(names):
        shutil.rmtree(stack.base, ignore_errors=True)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

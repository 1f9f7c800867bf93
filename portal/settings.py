"""The portal's one settings module: everything comes from the environment.

The embedded default needs nothing installed ("check out the code and it works"): SQLite in the
private data folder, Celery tasks run eagerly, e-mails written to a local outbox folder. Setting
DATABASE_URL and REDIS_URL switches the same code to PostgreSQL, Redis and real Celery workers.
"""

from pathlib import Path

import environ
from csp.constants import SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from portal import production
from portal.storage import local_storage, s3_storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (never committed) is read when present, so an operator can keep variables in a file.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The private data folder: the SQLite file, uploaded pieces, generated PDFs, the e-mail outbox and
# the signing certificate of the embedded default. Never served as-is by the web server.
DATA_DIR = Path(env("DATA_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env("SECRET_KEY", default=production.DEV_SECRET_KEY)
# issue 12: refuse the keys published in this repository (.env.example, the development default)
# and low-entropy ones: whoever holds the key forges activation, reset and e-mail-change links.
if not DEBUG and (_problem := production.secret_key_problem(SECRET_KEY, base_dir=BASE_DIR)):
    raise ImproperlyConfigured(_problem)

# issue 15: the reverse proxies / load balancers in front of gunicorn (addresses or networks, e.g.
# "172.18.0.0/16"); X-Forwarded-For is believed only from them (portal/proxy.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the portal, used in e-mails and in the QR code of the recap (rendered by a
# worker, which has no request to read the address from). Unset, it follows PORT, the port `make
# run` serves on (issue 18 item 1: links to :8000 while the portal answered on another port).
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    # Not last: exams.roles acts on the post_migrate of the last app with models.
    "portal",
    "candidates",
    "exams",
    "documents",
    "notifications",
]

MIDDLEWARE = [
    # issue 17: first, so that the database or the cache being away anywhere below answers a French
    # 503 page that says what may already be saved, instead of a bare English 500.
    "portal.errors.InfrastructureErrorMiddleware",
    # First: every later layer (axes, the e-mail limits, the signing log) sees the client's address.
    "portal.proxy.TrustedProxyMiddleware",  # issue 15
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RejectNulMiddleware",  # issue 12
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # issue 12: Content-Security-Policy, then Permissions-Policy and no-store for logged-in pages.
    "csp.middleware.CSPMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "notifications.context_processors.unread",  # issue 8
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

# --- Database -----------------------------------------------------------------------------------
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A new PostgreSQL connection costs about 9 ms here; reusing them took a logged-in page from
    # 101 to 672 requests per second. Health checks drop a connection the server has closed.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind pgbouncer in transaction pooling (docker-compose.yml), a server-side cursor cannot
    # outlive its transaction's server connection: Django's docs ask to disable them.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_POOLER", default=False)
else:
    # SQLite: wait for a writer instead of failing with "database is locked" on deadline day.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
if env("TEST_DATABASE_NAME", default=""):
    # Lets several test runs share one PostgreSQL server without stepping on each other.
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "candidates.User"

# --- Cache, Celery ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL and (_xdist_worker := env("PYTEST_XDIST_WORKER", default="")):
    # `make test` runs the suite in parallel processes (pytest-xdist): each one, and the Celery
    # workers and servers it starts (they inherit the variable), gets a Redis database of its own,
    # so one test's cache.clear() or queue never reaches a test running beside it.
    from urllib.parse import urlsplit, urlunsplit

    _parts = urlsplit(REDIS_URL)
    _base = int(_parts.path.strip("/") or 0)
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{_base + 1 + int(_xdist_worker.removeprefix('gw'))}"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, one client per pool instead of one per command (issue 15).
            "BACKEND": "portal.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            # Redis away must cost a request one second, not hang it (issue 17).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
    # No broker installed: tasks run in the process that enqueues them (after the commit).
    CELERY_TASK_ALWAYS_EAGER = True
# issue 12: rate limits count in this cache; a per-process one does not hold under gunicorn -w 3.
if not DEBUG and (_problem := production.shared_cache_problem(CACHES)):
    raise ImproperlyConfigured(_problem)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="portal")
# issue 17: e-mails, PDFs and exports each on their own queue (<CELERY_QUEUE>.emails, .pdf,
# .exports; portal/queueing.py), each with its own worker in compose.
CELERY_TASK_ROUTES = ("portal.queueing.route_task",)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Do not hang a request for long if the broker is down: the sweepers re-enqueue later. The
# visibility timeout is when Redis hands an unacknowledged task (its worker was SIGKILLed) to
# another worker: above the longest task (an export, a few minutes), or a slow task would run
# twice; the sweepers bring lost e-mails and PDFs back sooner than that (docs/operations.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/Paris"

# --- Passwords, authentication ------------------------------------------------------------------
PASSWORD_HASHERS = [
    "portal.hashers.OwaspArgon2PasswordHasher",  # issue 15: OWASP's argon2id parameters
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # issue 12: "Azerty1234" and the candidate's own names or birth year are refused too.
    {"NAME": "candidates.accounts.password_validation.CommonWordWithDigitsValidator"},
    {"NAME": "candidates.accounts.password_validation.ProfileSimilarityValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "candidates:login"
LOGIN_REDIRECT_URL = "candidates:space"
LOGOUT_REDIRECT_URL = "home"
# Activation links are valid 48 h (AM, NT); reset links too.
PASSWORD_RESET_TIMEOUT = 48 * 3600

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# issue 12: an account is locked whatever the addresses the guesses come from (40 guesses from 10
# addresses locked nothing), and one address guessing many accounts is locked too.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "candidates/lockout.html"
# issue 3: "Jean@X.fr" and "jean@x.fr " are one account, so they share one failure counter.
AXES_USERNAME_CALLABLE = "candidates.accounts.views.axes_username"
# issue 3: e-mails an anonymous visitor can trigger (sign-up, new activation link, password reset),
# per address and per IP, over ACCOUNT_EMAIL_RATE_WINDOW seconds, so the portal cannot spam an inbox.
ACCOUNT_EMAIL_RATE_PER_ADDRESS = env.int("ACCOUNT_EMAIL_RATE_PER_ADDRESS", default=3)
# issue 15: per IP, sized for a deadline evening behind one lycée's NAT (a class of 35 signing up in
# the same hour, twice over), far above what a person does; the per-address limit stops the spam.
ACCOUNT_EMAIL_RATE_PER_IP = env.int("ACCOUNT_EMAIL_RATE_PER_IP", default=200)
ACCOUNT_EMAIL_RATE_WINDOW = env.int("ACCOUNT_EMAIL_RATE_WINDOW", default=3600)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files, private media ----------------------------------------------------------------
STATIC_URL = "static/"
# Outside DATA_DIR in the image (Dockerfile): a volume mounted on /data would hide the files
# collected at build time, or keep a stale copy of them after a rebuild.
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(DATA_DIR / "private")))
# No MEDIA_URL: pieces and PDFs are never public; views check permissions and stream them.
# issue 16: STORAGE_URL (s3://key:secret@host:port/bucket?...) puts every private file in an
# S3-compatible bucket (portal/storage.py); without it, the local private folder.
STORAGE_URL = env("STORAGE_URL", default="")
STORAGES = {
    "default": s3_storage_from_url(STORAGE_URL) if STORAGE_URL else local_storage(str(PRIVATE_MEDIA_ROOT)),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this go to a temporary file instead of memory (pieces are streamed to disk).
FILE_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# issue 12: images above this many pixels are refused before decoding. 25 Mpx: phones save 12 Mpx
# (24 Mpx on recent flagships) by default and an A4 scan at 300 dpi is 8.7 Mpx; a 25 Mpx RGBA image
# decodes to 100 MB, which the capped child of documents/pieces/sandbox.py can afford.
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=25_000_000)

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_OUTBOX_DIR = DATA_DIR / "outbox"
_email = env.email_url("EMAIL_URL", default=f"filemail://{EMAIL_OUTBOX_DIR}")
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    # django-environ drops the leading "/" of filemail:///abs/path; the URL's folder is honoured.
    EMAIL_FILE_PATH = (
        "/" + _email["EMAIL_FILE_PATH"].lstrip("/")
        if _email.get("EMAIL_FILE_PATH")
        else str(EMAIL_OUTBOX_DIR)
    )
else:
    vars().update(_email)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Portail des examens <ne-pas-repondre@examens.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # issue 17: per socket operation
# issue 8: delivery of the outbox (docs/notifications.md). A claim older than the lease belongs to a
# dead worker; after MAX_ATTEMPTS an e-mail is marked failed (visible in the admin, "renvoyer").
# issue 17: the lease outlives the longest SMTP conversation, which deliver_email's time limit
# bounds (lease - 10 s); short, so a killed worker's e-mail is taken over within two minutes.
NOTIFICATIONS_EMAIL_LEASE_SECONDS = env.int("NOTIFICATIONS_EMAIL_LEASE_SECONDS", default=45)
# A transient failure (network, 4xx) is failed for good only after both these many attempts and
# NOTIFICATIONS_EMAIL_GIVE_UP_SECONDS since the e-mail was written: a two-hour SMTP outage loses
# nothing (issue 17).
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", default=10)  # issue 8
NOTIFICATIONS_EMAIL_GIVE_UP_SECONDS = env.int("NOTIFICATIONS_EMAIL_GIVE_UP_SECONDS", default=48 * 3600)
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env.int("NOTIFICATIONS_SWEEP_GRACE_SECONDS", default=30)  # issue 17
# issue 17: a pending PDF is re-enqueued by the sweeper (every minute) once its task is older than
# this; a render holds its claim this long (renders take about a second: docs/performance.md).
DOCUMENTS_SWEEP_GRACE_SECONDS = env.int("DOCUMENTS_SWEEP_GRACE_SECONDS", default=30)
DOCUMENTS_RENDER_LEASE_SECONDS = env.int("DOCUMENTS_RENDER_LEASE_SECONDS", default=30)
# issue 17: files in private storage that no row references are removed by `sweep_orphan_files`
# once older than this (a deposit being written is never taken for an orphan).
ORPHAN_FILES_GRACE_SECONDS = env.int("ORPHAN_FILES_GRACE_SECONDS", default=3600)

# --- Recap signature (issue 6) ------------------------------------------------------------------
SIGNING_CERT_PATH = env("SIGNING_CERT_PATH", default=str(DATA_DIR / "keys" / "signing.p12"))
SIGNING_CERT_PASSWORD = env("SIGNING_CERT_PASSWORD", default="")
# issue 6: the DejaVu fonts embedded in every PDF (Debian package fonts-dejavu-core).
PDF_FONT_DIR = env("PDF_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")

FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default, opted into now

# --- Forms, messages ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
from django.contrib.messages import constants as message_constants  # noqa: E402

MESSAGE_TAGS = {message_constants.ERROR: "danger"}

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "SAMEORIGIN"  # the admin previews PDF pieces in an embedded viewer
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind the proxy, the health endpoint is reached over plain HTTP by the load balancer.
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
    # issue 3: a session lasts at most a working day (candidates use shared computers: CDI, libraries).
    SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
    CSRF_COOKIE_HTTPONLY = True
# issue 12: no inline script anywhere (ours are static files; the admin's data scripts are JSON,
# never executed). Inline style attributes remain (progress bars' widths), styles cannot run code.
# Pieces are previewed by the admin in a frame of the same origin (PDF) or an <img>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        # 'self', not 'none': Chromium applies object-src to its PDF viewer, and the admin previews
        # the candidates' PDF pieces (served by us) in a frame.
        "object-src": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# issue 3: X_FRAME_OPTIONS stays SAMEORIGIN on purpose (the admin previews PDF pieces in a frame of
# the same site); check --deploy would otherwise warn for it.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # issue 12: activation, reset and e-mail-change tokens never reach a log line.
    "filters": {"mask_tokens": {"()": "portal.logmasking.TokenMaskingFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint.progress": {"level": "WARNING"},  # issue 6: one INFO line per CSS step
    },
}

# --- Benchmarks (issue 15) ---------------------------------------------------------------------
# Mounts the "ceiling" page of `make bench` (portal/bench_views.py); only benchmarks/ turn it on.
BENCH_VIEWS = env.bool("BENCH_VIEWS", default=False)  # issue 15

# --- Staff review (issue 7) ---------------------------------------------------------------------
# An export of more dossiers than this is written by a Celery task and offered when ready.
EXPORT_ASYNC_THRESHOLD = env.int("EXPORT_ASYNC_THRESHOLD", default=2000)  # issue 7

# --- Uploads: quarantine, disarming, antivirus (issue 12) ---------------------------------------
# The request only streams a piece to the quarantine prefix of the default storage; a worker scans
# it (clamd), disarms it in a child capped in memory and CPU, and deposits it (docs/pieces.md).
UPLOAD_MAX_PDF_PAGES = env.int("UPLOAD_MAX_PDF_PAGES", default=50)
UPLOAD_SANDBOX_MEMORY_MB = env.int("UPLOAD_SANDBOX_MEMORY_MB", default=768)
UPLOAD_SANDBOX_CPU_SECONDS = env.int("UPLOAD_SANDBOX_CPU_SECONDS", default=20)
UPLOAD_QUARANTINE_PREFIX = "quarantine/"
UPLOAD_RATE_PER_CANDIDATE = env.int("UPLOAD_RATE_PER_CANDIDATE", default=20)
UPLOAD_RATE_WINDOW = env.int("UPLOAD_RATE_WINDOW", default=3600)
# clamd's address: unix:///run/clamav/clamd.ctl or tcp://clamav:3310. Empty: no scanning, allowed
# only with DEBUG on (the embedded default), with a warning at start (system check) and in /sante/.
CLAMD_URL = env("CLAMD_URL", default="")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=60.0)
if not DEBUG and not CLAMD_URL:
    raise ImproperlyConfigured(
        "CLAMD_URL must point at a clamd daemon when DEBUG is off: uploads are never accepted unscanned."
    )

# --- Personal data (issue 12, docs/rgpd.md) -----------------------------------------------------
# Dossiers, pieces and PDFs of sessions older than this many years are purged (purge_retention).
RETENTION_YEARS = env.int("RETENTION_YEARS", default=2)
# Identity documents are deleted this many days after the final decision (the appeal period).
IDENTITY_APPEAL_DAYS = env.int("IDENTITY_APPEAL_DAYS", default=60)
# A data export (ZIP) is offered this many days, then deleted.
PRIVACY_EXPORT_DAYS = env.int("PRIVACY_EXPORT_DAYS", default=7)

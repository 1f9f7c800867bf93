"""The portal's one settings module: everything comes from the environment.

The embedded default needs nothing installed ("check out the code and it works"): SQLite in the
private data folder, Celery tasks run eagerly, e-mails written to a local outbox folder. Setting
DATABASE_URL and REDIS_URL switches the same code to PostgreSQL, Redis and real Celery workers.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from portal.storage import local_storage, s3_storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (never committed) is read when present, so an operator can keep variables in a file.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The private data folder: the SQLite file, uploaded pieces, generated PDFs, the e-mail outbox and
# the signing certificate of the embedded default. Never served as-is by the web server.
DATA_DIR = Path(env("DATA_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address of the portal, used in e-mails and in the QR code of the recap.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

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
    "candidates",
    "exams",
    "documents",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
    # No broker installed: tasks run in the process that enqueues them (after the commit).
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="portal")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Do not hang a request for long if the broker is down: the outbox sweeper re-enqueues later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/Paris"

# --- Passwords, authentication ------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "candidates/lockout.html"
# issue 3: "Jean@X.fr" and "jean@x.fr " are one account, so they share one failure counter.
AXES_USERNAME_CALLABLE = "candidates.accounts.views.axes_username"
# issue 3: e-mails an anonymous visitor can trigger (sign-up, new activation link, password reset),
# per address and per IP, over ACCOUNT_EMAIL_RATE_WINDOW seconds, so the portal cannot spam an inbox.
ACCOUNT_EMAIL_RATE_PER_ADDRESS = env.int("ACCOUNT_EMAIL_RATE_PER_ADDRESS", default=3)
ACCOUNT_EMAIL_RATE_PER_IP = env.int("ACCOUNT_EMAIL_RATE_PER_IP", default=20)
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
# Images above this many pixels are refused as possible decompression bombs (a 48 Mpx phone
# photo passes). # issue 5
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=50_000_000)

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
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# issue 8: delivery of the outbox (docs/notifications.md). A claim older than the lease belongs to a
# dead worker; after MAX_ATTEMPTS an e-mail is marked failed (visible in the admin, "renvoyer").
NOTIFICATIONS_EMAIL_LEASE_SECONDS = env.int("NOTIFICATIONS_EMAIL_LEASE_SECONDS", default=300)  # issue 8
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", default=10)  # issue 8
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env.int("NOTIFICATIONS_SWEEP_GRACE_SECONDS", default=120)  # issue 8

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
# issue 3: X_FRAME_OPTIONS stays SAMEORIGIN on purpose (the admin previews PDF pieces in a frame of
# the same site); check --deploy would otherwise warn for it.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint.progress": {"level": "WARNING"},  # issue 6: one INFO line per CSS step
    },
}

# --- Staff review (issue 7) ---------------------------------------------------------------------
# An export of more dossiers than this is written by a Celery task and offered when ready.
EXPORT_ASYNC_THRESHOLD = env.int("EXPORT_ASYNC_THRESHOLD", default=2000)  # issue 7

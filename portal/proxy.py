"""The client's address behind the deployment's reverse proxies (issue 15).

Behind nginx or a load balancer every request comes from the proxy's address, so the per-address
limits (django-axes, the account e-mails, the signing page) would count the whole académie as one
visitor. ``TRUSTED_PROXIES`` names the proxies (addresses or networks); only when a request comes
from one of them is X-Forwarded-For read, right to left, skipping the trusted hops: the first
address that is not a proxy is the client, and it replaces REMOTE_ADDR for everything after this
middleware. A header sent by anyone else is ignored (a client can write anything in it)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, trusted: tuple[str, ...]) -> str:
    networks = _networks(trusted)
    if not networks or not forwarded_for or not _trusted(remote_addr, networks):
        return remote_addr
    client = remote_addr
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage from the client's side of the chain: keep the last good hop
        client = hop
        if not _trusted(hop, networks):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = tuple(settings.TRUSTED_PROXIES)

    def __call__(self, request):
        if self.trusted:
            remote = request.META.get("REMOTE_ADDR", "")
            client = client_address(remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), self.trusted)
            if client != remote:
                request.META["PROXY_ADDR"] = remote
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)

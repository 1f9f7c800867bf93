"""The client's address behind trusted proxies only (issue 15)."""

import pytest
from django.test import RequestFactory, override_settings

from portal.proxy import TrustedProxyMiddleware, client_address

TRUSTED = ("127.0.0.1", "172.18.0.0/16")


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # the proxy says who the client is
        ("172.18.0.5", "203.0.113.7, 172.18.0.9", "203.0.113.7"),  # two trusted hops skipped
        ("198.51.100.2", "203.0.113.7", "198.51.100.2"),  # not a proxy: the header is the client's lie
        ("127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a spoofed left part is ignored
        ("127.0.0.1", "nonsense, 203.0.113.7", "203.0.113.7"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_it_believes_x_forwarded_for_only_from_the_proxies(remote, forwarded, expected):
    assert client_address(remote, forwarded, TRUSTED) == expected


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("127.0.0.1", "203.0.113.7", ()) == "127.0.0.1"


def test_the_middleware_gives_the_layers_after_it_the_clients_address():
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return None

    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        middleware = TrustedProxyMiddleware(view)
        request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
        middleware(request)
    assert seen["addr"] == "203.0.113.7"
    assert request.META["PROXY_ADDR"] == "127.0.0.1"

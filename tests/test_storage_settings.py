"""STORAGE_URL: what it means and what it refuses (portal/storage.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.storage import s3_storage_from_url


def test_a_storage_url_gives_a_private_encrypted_bucket_with_short_signed_urls():
    entry = s3_storage_from_url(
        "s3://AK:s%2Fcr%40t@objects.example.fr:9000/portail?region=eu-west-3&location=bts/"
    )
    options = entry["OPTIONS"]
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["endpoint_url"] == "https://objects.example.fr:9000"
    assert (options["access_key"], options["secret_key"]) == ("AK", "s/cr@t")
    assert (options["bucket_name"], options["region_name"], options["location"]) == (
        "portail",
        "eu-west-3",
        "bts",
    )
    assert options["default_acl"] == "private" and options["file_overwrite"] is False
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 60
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}


def test_a_server_without_encryption_and_plain_http_on_a_private_network():
    options = s3_storage_from_url("s3://k:s@seaweedfs:8333/portal?secure=false&sse=none")["OPTIONS"]
    assert options["endpoint_url"] == "http://seaweedfs:8333"
    assert options["object_parameters"] == {}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://k:s@host/bucket", "s3://"),
        ("s3://k:s@host/", "un seul bucket"),
        ("s3://k:s@host/a/b", "un seul bucket"),
        ("s3://k:s@host/bucket?secur=false", "option(s) inconnue(s) secur"),
    ],
)
def test_a_wrong_storage_url_is_refused_with_a_clear_message(url, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        s3_storage_from_url(url)

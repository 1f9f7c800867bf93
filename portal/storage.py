"""Where private files live: the local private folder by default, an S3-compatible bucket when
``STORAGE_URL`` says so (issue 16). Every file of the portal goes through Django's storage API, so
this is the one place that knows which.

``STORAGE_URL`` reads ``s3://ACCESS_KEY:SECRET_KEY@host:port/bucket?option=value``:

- ``secure`` (``true``): https to the endpoint; ``false`` for a server on the loopback or a private
  network;
- ``region`` (``us-east-1``), ``location`` (a key prefix inside the bucket, empty by default);
- ``sse`` (``AES256``): the server-side encryption asked for every object; ``sse=none`` for a
  server that offers none (asking anyway makes such a server refuse the upload);
- ``addressing`` (``path``): ``virtual`` for providers that want bucket.host addressing.

Keys and secrets with reserved characters are percent-encoded, as in any URL.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
TRUE = {"1", "true", "yes", "on"}


def s3_storage_from_url(url: str) -> dict:
    """The ``STORAGES["default"]`` entry for an ``s3://`` URL (django-storages' S3Storage)."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ImproperlyConfigured(f"STORAGE_URL doit commencer par s3:// (reçu « {parts.scheme}:// »).")
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise ImproperlyConfigured(
            "STORAGE_URL doit nommer un seul bucket : s3://clé:secret@hôte:port/bucket"
        )
    if not parts.hostname:
        raise ImproperlyConfigured("STORAGE_URL doit nommer l'hôte du serveur S3.")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"secure", "region", "location", "sse", "addressing"}
    if unknown:
        raise ImproperlyConfigured(f"STORAGE_URL : option(s) inconnue(s) {', '.join(sorted(unknown))}.")
    secure = query.get("secure", "true").lower() in TRUE
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    sse = query.get("sse", "AES256")
    options = {
        "bucket_name": bucket,
        "endpoint_url": f"{'https' if secure else 'http'}://{netloc}",
        "access_key": unquote(parts.username or ""),
        "secret_key": unquote(parts.password or ""),
        "region_name": query.get("region", "us-east-1"),
        "location": query.get("location", "").strip("/"),
        "addressing_style": query.get("addressing", "path"),
        "signature_version": "s3v4",
        # Private objects only: no public ACL, never a plain URL, names never overwritten (each
        # upload gets a new random name; a collision must not replace another candidate's file).
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 60,
        "file_overwrite": False,
        "object_parameters": {} if sse.lower() == "none" else {"ServerSideEncryption": sse},
    }
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def local_storage(location: str) -> dict:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location, "base_url": "/fichiers-prives-non-servis/"},
    }

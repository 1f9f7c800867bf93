"""A small browser for the rush: keep-alive HTTP, cookies (sent over plain HTTP even when the
portal marks them Secure, as the TLS proxy would), redirects, and forms submitted with their
defaults the way a browser submits them, plus the fields a person changes."""

from __future__ import annotations

import http.client
import secrets
import urllib.parse
from html.parser import HTMLParser


class Form:
    def __init__(self, action: str, method: str, enctype: str) -> None:
        self.action, self.method, self.enctype = action, method, enctype
        self.fields: list[tuple[str, str]] = []
        self.selects: dict[str, list[str]] = {}
        self.files: list[str] = []
        self.buttons: list[tuple[str, str]] = []

    def values(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.fields:
            out.setdefault(name, []).append(value)
        return out


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_multiple = False
        self._select_has_selected = False
        self._option_value: str | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(), a.get("enctype", ""))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
                form.selects.setdefault(name, []).append(a.get("value", "on"))
            elif kind == "file":
                form.files.append(name)
            elif kind in ("submit", "button", "image", "reset"):
                form.buttons.append((name, a.get("value", "")))
            else:
                form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in a
            self._select_has_selected = False
            form.selects[name] = []
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            self._option_text = ""
            value = a.get("value", "")
            form.selects[self._select].append(value)
            if "selected" in a:
                form.fields.append((self._select, value))
                self._select_has_selected = True
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form:
            options = self._form.selects[self._select]
            if not self._select_has_selected and not self._select_multiple and options:
                self._form.fields.append((self._select, options[0]))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form:
            self._form.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class HttpError(Exception):
    pass


class Browser:
    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.base = base_url
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}  # sent with every request (X-Forwarded-For)
        self._conn: http.client.HTTPConnection | None = None
        self.requests = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return self._conn

    def close(self) -> None:
        if self._conn:
            self._conn.close()
            self._conn = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        headers = {**self.headers, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                raw = conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # a sync worker closes after each answer: reconnect once
                if attempt == 2:
                    raise
        self.requests += 1
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val == '""' or "max-age=0" in value.lower():
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val.strip()
        if raw.will_close:
            self.close()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data, path)

    def _finish(self, method: str, path: str, response: Response, follow: bool, expect) -> Response:
        while follow and response.status in (301, 302, 303):
            path = _local(response.headers["location"], path)
            response = self.request("GET", path)
        if expect and response.status != expect:
            raise HttpError(f"{method} {path}: {response.status} {_error_text(response.text)}")
        return response

    def get(self, path: str, *, follow: bool = True, expect: int | None = 200, headers=None) -> Response:
        return self._finish("GET", path, self.request("GET", path, headers=headers), follow, expect)

    def post(
        self,
        path: str,
        fields: dict | list,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        *,
        follow: bool = True,
        expect: int | None = 200,
    ) -> Response:
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body = urllib.parse.urlencode(_pairs(fields)).encode()
            content_type = "application/x-www-form-urlencoded"
        response = self.request("POST", path, body=body, headers={"Content-Type": content_type})
        return self._finish("POST", path, response, follow, expect)

    def submit(
        self,
        page: Response,
        overrides: dict | None = None,
        *,
        files: dict | None = None,
        match: str = "",
        follow: bool = True,
        expect: int | None = 200,
    ) -> Response:
        """Submit the first POST form of ``page`` (whose action contains ``match``) with its defaults;
        an override of ``"__first__"`` picks the first non-empty option of a select or radio."""
        action, pairs = fill(page, overrides, match=match)
        return self.post(action, pairs, files=files, follow=follow, expect=expect)


def fill(page: Response, overrides: dict | None = None, *, match: str = "") -> tuple[str, list]:
    """The action and the fields a browser would send for the first POST form of ``page``."""
    candidates = [
        f
        for f in forms_of(page.text)
        if f.method == "post" and match in (f.action or page.url) and "deconnexion" not in f.action
    ]
    if not candidates:
        raise HttpError(f"no form ({match!r}) on {page.url}")
    form = candidates[0]
    values = form.values()
    for name, value in (overrides or {}).items():
        if value == "__first__":
            value = next(v for v in form.selects.get(name, []) if v)
        values[name] = value if isinstance(value, list) else [value]
    return form.action or page.url, [(k, v) for k, vs in values.items() for v in vs if v is not None]


def _pairs(fields) -> list[tuple[str, str]]:
    items = fields.items() if isinstance(fields, dict) else fields
    out = []
    for key, value in items:
        if isinstance(value, list):
            out.extend((key, str(v)) for v in value)
        else:
            out.append((key, str(value)))
    return out


def _multipart(fields, files) -> tuple[bytes, str]:
    boundary = "----bench" + secrets.token_hex(12)
    chunks = []
    for key, value in _pairs(fields):
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    for key, (filename, data, content_type) in files.items():
        chunks.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _local(location: str, current: str) -> str:
    parsed = urllib.parse.urlsplit(location)
    if parsed.scheme:
        return parsed.path + (f"?{parsed.query}" if parsed.query else "")
    return urllib.parse.urljoin(current, location)


def _error_text(html: str) -> str:
    import re

    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|errorlist|alert-danger)[^"]*"[^>]*>(.*?)</', html, re.S
    )
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found[:4])[:400]

"""Request guards and response headers for the web app, as one ASGI middleware.

- Host check on a loopback server: only loopback host names (stops DNS-rebinding pages from
  reading it); Origin check on every unsafe method (no cross-site form posts).
- Body limit: a request body over MAX_BODY bytes is refused with 413, whether it announces its
  length or streams it.
- Token: when the server has one, every request needs it (`Authorization: Bearer`, or the cookie
  that visiting any page with `?token=` sets).
- Headers: a strict Content-Security-Policy (no inline script, no framing, nothing from other
  origins), nosniff, no referrer, no caching of pages that hold case data.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 2 * 1024 * 1024
DRAIN_MAX = 64 * 1024 * 1024  # an over-long body up to this size is read (and dropped) so the client sees the 413
TOKEN_COOKIE = "woningwet_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'{style}; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]


def csp(style_hashes: tuple[str, ...] = ()) -> str:
    """The policy; `style_hashes` admit the memo's own <style> block by its SHA-256."""
    return CSP.format(style="".join(f" 'sha256-{h}'" for h in style_hashes))


def problem_body(message: str, field: str = "") -> bytes:
    return json.dumps({"error": message, "problems": [
        {"file": "request", "line": None, "field": field, "message": message,
         "text": f"request{f' [{field}]' if field else ''}: {message}"}]}, ensure_ascii=False).encode("utf-8")


class Guard:
    """ASGI middleware: host, origin, token, body size; adds the security headers to every response."""

    def __init__(self, app, *, hosts: Iterable[str] | None, token: str | None = None, max_body: int = MAX_BODY):
        self.app = app
        self.hosts = {h.lower() for h in hosts} if hosts is not None else None  # None: any Host
        self.token = token
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if self.hosts is not None and hostname.lower() not in self.hosts:
            return await self._refuse(send, 421, "unknown host name for this server", "host")
        method = scope["method"]
        if method not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc.lower() != host.lower():
                return await self._refuse(send, 403, "cross-origin request refused", "origin")
        if self.token:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = _bearer(headers.get("authorization")) or _cookie(headers.get("cookie"), TOKEN_COOKIE)
            from_query = (query.get("token") or [None])[0]
            if from_query and method == "GET" and _same(from_query, self.token):
                return await self._set_token(send, scope, from_query)
            if not (given and _same(given, self.token)):
                return await self._refuse(send, 401, "a token is required (Authorization: Bearer TOKEN, "
                                          "or open the address with ?token=TOKEN)", "token")
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                return await self._refuse(send, 400, "bad Content-Length", "content-length")
            if too_big:
                if int(length) <= DRAIN_MAX:
                    await _drain(receive)
                return await self._refuse(send, 413, f"request body larger than {self.max_body} bytes", "body")

        # read the whole body first (at most max_body bytes), so that a body that turns out too
        # large is refused before the app has seen any of it
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            more = message.get("more_body", False)
            if seen > self.max_body:
                if more:
                    await _drain(receive, seen)
                return await self._refuse(send, 413, f"request body larger than {self.max_body} bytes", "body")
            chunks.append(chunk)
        body = b"".join(chunks)
        delivered = False

        async def replay_receive():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in HEADERS if h[0] not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", csp().encode()))
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, replay_receive, send_with_headers)

    async def _refuse(self, send, status: int, message: str, field: str):
        body = problem_body(message, field)
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"), (b"connection", b"close"),
            (b"content-security-policy", csp().encode()), *HEADERS]})
        await send({"type": "http.response.body", "body": body})

    async def _set_token(self, send, scope, token: str):
        """?token=…: keep it in a same-site, script-invisible cookie and drop it from the address."""
        path = scope.get("path", "/")
        if not path.startswith("/") or path.startswith("//"):
            path = "/"
        cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", path.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")),
            (b"content-length", b"0"), (b"cache-control", b"no-store"),
            (b"content-security-policy", csp().encode()), *HEADERS]})
        await send({"type": "http.response.body", "body": b""})


async def _drain(receive, seen: int = 0) -> None:
    """Read and drop the rest of a refused body (up to DRAIN_MAX), so the 413 is not lost in a reset."""
    while seen <= DRAIN_MAX:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _cookie(value: str | None, name: str) -> str | None:
    for part in (value or "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None

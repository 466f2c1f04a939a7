"""A small HTTP/1.1 server and client on asyncio, enough for webhooks, the local
POST endpoint and polling APIs, without adding a web framework to the hot path.

Server: one request per connection (Connection: close), Content-Length bodies
only, hard limits on header and body size so a hostile client cannot make us
buffer without bound. Client: urllib in a worker thread (HTTPS and proxies for
free; a poll every second or two does not need more)."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Awaitable, Callable

MAX_HEADER_BYTES = 16 * 1024
MAX_BODY_BYTES = 1 << 20
_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 411: "Length Required", 413: "Payload Too Large",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass(slots=True)
class HttpRequest:
    method: str
    target: str  # path + query as sent
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        from urllib.parse import parse_qsl

        return dict(parse_qsl(self.target.split("?", 1)[1])) if "?" in self.target else {}


@dataclass(slots=True)
class HttpResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, obj: object, status: int = 200) -> "HttpResponse":
        return cls(status, json.dumps(obj, ensure_ascii=False).encode(), {"Content-Type": "application/json; charset=utf-8"})

    def json_body(self) -> object:
        return json.loads(self.body.decode("utf-8"))


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


async def _read_request(reader: asyncio.StreamReader, max_body: int) -> HttpRequest | HttpResponse:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        return HttpResponse.json({"error": "headers too large"}, 413)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        return HttpResponse.json({"error": "bad request line"}, 400)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            return HttpResponse.json({"error": "bad header"}, 400)
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return HttpResponse.json({"error": "send Content-Length, not chunked"}, 411)
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        return HttpResponse.json({"error": "bad Content-Length"}, 400)
    if length < 0 or length > max_body:
        return HttpResponse.json({"error": f"body over {max_body} bytes"}, 413)
    body = await reader.readexactly(length) if length else b""
    return HttpRequest(parts[0].upper(), parts[1], headers, body)


async def serve_http(handler: Handler, host: str = "127.0.0.1", port: int = 0,
                     max_body_bytes: int = MAX_BODY_BYTES, timeout_s: float = 10.0) -> asyncio.Server:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                req = await asyncio.wait_for(_read_request(reader, max_body_bytes), timeout_s)
            except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
                return
            resp = req if isinstance(req, HttpResponse) else await handler(req)
            reason = _REASONS.get(resp.status, "Status")
            head = [f"HTTP/1.1 {resp.status} {reason}", f"Content-Length: {len(resp.body)}", "Connection: close"]
            head += [f"{k}: {v}" for k, v in resp.headers.items()]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + resp.body)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    return await asyncio.start_server(on_client, host, port, limit=MAX_HEADER_BYTES)


def server_port(server: asyncio.Server) -> int:
    return server.sockets[0].getsockname()[1]


def _blocking_request(method: str, url: str, headers: dict[str, str], body: bytes | None, timeout_s: float) -> HttpResponse:
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            return HttpResponse(resp.status, resp.read(MAX_BODY_BYTES * 8), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        return HttpResponse(exc.code, exc.read(MAX_BODY_BYTES), dict(exc.headers or {}))


async def http_request(method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None,
                       timeout_s: float = 10.0) -> HttpResponse:
    """Network errors raise (OSError/URLError); HTTP error statuses come back as responses."""
    return await asyncio.to_thread(_blocking_request, method, url, headers or {}, body, timeout_s)

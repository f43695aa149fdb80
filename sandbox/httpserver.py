"""A small threaded HTTP/1.1 server that both sandboxes run on.

Each sandbox is a `SandboxApp` that turns a `Request` into a `Response`; the
server adds keep-alive, simulated latency, fault injection, a test's hold on
requests (sandbox/hold.py) and the `/_sandbox/faults` control endpoint. Nothing
here knows NetSuite or Shopify.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.faults import FaultPlan, FaultRule
from sandbox.hold import RequestHold

CONTROL_PREFIX = "/_sandbox/"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # keys lowercased
    body: bytes
    url: str  # absolute URL as the client addressed it (for signature checks and links)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int
    body: Any = None  # dict/list → JSON; bytes/str sent as is
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, bytes):
            payload = self.body
        elif isinstance(self.body, str):
            payload = self.body.encode("utf-8")
        elif self.body is None:
            payload = b""
        else:
            payload = json.dumps(self.body, separators=(",", ":")).encode("utf-8")
            headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        return payload, headers


class SandboxApp:
    """Base for a sandbox: subclasses implement `handle` and `fault_response`."""

    name = "sandbox"

    def __init__(self, latency: float = 0.0, faults: FaultPlan | None = None) -> None:
        self.latency = latency
        self.faults = faults or FaultPlan()
        self.hold = RequestHold()

    def respond(self, request: Request) -> Response | None:
        """Called per request; subclasses may wrap it (e.g. concurrency accounting). None: drop the connection
        unanswered (a held request the test dropped)."""
        if not self.hold.enter(request.body):
            return None
        if self.latency:
            time.sleep(self.latency)
        return self.handle(request)

    def handle(self, request: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def fault_response(self, kind: str) -> Response:
        status = {
            "http_500": 500,
            "http_502": 502,
            "http_503": 503,
            "http_429": 429,
            "http_401": 401,
            "throttled": 429,
        }[kind]
        return Response(status, {"error": f"injected {kind}"})

    def control(self, request: Request) -> Response | None:
        """Sandbox-specific control endpoints under /_sandbox/; None → 404."""
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; without TCP_NODELAY each keep-alive reply stalls ~40 ms
    # (Nagle waiting on the client's delayed ACK).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet by default
        if self.server.verbose:
            super().log_message(format, *args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
            url=f"http://{host}{self.path}",
        )
        app = self.server.app
        if split.path.startswith(CONTROL_PREFIX):
            self._send(_control(app, request) or Response(404, {"error": "unknown control endpoint"}))
            return
        fault = app.faults.pick(split.path, body)
        if fault is None:
            self._send(app.respond(request))
        elif fault.kind == "drop":
            self._drop()
        elif fault.kind == "slow":
            time.sleep(fault.delay)
            self._send(app.respond(request))
        elif fault.kind == "truncate":
            self._send(app.respond(request), truncate=True)
        elif fault.kind == "internal_error":
            app.respond(request)  # it ran; the reply says only that something went wrong
            self._send(app.fault_response(fault.kind))
        else:
            self._send(app.fault_response(fault.kind))

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may be gone already
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response: Response | None, truncate: bool = False) -> None:
        if response is None:
            self._drop()
            return
        payload, headers = response.encoded()
        self.send_response(response.status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2] if truncate else payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


def _control(app: SandboxApp, request: Request) -> Response | None:
    if request.path == CONTROL_PREFIX + "faults":
        if request.method == "POST":
            data = request.json()
            try:
                rules = [FaultRule.from_dict(rule) for rule in data.get("rules", [])]
            except (TypeError, ValueError) as exc:
                return Response(400, {"error": str(exc)})
            app.faults.replace(rules, data.get("seed"))
        return Response(200, app.faults.summary())
    if request.path == CONTROL_PREFIX + "cpu" and request.method == "GET":
        times = os.times()
        return Response(200, {"pid": os.getpid(), "user": times.user, "system": times.system})
    return app.control(request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SandboxApp, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request (killed, timed out) is normal here, not a server error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """Runs a SandboxApp on a background thread: `with SandboxServer(app) as server: server.url`."""

    poll_interval = 0.05  # seconds; bounds how long stop() waits for the serving loop to notice

    def __init__(self, app: SandboxApp, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        self.app = app
        self._httpd = _Server((host, port), app, verbose)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": self.poll_interval},
            name=f"{self.app.name}-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.app.hold.release(drop=True)  # a test that failed mid-hold leaves no request waiting
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

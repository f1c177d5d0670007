"""Real receivers on 127.0.0.1 for alert tests: an aiosmtpd SMTP server and an HTTP webhook."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import time
import warnings
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from alerts.webhook import verify


def make_cert(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost, made with the openssl CLI."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.reject:
            return "550 5.1.1 no such user"
        if self.server.tempfail:
            self.server.tempfail -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


class SmtpServer:
    """aiosmtpd on a free loopback port; STARTTLS and AUTH LOGIN/PLAIN when given a cert/user."""

    def __init__(self, port: int, cert: tuple[Path, Path] | None = None, user: str = "",
                 password: str = "", implicit_tls: bool = False, require_starttls: bool = False):
        self.port, self.user, self.password = port, user, password
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.reject: set[str] = set()
        self.tempfail = 0
        self.auth_failures = 0
        self.lock = threading.Lock()
        context = None
        if cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(cert[0]), str(cert[1]))
        kwargs: dict = {"authenticator": self._auth, "auth_required": bool(user)}
        if implicit_tls:
            kwargs["ssl_context"] = context
            kwargs["auth_require_tls"] = False
        elif context is not None:
            kwargs.update(tls_context=context, require_starttls=require_starttls)
        else:
            kwargs["auth_require_tls"] = False
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=port,
                                     server_hostname="localhost", **kwargs)

    def _auth(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        if not ok:
            self.auth_failures += 1
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def by_message_id(self) -> Counter:
        with self.lock:
            return Counter(str(m["Message-ID"]) for _, _, m in self.messages)


class WebhookReceiver:
    """HTTP server that verifies X-Newswatch-Signature and answers planned failures first.

    ``plan`` is a list of responses used one per request before answering 200: ``500``,
    ``429:<retry-after>``, ``404``, ``timeout:<secs>`` (hold the request, then drop it).
    ``accepted`` counts requests answered 2xx by Idempotency-Key.
    """

    def __init__(self, secret: str = "", delay_secs: float = 0.0):
        self.secret, self.delay_secs = secret, delay_secs
        self.plan: list[str] = []
        self.accepted: Counter = Counter()
        self.bodies: list[dict] = []
        self.raw: list[bytes] = []
        self.headers: list[dict] = []
        self.bad_signatures = 0
        self.truncated = 0  # requests cut off before their body was complete: never accepted
        self.requests = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                expected = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(expected)
                if len(body) < expected:  # the sender died mid-request (SIGKILL in crash tests)
                    with receiver.lock:
                        receiver.truncated += 1
                    self.close_connection = True
                    return
                receiver._handle(self, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, req: BaseHTTPRequestHandler, body: bytes) -> None:
        with self.lock:
            self.requests += 1
            step = self.plan.pop(0) if self.plan else "200"
        if self.delay_secs:
            time.sleep(self.delay_secs)
        if step.startswith("timeout"):
            time.sleep(float(step.split(":")[1]))
            req.close_connection = True
            return
        if self.secret and not verify(self.secret, req.headers.get("X-Newswatch-Signature", ""),
                                      body):
            with self.lock:
                self.bad_signatures += 1
            self._reply(req, 401)
            return
        code, _, retry = step.partition(":")
        if code != "200":
            self._reply(req, int(code), {"Retry-After": retry} if retry else {})
            return
        with self.lock:
            self.accepted[req.headers.get("Idempotency-Key", "")] += 1
            self.raw.append(body)
            self.bodies.append(json.loads(body))
            self.headers.append(dict(req.headers))
        self._reply(req, 200)

    @staticmethod
    def _reply(req: BaseHTTPRequestHandler, code: int, headers: dict | None = None) -> None:
        req.send_response(code)
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.send_header("Content-Length", "0")
        req.end_headers()

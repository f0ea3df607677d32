"""``python -m viz.playground``: the live playground as a page, for a projector without a
notebook.

It serves on 127.0.0.1 only, with `Tornado <https://www.tornadoweb.org>`_ (a maintained
asynchronous web server with WebSockets built in; Jupyter's own server runs on it).  The
page is the notebook widget's front end with a WebSocket host: the state lives here,
in one :class:`~viz.playground.live.Controller`, and every open page sees the same run.

Safety, for a server on a shared classroom machine: a request whose ``Host`` header is
not this server's own address is refused (a page of another site cannot reach it by
DNS rebinding); the page and its socket need the run's token, a random secret printed
in the address; the socket also refuses another site's ``Origin``.  Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import secrets
import sys
import webbrowser
from typing import Any

import tornado.web
import tornado.websocket
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .. import i18n
from .live import Controller
from .page import playground_page
from .session import Session
from .state import Setup

SERVED_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
              "connect-src 'self'; img-src data:")  # fmt: skip
BOOT = 'servedPage(document.getElementById("playground"));'


class Playground:
    """One served playground: its controller, token, port and open sockets."""

    def __init__(self, setup: Setup, lang: str, port: int) -> None:
        self.lang = i18n.check_lang(lang)
        self.token = secrets.token_urlsafe(24)
        self.sockets = bind_sockets(port, "127.0.0.1")
        self.port = self.sockets[0].getsockname()[1]
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.clients: set[Socket] = set()
        self.controller = Controller(Session(setup), self.lang, self.broadcast)
        self.url = f"http://127.0.0.1:{self.port}/?token={self.token}"
        self.page = playground_page(BOOT, {}, i18n.text(self.lang, "live.page_title"),
                                    self.lang, SERVED_CSP)  # fmt: skip

    def broadcast(self, changes: dict[str, Any]) -> None:
        message = json.dumps({"kind": "change", "changes": changes})
        for client in list(self.clients):
            try:
                sent = client.write_message(message)
            except tornado.websocket.WebSocketClosedError:
                self.clients.discard(client)
            else:  # a page closed while the message was on its way: nothing to do
                sent.add_done_callback(lambda future: future.exception())

    def allowed(self, handler: tornado.web.RequestHandler) -> None:
        """403 unless the request names this server as its host and carries the token."""
        if handler.request.host not in self.hosts:
            raise tornado.web.HTTPError(403, "the Host header is not this server's address")
        token = handler.get_query_argument("token", "")
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            raise tornado.web.HTTPError(403, "a missing or wrong token")

    def application(self) -> tornado.web.Application:
        return tornado.web.Application([(r"/", Page, {"server": self}),
                                        (r"/socket", Socket, {"server": self})])  # fmt: skip


class Page(tornado.web.RequestHandler):
    """GET /?token=...: the page."""

    def initialize(self, server: Playground) -> None:
        self.server = server

    def get(self) -> None:
        self.server.allowed(self)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", SERVED_CSP)
        self.set_header("Cache-Control", "no-store")
        self.write(self.server.page)


class Socket(tornado.websocket.WebSocketHandler):
    """/socket?token=...: the state sent whole on opening, then changes both ways."""

    def initialize(self, server: Playground) -> None:
        self.server = server

    def prepare(self) -> None:
        self.server.allowed(self)

    def check_origin(self, origin: str) -> bool:
        return origin.split("://", 1)[-1] in self.server.hosts

    def open(self) -> None:
        self.server.clients.add(self)
        self.write_message(json.dumps({"kind": "state", "state": self.server.controller.state}))

    def on_message(self, text: str | bytes) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        controller = self.server.controller
        if message.get("kind") == "set" and isinstance(message.get("changes"), dict):
            controller.change(message["changes"])
        elif message.get("kind") == "message" and isinstance(message.get("content"), dict):
            controller.message(message["content"])

    def on_close(self) -> None:
        self.server.clients.discard(self)
        if not self.server.clients:  # nobody watches: stop training
            self.server.controller.pause()


def _port(text: str) -> int:
    """A port number, 0 to 65535 (argparse's refusal otherwise, one line, exit 2)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535; 0: any free one)")
    return port


def _arguments(argv: list[str] | None, prog: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve chaingrad's live playground on this computer (127.0.0.1) and "
                    "print its address.")  # fmt: skip
    parser.add_argument("--port", type=_port, default=8765, help="the port (0: any free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--lang", choices=i18n.LANGS, default=i18n.DEFAULT_LANG,
                        help="the page's language")  # fmt: skip
    parser.add_argument("--setup", default="",
                        help="a setup: the part after # of a playground's address")
    return parser.parse_args(argv)


async def serve(playground: Playground, open_browser: bool) -> None:
    """Serve until cancelled (Ctrl-C), then close every socket."""
    server = HTTPServer(playground.application())
    server.add_sockets(playground.sockets)
    address = f"{playground.url}#{playground.controller.state['query']}"
    print(f"chaingrad playground: {address}", flush=True)
    print("Ctrl-C stops it.", flush=True)
    if open_browser:
        webbrowser.open(address)
    try:
        await asyncio.Event().wait()
    finally:
        playground.controller.pause()
        server.stop()
        for client in list(playground.clients):
            client.close()
        await server.close_all_connections()


def main(argv: list[str] | None = None, prog: str = "python -m viz.playground") -> int:
    """The command: serve until Ctrl-C; 2 for a bad argument or a port that is taken."""
    args = _arguments(argv, prog)
    try:
        setup = Setup.from_query(args.setup) if args.setup else Setup()
        playground = Playground(setup, args.lang, args.port)
    except (TypeError, ValueError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{prog}: cannot serve on port {args.port}: {error}",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        asyncio.run(serve(playground, not args.no_browser))
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0

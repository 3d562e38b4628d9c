"""The language server assembled: the server object (server.py) with every handler module
registered, and how it runs. The one module that knows every handler: the handlers know the
server object, never this module, so no import runs back up."""

from __future__ import annotations

import logging

from repodoc_ls.server import commands, hover, lifecycle, requests, symbols
from repodoc_ls.server.server import RepodocServer

HANDLER_MODULES = (lifecycle, hover, symbols, requests, commands)


def create_server() -> RepodocServer:
    ls = RepodocServer()
    for module in HANDLER_MODULES:
        module.register(ls)
    return ls


def run(tcp: tuple[str, int] | None = None) -> None:
    """Serve over stdio, or over TCP when `tcp` is (host, port). Returns when the client exits."""
    logging.basicConfig(level=logging.WARNING, format="repodoc-server %(levelname)s %(name)s: %(message)s")
    # pygls logs a traceback on stderr for every error response, including the InvalidParams
    # we return on purpose; the client gets those through window/logMessage instead.
    logging.getLogger("pygls.protocol").setLevel(logging.CRITICAL)
    ls = create_server()
    if tcp is not None:
        ls.start_tcp(*tcp)
    else:
        ls.start_io()

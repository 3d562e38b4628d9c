"""`python -m repodoc_ls.server [--stdio | --tcp HOST:PORT]`: run the language server."""

from __future__ import annotations

import argparse
import sys

from repodoc_ls.server.app import run


def parse_tcp(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m repodoc_ls.server", description="The repodoc language server."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    mode.add_argument("--tcp", type=parse_tcp, metavar="HOST:PORT", help="listen on a TCP port")
    args = parser.parse_args(argv)
    run(tcp=args.tcp)
    return 0


if __name__ == "__main__":
    sys.exit(main())

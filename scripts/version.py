#!/usr/bin/env python3
"""The project's version, written in one place: `__version__` in repodoc_ls/__init__.py.

The Python package reads it (pyproject.toml's dynamic version), the Neovim plugin's health
check reads it from the checkout, and the VS Code extension's package.json (with its lock
file) carries a copy, because vsce takes the version from there; this script keeps the copy.

    python3 scripts/version.py              print the version
    python3 scripts/version.py --check      exit 1, naming them, if the copies differ
    python3 scripts/version.py --set 0.2.0  write a new version, then the copies

Standard library only, and no import of the package: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "repodoc_ls" / "__init__.py"
_SOURCE_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.M)
# A version that PEP 440 and npm's semver (which vsce requires) both read the same way.
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")

#: The copies: (file, pattern of each line holding the version). The indentation picks the
#: top-level "version" of package.json, and the lock file's own two (not its packages').
COPIES = (
    (ROOT / "vscode-client" / "package.json", re.compile(r'^(  "version": ")([^"]*)(",?)$', re.M)),
    (ROOT / "vscode-client" / "package-lock.json",
     re.compile(r'^(  "version": "|    "": \{\n      "name": "[^"]*",\n      "version": ")([^"]*)(",?)$', re.M)),
)


def read_version() -> str:
    found = _SOURCE_LINE.findall(SOURCE.read_text(encoding="utf-8"))
    if len(found) != 1:
        raise SystemExit(f"version: {SOURCE.relative_to(ROOT)} must have one line __version__ = \"X.Y.Z\"")
    return found[0]


def copies() -> list[tuple[Path, list[str]]]:
    """Each copy's file and the versions it holds."""
    return [(path, [m.group(2) for m in pattern.finditer(path.read_text(encoding="utf-8"))])
            for path, pattern in COPIES if path.exists()]


def mismatches(version: str) -> list[str]:
    out = []
    for path, found in copies():
        expected = 2 if path.name == "package-lock.json" else 1
        if found != [version] * expected:
            out.append(f"{path.relative_to(ROOT)}: {', '.join(found) or 'no version'} (expected {version})")
    return out


def write(version: str) -> None:
    if not _VERSION.match(version):
        raise SystemExit(f"version: {version!r} is not X.Y.Z (numbers only: PEP 440 and semver agree on it)")
    text = SOURCE.read_text(encoding="utf-8")
    SOURCE.write_text(_SOURCE_LINE.sub(f'__version__ = "{version}"', text), encoding="utf-8")
    for path, pattern in COPIES:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            path.write_text(pattern.sub(lambda m: m.group(1) + version + m.group(3), text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if a copy differs")
    group.add_argument("--set", metavar="VERSION", help="write VERSION, then the copies")
    args = parser.parse_args(argv)
    if args.set:
        write(args.set)
    version = read_version()
    if args.check:
        wrong = mismatches(version)
        for line in wrong:
            print(f"version: {line}; run python3 scripts/version.py --set {version}", file=sys.stderr)
        return 1 if wrong else 0
    print(version)
    return 0


if __name__ == "__main__":
    sys.exit(main())

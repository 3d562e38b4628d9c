"""Fills bundled/libs with the language server and its dependencies, for the .vsix.

    python scripts/bundle_server.py

Copies ../repodoc_ls (the server) and installs bundled/requirements.txt (pinned, with
hashes) for Python 3.10 and newer on any platform: pure-Python wheels only, except the
packages of SPEEDUPS_OPTIONAL, whose compiled speedups are removed (they run without them).
Needs a Python with pip, and PyPI (or the index pip is configured with) only when the
requirements changed since the last run. bundled/tool/server.py runs the result.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CLIENT = Path(__file__).resolve().parent.parent
SERVER_PACKAGE = CLIENT.parent / "repodoc_ls"
BUNDLED = CLIENT / "bundled"
LIBS = BUNDLED / "libs"
REQUIREMENTS = BUNDLED / "requirements.txt"
# The requirements bundled/libs was made from (outside it: the .vsix takes all of bundled/libs).
STAMP = BUNDLED / "libs.requirements.sha256"
OLDEST_PYTHON = "3.10"
# Packages with C speedups and a pure-Python fallback: installed from their CPython wheel
# for OLDEST_PYTHON (whose Python files are the same on every platform), speedups removed.
SPEEDUPS_OPTIONAL = {"markupsafe"}
SPEEDUPS_PLATFORM = "manylinux2014_x86_64"
COMPILED = ("*.so", "*.pyd", "*.dylib", "*.dll")


class BundleError(Exception):
    pass


def split_requirements(text: str) -> tuple[str, str]:
    """(pure requirements, speedups-optional requirements) as two requirement files' text."""
    pure: list[str] = []
    optional: list[str] = []
    for entry in text.replace("\\\n", " ").splitlines():
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        name = entry.split("==", 1)[0].strip().lower()
        (optional if name in SPEEDUPS_OPTIONAL else pure).append(entry)
    return "\n".join(pure) + "\n", "\n".join(optional) + "\n"


def pip_install(python: str, target: Path, requirements: str, platform_args: list[str]) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(requirements)
    try:
        command = [python, "-m", "pip", "install", "--target", str(target), "--no-deps", "--no-compile",
                   "--require-hashes", "--only-binary=:all:", "--python-version", OLDEST_PYTHON,
                   "--disable-pip-version-check", "--no-input", "--quiet", *platform_args, "-r", f.name]
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    finally:
        Path(f.name).unlink()
    if proc.returncode != 0:
        raise BundleError(f"pip install failed ({' '.join(command[:4])} ...):\n{proc.stderr.strip()}")


def install_dependencies(python: str) -> None:
    pure, optional = split_requirements(REQUIREMENTS.read_text(encoding="utf-8"))
    staging = Path(tempfile.mkdtemp(prefix="libs-", dir=BUNDLED))
    try:
        pip_install(python, staging, pure, ["--implementation", "py", "--abi", "none", "--platform", "any"])
        if optional.strip():
            cp = "cp" + OLDEST_PYTHON.replace(".", "")
            pip_install(python, staging, optional,
                        ["--implementation", "cp", "--abi", cp, "--platform", SPEEDUPS_PLATFORM])
            for name in SPEEDUPS_OPTIONAL:
                for pattern in COMPILED:
                    for binary in (staging / name).rglob(pattern):
                        binary.unlink()
        compiled = sorted(str(p.relative_to(staging)) for pattern in COMPILED for p in staging.rglob(pattern))
        if compiled:
            raise BundleError(f"compiled files would be bundled (the bundle must be pure Python): {compiled}")
        # Console scripts whose first line names this build's Python: of no use in the bundle.
        shutil.rmtree(staging / "bin", ignore_errors=True)
        shutil.rmtree(LIBS, ignore_errors=True)
        staging.rename(LIBS)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    STAMP.write_text(requirements_digest(), encoding="utf-8")


def requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest() + "\n"


def remove_bytecode() -> None:
    """Bytecode of whatever Python ran the bundle here: not for the .vsix."""
    for cache in sorted(LIBS.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    for tool_cache in (BUNDLED / "tool").rglob("__pycache__"):
        shutil.rmtree(tool_cache, ignore_errors=True)


def copy_server() -> None:
    if not (SERVER_PACKAGE / "__init__.py").is_file():
        raise BundleError(f"no server package at {SERVER_PACKAGE}")
    target = LIBS / "repodoc_ls"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(SERVER_PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def main() -> int:
    python = sys.executable
    try:
        if not STAMP.is_file() or STAMP.read_text(encoding="utf-8") != requirements_digest():
            print(f"bundling the server's dependencies into {LIBS} (pip, {REQUIREMENTS.name})", flush=True)
            install_dependencies(python)
        copy_server()
        remove_bytecode()
    except (BundleError, OSError) as exc:
        print(f"bundle_server: {exc}", file=sys.stderr)
        return 1
    print(f"bundled the server into {LIBS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

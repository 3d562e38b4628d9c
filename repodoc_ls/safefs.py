"""The one place where repodoc decides whether a path may be read, written or deleted.

A workspace is untrusted input: a cloned repository may hold symlinks pointing anywhere,
FIFOs, enormous files and a committed manifest naming paths outside the doc set. Every
read of a workspace file goes through `read_regular`, and every path the tool writes or
deletes is first checked by `contained` / `check_no_links`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Files larger than this get metadata and a note, never a full read (setting `max-file-bytes`).
DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024


class UnsafePath(OSError):
    """A path the tool refuses to act on; the message says why in one line."""


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a socket or a folder: never opened for reading."""


class FileTooLarge(OSError):
    """The file is larger than the limit; it was not read."""

    def __init__(self, path: str | os.PathLike[str], size: int, limit: int):
        super().__init__(f"{os.fspath(path)}: {size} bytes, over the limit of {limit}")
        self.size = size
        self.limit = limit


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """True when `path`, symlinks resolved, is `folder` or lies below it (resolved too)."""
    real = os.path.realpath(path)
    base = os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


class InsideFolder:
    """`is_inside(path, folder)` for many paths in few folders (the source files a doc set
    links): each folder of theirs is resolved once, and a path resolves as its folder did
    unless its last part is itself a symbolic link."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.base = os.path.realpath(folder)
        self.prefix = self.base.rstrip(os.sep) + os.sep
        self.resolved: dict[str, str] = {}

    def __call__(self, path: str) -> bool:
        """`path`: absolute and normalized (no `.` or `..` parts)."""
        parent, name = os.path.split(path)
        if os.path.islink(path) or not name:
            real = os.path.realpath(path)
        else:
            real_parent = self.resolved.get(parent)
            if real_parent is None:
                real_parent = self.resolved[parent] = os.path.realpath(parent)
            real = os.path.join(real_parent, name)
        return real == self.base or real.startswith(self.prefix)


def plain_relative(relative: str) -> bool:
    """Whether `relative` is a plain relative path: not empty, not absolute, no drive, no
    NUL byte, no `..` or empty part. Looks at the text only: `contained` also resolves it.
    A backslash separates parts only where the system says so (on POSIX it is a legal
    character of a file name, and pages are named after files)."""
    if not relative or "\0" in relative or os.path.isabs(relative) or relative.startswith("/"):
        return False
    if os.sep != "/":  # Windows: backslashes separate, and `c:x` names a drive
        relative = relative.replace("\\", "/")
        if len(relative) >= 2 and relative[1] == ":":
            return False
    return not any(part in ("..", "") for part in relative.split("/"))


def contained(folder: Path, relative: str) -> Path | None:
    """`folder / relative` when `relative` is a plain relative path that stays inside
    `folder` with every symlink resolved; None for an absolute path, a `..` part, a NUL
    byte or anything that resolves elsewhere."""
    if not plain_relative(relative):
        return None
    target = folder / relative
    return target if is_inside(target, folder) else None


def check_no_links(base: Path, target: Path) -> None:
    """Raise UnsafePath when `base`, `target` or any existing path between them is a
    symlink, so a write or delete cannot be redirected out of the doc set or the cache by
    a committed link."""
    try:
        rel = target.relative_to(base)
    except ValueError:
        raise UnsafePath(f"{target} is not inside {base}") from None
    current = base
    for part in ("",) + rel.parts:
        current = current / part if part else current
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise UnsafePath(f"cannot inspect {current}: {exc}") from None
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePath(f"{current} is a symbolic link: repodoc never writes through one")


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of a regular file. Opened without blocking (a FIFO swapped in between a
    stat and the open cannot hang the reader), checked with fstat after opening: raises
    NotRegularFile for anything but a regular file, FileTooLarge (before reading a byte)
    when its size is over `limit`, and OSError as `open` does."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"{os.fspath(path)} is not a regular file")
        if limit is not None and st.st_size > limit:
            raise FileTooLarge(path, st.st_size, limit)
        chunks = []
        total = 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if limit is not None and total > limit:  # it grew past the limit while we read
                raise FileTooLarge(path, total, limit)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)

"""The files of a doc set as an export writes and trusts them: a page's hash, the write by
temporary file and rename, and whether a page on disk is still the one a manifest records.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from repodoc_ls.safefs import read_regular

if TYPE_CHECKING:
    from repodoc_ls.docs.manifest import PageRecord


def page_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


TEMP_SUFFIX = ".repodoc-tmp"


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`. (A plain
    name with our pid, not mkstemp: creating thousands of files is what an export costs.)
    The rename replaces a symlink at `target` rather than writing through it."""
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        try:
            fd = os.open(tmp, _CREATE_NEW, 0o644)
        except FileExistsError:  # a killed run's leftover, or a committed link: never written through
            os.unlink(tmp)
            fd = os.open(tmp, _CREATE_NEW, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def on_disk_as_recorded(target: Path | str, record: PageRecord) -> bool:
    """Whether `target` is a regular file (not a link) of the recorded size and mtime."""
    if record.hash is None:
        return False
    try:
        st = os.lstat(target)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == record.size and st.st_mtime_ns == record.mtime_ns


def provably_ours(target: Path, record: PageRecord) -> bool:
    """Whether the page at `target` is still what the manifest says this tool wrote there
    (a regular file with the recorded hash), so removing it loses nothing. A page claimed by
    an export that did not finish (no hash yet) counts as ours."""
    if record.hash is None or on_disk_as_recorded(target, record):
        return True
    try:
        if os.path.islink(target):
            return False
        return page_hash(read_regular(target, max(record.size, 0))) == record.hash
    except OSError:
        return False

"""The output folder as `export` and `check` see it: the only place they write, and nothing
beyond it.

A repository is untrusted, its committed doc set included: the output folder, or a folder in
it, may be a symbolic link to anywhere, and its manifest may name any path. So the output
folder is never reached through a link below the workspace root; each folder a page is
written to, compared in or removed from is checked once per export to be a real folder (a
doc set has a few hundred folders and tens of thousands of pages); and two exports of one
folder take turns on a lock file in it.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from repodoc_ls import safefs
from repodoc_ls.docs.manifest import (
    ExportCancelled,
    ExportError,
    Manifest,
    ManifestError,
    PageRecord,
)
from repodoc_ls.docs.pagefiles import provably_ours
from repodoc_ls.scan import MANIFEST_NAME

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: exports of one folder are not serialized
    fcntl = None  # type: ignore[assignment]

#: Held by the export writing the folder; not a page (`check` and the link checker read `*.md`).
LOCK_NAME = ".repodoc-lock"
_LOCK_POLL_SECONDS = 0.05
FORCE_HINT = "`repodoc export --force` starts over (removing no page that manifest lists)"


def check_output_folder(root: Path, output: Path | str) -> None:
    """Refuse an output folder that holds the workspace root, is not a folder, or is
    reached through a symbolic link. `output` as given, before any link is resolved."""
    given = Path(os.path.abspath(output))
    real = Path(os.path.realpath(output))
    root = Path(os.path.realpath(root))
    if real == root or root.is_relative_to(real):
        raise ExportError(f"refusing to write the doc set to {real}: it contains the workspace root {root}")
    try:
        if given.is_relative_to(root):
            safefs.check_no_links(root, given)
            if real != given:  # `link/..` in the path
                raise safefs.UnsafePath(f"{output} leads through a symbolic link")
        elif given.is_symlink():
            raise safefs.UnsafePath(f"{given} is a symbolic link: repodoc never writes through one")
    except safefs.UnsafePath as exc:
        raise ExportError(f"refusing the output folder: {exc}") from None
    if real.exists() and not real.is_dir():
        raise ExportError(f"the output path {real} exists and is not a folder")


class OutputFolders:
    """The folders of a doc set, each inspected once: a folder is safe when it and every
    folder above it (up to the output folder) is a real folder or does not exist yet."""

    def __init__(self, output: Path):
        self.output = output
        self._refusals: dict[str, str | None] = {"": None}

    def refusal(self, folder: str) -> str | None:
        """Why nothing may be written or removed in `folder` (posix, relative); None when safe."""
        if folder in self._refusals:
            return self._refusals[folder]
        why = self.refusal(posixpath.dirname(folder))
        if why is None:
            path = self.output / folder
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                mode = stat.S_IFDIR
            except OSError as exc:
                why = f"cannot inspect {path}: {exc.strerror or exc}"
                mode = stat.S_IFDIR
            if stat.S_ISLNK(mode):
                why = f"{path} is a symbolic link: repodoc never writes through one"
            elif not stat.S_ISDIR(mode):
                why = f"{path} is not a folder"
        self._refusals[folder] = why
        return why

    def require(self, folders: Iterable[str]) -> None:
        """Raise ExportError, before anything is written, when a page would go in an unsafe folder."""
        for folder in sorted(folders):
            why = self.refusal(folder)
            if why is not None:
                raise ExportError(
                    f"refusing to write the doc set: {why} (remove it, or export elsewhere with --output)"
                )

    def load_manifest(self, force: bool, warnings: list[str]) -> Manifest | None:
        """The manifest, its pages outside the output folder dropped (with one warning).
        A damaged manifest stops the export; with `force` the export starts over without
        it, owning none of the pages it lists."""
        try:
            old = Manifest.load(self.output) if self.output.is_dir() else None
        except ManifestError as exc:
            if not force:
                raise ManifestError(f"{exc}; {FORCE_HINT}") from None
            warnings.append(f"{exc}: starting over without it (the pages it lists are left alone)")
            return None
        if old is None:
            return None
        refused = {
            folder for folder in {page.rpartition("/")[0] for page in old.pages} if self.refusal(folder)
        }
        outside = [page for page in old.pages if page.rpartition("/")[0] in refused] if refused else []
        for page in outside:
            del old.pages[page]
        ignored = old.ignored + outside
        if ignored:
            warnings.append(
                f"ignored {len(ignored)} page(s) that the manifest {self.output / MANIFEST_NAME} lists "
                f"outside the output folder (absolute, with `..` or through a symbolic link), "
                f"e.g. {ignored[0][:80]!r}: nothing was written, compared or removed there"
            )
        return old

    def remove_pages(self, pages: dict[str, PageRecord], warnings: list[str]) -> int:
        """Remove the stale `pages` (page -> record) that are still as this tool wrote them,
        then the folders they leave empty (never the output folder nor anything above)."""
        removed = 0
        changed = []
        for page, record in sorted(pages.items()):
            if self.refusal(posixpath.dirname(page)) is not None:
                continue  # never listed: load_manifest dropped it
            target = self.output / page
            if not os.path.lexists(target):
                continue
            if not provably_ours(target, record):
                changed.append(page)
                continue
            try:
                os.unlink(target)
                removed += 1
            except FileNotFoundError:
                pass
            folder = posixpath.dirname(page)
            while folder:
                try:
                    (self.output / folder).rmdir()
                except OSError:
                    break
                folder = posixpath.dirname(folder)
        if changed:
            warnings.append(
                f"kept {len(changed)} page(s) no longer produced but changed since repodoc wrote "
                f"them, e.g. {changed[0]!r}: remove them if they are not needed"
            )
        return removed


@contextlib.contextmanager
def export_lock(
    output: Path, notify: Callable[[str], None], cancel: Callable[[], bool] | None = None
) -> Iterator[None]:
    """Hold the output folder's lock file for the duration of an export; when another
    export holds it, say so once through `notify` and wait (cancellable)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    path = output / LOCK_NAME
    told = False
    while True:
        try:
            fd = os.open(
                path,
                os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
                0o644,
            )
        except OSError as exc:
            raise ExportError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not told:
                        notify(f"waiting for another export of {output} to finish")
                        told = True
                    if cancel is not None and cancel():
                        raise ExportCancelled("export cancelled") from None
                    time.sleep(_LOCK_POLL_SECONDS)
            # The export before us removes the file when it is done: the lock we got may be on
            # a file no longer there, and a third export may hold a newer one.
            try:
                current = os.path.samestat(os.fstat(fd), os.lstat(path))
            except FileNotFoundError:
                current = False
        except BaseException:
            os.close(fd)
            raise
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)

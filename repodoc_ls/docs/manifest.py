"""The export manifest (`.repodoc-manifest.json` in the output folder): what an export wrote.

Every page with its hash, size, mtime and the workspace files it shows; the hash of every
source file, the workspace files each imports and its symbols-letter digests; and a
fingerprint of everything else pages depend on (version, templates, settings). An export
trusts a page on disk only when its size and mtime are as recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from repodoc_ls import __version__
from repodoc_ls.safefs import plain_relative, read_regular
from repodoc_ls.scan import MANIFEST_NAME

MANIFEST_FORMAT = 1


class ExportError(Exception):
    """An export that must not proceed (explained in one message)."""


class ExportCancelled(Exception):
    pass


class ManifestError(ExportError):
    """The manifest cannot be read or is not one repodoc wrote (explained in one line)."""


class _WrongShape(ValueError):
    pass


#: A manifest is a few hundred bytes per page: anything larger was not written by repodoc.
_MAX_MANIFEST_BYTES = 256 * 1024 * 1024


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_JSON_NAMES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _json_kind(value: object) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


_T = TypeVar("_T")


def _expect(value: object, kind: type[_T], what: str) -> _T:
    """`value` when it is a `kind` (of parsed JSON: a checked `dict` or `list` still holds
    unchecked items, hence `Any` in them); else _WrongShape naming `what`."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _WrongShape(f"{what} is {_json_kind(value)}, not {_JSON_NAMES[kind]}")
    return value


def _list_of(
    value: object, kind: type[_T], what: str, length: int | None = None, bound: int | None = None
) -> list[_T]:
    """`value`, checked to be a list of `kind` with `length` items; with `bound` (and `kind`
    int), a list of indexes below it."""
    items = _expect(value, list, what)
    for item in items:
        if bound is not None and not (_is_int(item) and 0 <= item < bound):
            raise _WrongShape(f"{what} holds {str(item)[:40]!r}, not an index below {bound}")
        if bound is None:
            _expect(item, kind, f"an item of {what}")
    if length is not None and len(items) != length:
        raise _WrongShape(f"{what} has {len(items)} entries for {length} files")
    return items


def page_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# ------------------------------------------------------------------ the manifest


@dataclass
class PageRecord:
    hash: str | None  # None: claimed by an export that did not finish
    size: int = -1
    mtime_ns: int = -1
    deps: tuple[str, ...] = ()


@dataclass
class Manifest:
    fingerprint: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # path -> content hash
    pages: dict[str, PageRecord] = field(default_factory=dict)
    imports: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path -> workspace files it imports
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # path -> subpages.file_letter_digests

    #: Pages the manifest lists that are no plain relative `.md` path (absolute, with `..`,
    #: a NUL byte...): never written, compared or removed.
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, output: Path) -> Manifest | None:
        """The manifest in `output`, None when there is none; raises ManifestError, in one
        line, for a manifest that cannot be read or is not one repodoc wrote."""
        path = output / MANIFEST_NAME
        try:
            if os.path.islink(path):
                raise ManifestError(f"the manifest {path} is a symbolic link")
            data = read_regular(path, _MAX_MANIFEST_BYTES)
        except FileNotFoundError:
            return None
        except ManifestError:
            raise
        except OSError as exc:
            raise ManifestError(f"cannot read the manifest {path}: {exc.strerror or exc}") from None
        try:
            raw = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ManifestError(f"cannot read the manifest {path}: not JSON ({exc})") from None
        try:
            return cls._from_json(raw)
        except _WrongShape as exc:
            raise ManifestError(f"the manifest {path} is not one repodoc wrote: {exc}") from None

    @classmethod
    def _from_json(cls, raw: object) -> Manifest:
        _expect(raw, dict, "the manifest")
        assert isinstance(raw, dict)
        if raw.get("generator") != "repodoc":
            raise _WrongShape(f"its generator is {raw.get('generator')!r}, not 'repodoc'")
        pages = _expect(raw.get("pages", {}), dict, "pages")
        manifest = cls()
        if raw.get("format") != MANIFEST_FORMAT:
            # Another version's manifest: its pages are still ours, but nothing else is reused.
            manifest.pages = {p: PageRecord(None) for p in manifest._page_names(pages)}
            return manifest
        files = _list_of(raw.get("files", []), str, "files")
        count = len(files)
        hashes = _list_of(raw.get("hashes", []), str, "hashes", count)
        imports = [
            [files[i] for i in _list_of(targets, int, "imports", bound=count)]
            for targets in _list_of(raw.get("imports", []), list, "imports", count)
        ]
        letters = _list_of(raw.get("letters", []), dict, "letters", count)
        for found in letters:
            _list_of(list(found.values()), str, "letters")
        manifest.fingerprint = _expect(raw.get("fingerprint", ""), str, "fingerprint")
        # outside modules among the import targets (incremental.OUTSIDE) are no source files
        manifest.sources = {f: h for f, h in zip(files, hashes) if not f.startswith("/")}
        manifest.imports = {files[i]: tuple(targets) for i, targets in enumerate(imports) if targets}
        manifest.letters = {files[i]: found for i, found in enumerate(letters) if found}
        for page, record in pages.items():
            if not (
                isinstance(record, list)
                and len(record) == 4
                and isinstance(record[0], (str, type(None)))
                and _is_int(record[1])
                and _is_int(record[2])
            ):
                raise _WrongShape(f"page {page[:80]!r} has no [hash, size, mtime, deps] record")
            _list_of(record[3], int, "deps", bound=count)
        for page in manifest._page_names(pages):
            hash_, size, mtime_ns, deps = pages[page]
            manifest.pages[page] = PageRecord(hash_, size, mtime_ns, tuple(files[i] for i in deps))
        return manifest

    def _page_names(self, pages: dict[str, Any]) -> list[str]:
        """The names in `pages` (parsed JSON: its values are not checked yet) that are plain
        relative `.md` paths; the others go to `ignored`."""
        names: list[str] = []
        for page in pages:
            (names if plain_relative(page) and page.endswith(".md") else self.ignored).append(page)
        return names

    def save(self, output: Path) -> None:
        files = sorted(
            self.sources.keys()
            | {d for r in self.pages.values() for d in r.deps}
            | {t for targets in self.imports.values() for t in targets}
        )
        number = {f: i for i, f in enumerate(files)}
        raw = {
            "generator": "repodoc",
            "version": __version__,
            "format": MANIFEST_FORMAT,
            "fingerprint": self.fingerprint,
            "files": files,
            "hashes": [self.sources.get(f, "") for f in files],
            "imports": [sorted(number[t] for t in self.imports.get(f, ())) for f in files],
            "letters": [self.letters.get(f, {}) for f in files],
            "pages": {
                page: [r.hash, r.size, r.mtime_ns, [number[d] for d in r.deps]]  # deps are sorted
                for page, r in sorted(self.pages.items())
            },
        }
        atomic_write(output / MANIFEST_NAME, json.dumps(raw, separators=(",", ":")).encode("utf-8"))


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


def on_disk_as_recorded(target: Path, record: PageRecord) -> bool:
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

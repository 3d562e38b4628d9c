"""The export manifest (`.repodoc-manifest.json` in the output folder): what an export wrote.

Every page with its hash, size, mtime, the workspace files it shows and those it only
counts among a symbol's users; the hash of every source file, the workspace files each
imports, its symbols-letter digests, the digest of the symbols it uses, and its kind
(`Graph.kind`) with the files whose facts computing it read; the (file, name)
lookups pages depend on with their answers (namedeps.py); and a fingerprint of everything
else pages depend on (version, templates, settings). An export trusts a page on disk only
when its size and mtime are as recorded.

The file is one JSON document of parallel columns (format 5), read by one `json.loads`
and checked by C-level passes over each column, never by a loop over the pages in Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from repodoc_ls import __version__
from repodoc_ls.safefs import plain_relative, read_regular
from repodoc_ls.scan import MANIFEST_NAME

#: 5: with each file's kind and the files computing it read; 3: with the name deps of
#: pages (namedeps.py); 2: pages as parallel columns, checked in C-level passes; 1: a
#: record per page.
MANIFEST_FORMAT = 5


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


#: What a page name that is no plain relative path holds (`safefs.plain_relative` decides
#: for those only: most names are plain, and a manifest has tens of thousands). Also
#: searched in all the names joined by newlines: a newline in a name only adds suspects.
_SUSPECT = re.compile(r"\.\.|//|^/|/$|\x00" if os.sep == "/" else r"[\s\S]", re.MULTILINE)


def _names_of(files: list[str]) -> Callable[[list[int]], tuple[str, ...]]:
    """indexes -> the names of those `files` (checked in range)."""
    return _lookup_all(tuple(files))


_K = TypeVar("_K")
_V = TypeVar("_V")


def _lookup_all(table: Mapping[_K, _V] | Sequence[_V]) -> Callable[[Sequence[_K]], tuple[_V, ...]]:
    """keys -> `table`'s values for them, in one C-level call a page: a manifest holds near
    a million deps."""

    def values(keys: Sequence[Any]) -> tuple[_V, ...]:
        if len(keys) > 1:
            return itemgetter(*keys)(table)  # type: ignore[no-any-return]
        return (table[keys[0]],) if keys else ()

    return values


def page_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# ------------------------------------------------------------------ the manifest


@dataclass
class PageRecord:
    hash: str | None  # None: claimed by an export that did not finish
    size: int = -1
    mtime_ns: int = -1
    deps: tuple[str, ...] = ()
    counted: tuple[str, ...] = ()  # units.Rendered.counted
    names: tuple[tuple[str, str], ...] = ()  # (file, name) lookups: see namedeps.py


@dataclass
class Manifest:
    fingerprint: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # path -> content hash
    pages: dict[str, PageRecord] = field(default_factory=dict)
    imports: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path -> workspace files it imports
    letters: dict[str, dict[str, str]] = field(default_factory=dict)  # path -> subpages.file_letter_digests
    uses: dict[str, str] = field(default_factory=dict)  # path -> incremental.uses_digests
    #: The size of the link records (linkrecord.py) when last written whole (0: not known).
    links_base: int = 0
    #: (file, name) -> what the lookup answered (namedeps.entry), for the pages' name deps
    entries: dict[tuple[str, str], str] = field(default_factory=dict)
    #: split symbols index page -> its rows (units.Rendered.layout)
    layouts: dict[str, tuple[tuple[str, tuple[int, tuple[str, ...]]], ...]] = field(default_factory=dict)
    #: path -> subpages.file_estimate (of the files that add rows to the symbols pages)
    estimates: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: path -> its kind (`Graph.kind`), for every file (incremental.file_kinds)
    kinds: dict[str, str] = field(default_factory=dict)
    #: path -> the files whose facts computing its kind read, itself among them (none
    #: when its own facts decide it)
    kind_reads: dict[str, tuple[str, ...]] = field(default_factory=dict)

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
        manifest = cls()
        if raw.get("format") != MANIFEST_FORMAT:
            # Another version's manifest: its pages are still ours, but nothing else is reused.
            old_pages = raw.get("pages", {})
            if not isinstance(old_pages, (dict, list)):
                raise _WrongShape(f"pages is {_json_kind(old_pages)}, not an object or a list")
            names = [page for page in old_pages if isinstance(page, str)]
            manifest.pages = {p: PageRecord(None) for p in manifest._page_names(names)}
            return manifest
        # Every check below is one C-level pass (map, set, min, max): a manifest lists tens
        # of thousands of pages and near a million deps, and is read by every export.
        files = _column(raw, "files", (str,))
        count = len(files)
        hashes = _column(raw, "hashes", (str,), count)
        imports = _index_lists(raw, "imports", count, count)
        letters = _column(raw, "letters", (dict,), count)
        _all_of(chain.from_iterable(map(dict.keys, letters)), (str,), "letters")
        _all_of(chain.from_iterable(map(dict.values, letters)), (str,), "letters")
        names = _column(raw, "pages", (str,))
        pages = len(names)
        page_hashes = _column(raw, "page_hashes", (str, type(None)), pages)
        sizes = _column(raw, "sizes", (int,), pages)
        mtimes = _column(raw, "mtimes", (int,), pages)
        deps = _index_lists(raw, "deps", pages, count)
        counted = _index_lists(raw, "counted", pages, count)
        uses = _column(raw, "uses", (str,), count)
        estimates = _column(raw, "estimates", (list,), count)
        _all_of(chain.from_iterable(estimates), (int,), "estimates")
        if any(len(found) not in (0, 2) for found in estimates):
            raise _WrongShape("estimates holds an entry that is not [symbols, bytes]")
        kinds = _column(raw, "kinds", (str,), count)
        kind_reads = _index_lists(raw, "kind_reads", count, count)
        key_files = _column(raw, "key_files", (int,))
        keys = len(key_files)
        if keys and (min(key_files) < 0 or max(key_files) >= count):
            raise _WrongShape(f"key_files holds an index out of range (below 0 or not below {count})")
        key_names = _column(raw, "key_names", (str,), keys)
        key_entries = _column(raw, "key_entries", (str,), keys)
        page_keys = _index_lists(raw, "names", pages, keys)
        layouts = _expect(raw.get("layouts", {}), dict, "layouts")
        manifest.fingerprint = _expect(raw.get("fingerprint", ""), str, "fingerprint")
        manifest.links_base = max(_expect(raw.get("links_base", 0), int, "links_base"), 0)
        # outside modules among the import targets (incremental.OUTSIDE) are no source files
        manifest.sources = {f: h for f, h in zip(files, hashes) if not f.startswith("/")}
        name = files.__getitem__
        manifest.imports = {
            files[i]: tuple(map(name, targets)) for i, targets in enumerate(imports) if targets
        }
        manifest.letters = {files[i]: found for i, found in enumerate(letters) if found}
        manifest.uses = {files[i]: found for i, found in enumerate(uses) if found}
        manifest.estimates = {files[i]: (found[0], found[1]) for i, found in enumerate(estimates) if found}
        manifest.kinds = {files[i]: found for i, found in enumerate(kinds) if found}
        manifest.kind_reads = {
            files[i]: tuple(map(name, found)) for i, found in enumerate(kind_reads) if found
        }
        plain = manifest._page_names(names)
        names_of = _names_of(files)
        key_table: list[tuple[str, str]] = list(zip(map(name, key_files), key_names))
        manifest.entries = dict(zip(key_table, key_entries))
        manifest.layouts = {page: _layout(rows) for page, rows in layouts.items()}
        keys_of: Callable[[Sequence[int]], tuple[tuple[str, str], ...]] = _lookup_all(key_table)
        records = (
            PageRecord(hash_, size, mtime_ns, names_of(found), names_of(users), keys_of(looked_up))
            for hash_, size, mtime_ns, found, users, looked_up in zip(
                page_hashes, sizes, mtimes, deps, counted, page_keys
            )
        )
        if len(plain) == pages:
            manifest.pages = dict(zip(names, records))
        else:
            kept = set(plain)
            manifest.pages = {page: record for page, record in zip(names, records) if page in kept}
        return manifest

    def _page_names(self, pages: list[str]) -> list[str]:
        """The names in `pages` that are plain relative `.md` paths; the others go to `ignored`."""
        if all(map(str.endswith, pages, repeat(".md"))) and _SUSPECT.search("\n".join(pages)) is None:
            return pages  # the usual manifest: one search over all the names
        names: list[str] = []
        for page in pages:
            plain = page.endswith(".md") and (_SUSPECT.search(page) is None or plain_relative(page))
            (names if plain else self.ignored).append(page)
        return names

    def save(self, output: Path) -> None:
        keys = sorted(set().union(*(r.names for r in self.pages.values())))
        files = sorted(
            self.sources.keys()
            | set().union(*(r.deps for r in self.pages.values()))
            | set().union(*(r.counted for r in self.pages.values()))
            | set().union(*self.imports.values())
            | set().union(*self.kind_reads.values())
            | {path for path, _ in keys}
        )
        numbers = {f: i for i, f in enumerate(files)}
        number, numbered = numbers.__getitem__, _lookup_all(numbers)
        names = sorted(self.pages)
        records = list(map(self.pages.__getitem__, names))
        key_numbers = _lookup_all({key: i for i, key in enumerate(keys)})
        raw = {
            "generator": "repodoc",
            "version": __version__,
            "format": MANIFEST_FORMAT,
            "fingerprint": self.fingerprint,
            "links_base": self.links_base,
            "files": files,
            "hashes": [self.sources.get(f, "") for f in files],
            "imports": [sorted(map(number, self.imports.get(f, ()))) for f in files],
            "letters": [self.letters.get(f, {}) for f in files],
            "uses": [self.uses.get(f, "") for f in files],
            "estimates": [list(self.estimates.get(f, ())) for f in files],
            "kinds": [self.kinds.get(f, "") for f in files],
            "kind_reads": [sorted(map(number, self.kind_reads.get(f, ()))) for f in files],
            "pages": names,
            "page_hashes": [r.hash for r in records],
            "sizes": [r.size for r in records],
            "mtimes": [r.mtime_ns for r in records],
            "deps": [numbered(r.deps) for r in records],  # deps are sorted
            "counted": [numbered(r.counted) for r in records],
            "key_files": [number(path) for path, _ in keys],
            "key_names": [name for _, name in keys],
            "key_entries": [self.entries.get(key, "") for key in keys],
            "names": [sorted(key_numbers(r.names)) for r in records],
            "layouts": {
                page: [[letter, count, list(firsts)] for letter, (count, firsts) in rows]
                for page, rows in sorted(self.layouts.items())
                if page in self.pages
            },
        }
        atomic_write(output / MANIFEST_NAME, json.dumps(raw, separators=(",", ":")).encode("utf-8"))


def _layout(rows: object) -> tuple[tuple[str, tuple[int, tuple[str, ...]]], ...]:
    """A split symbols page's rows as saved: [[letter, count, [first names]], ...]."""
    out = []
    for row in _expect(rows, list, "layouts"):
        if not (isinstance(row, list) and len(row) == 3):
            raise _WrongShape("layouts holds a row that is not [letter, count, parts]")
        letter, count, firsts = row
        _all_of((letter, *_expect(firsts, list, "layouts")), (str,), "layouts")
        out.append((letter, (_expect(count, int, "layouts"), tuple(firsts))))
    return tuple(out)


def _all_of(items: Iterable[object], kinds: tuple[type, ...], what: str) -> None:
    """Raise _WrongShape unless every item is exactly one of `kinds` (a bool is no int)."""
    found = set(map(type, items))
    if not found.issubset(kinds):
        wrong = next(iter(found.difference(kinds)))
        raise _WrongShape(f"{what} holds {_JSON_NAMES.get(wrong, wrong.__name__)}")


def _column(raw: dict[str, Any], key: str, kinds: tuple[type, ...], length: int | None = None) -> list[Any]:
    """The list `raw[key]` (empty when absent) of `kinds`, with `length` items when given."""
    items = _expect(raw.get(key, []), list, key)
    _all_of(items, kinds, key)
    if length is not None and len(items) != length:
        raise _WrongShape(f"{key} has {len(items)} entries for {length}")
    return items


def _index_lists(raw: dict[str, Any], key: str, length: int, bound: int) -> list[list[int]]:
    """The list `raw[key]` of `length` lists of indexes below `bound`."""
    lists = _column(raw, key, (list,), length)
    flat = list(chain.from_iterable(lists))
    _all_of(flat, (int,), key)
    if flat and (min(flat) < 0 or max(flat) >= bound):
        raise _WrongShape(f"{key} holds an index out of range (below 0 or not below {bound})")
    return lists


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

"""The export manifest (`.repodoc-manifest.json` in the output folder): what an export wrote.

Every page with its hash, size, mtime, the workspace files it shows and those it only
counts among a symbol's users; the hash of every source file, the workspace files each
imports, its symbols-letter digests, the digest of the symbols it uses, and its kind
(`Graph.kind`) with the files whose facts computing it read; the (file, name)
lookups pages depend on with their answers (namedeps.py); and a fingerprint of everything
else pages depend on (version, templates, settings). An export trusts a page on disk only
when its size and mtime are as recorded.

The file is one JSON document of parallel columns (format 6), read by one `json.loads`
and checked by C-level passes over each column, never by a loop over the pages in Python.
The lists of numbers (a page's deps, counted users and name deps, a file's imports and kind
reads: indexes into `files` or the keys) are number rows, one string each (`",3,17,250,"`,
`","` for none; see manifestjson.py): a string is one JSON token where a list is many, and
a record read keeps its rows as they are until its deps are asked for by name.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, compress, repeat
from operator import attrgetter, is_not
from pathlib import Path
from typing import Any

from repodoc_ls import __version__
from repodoc_ls.docs.manifestjson import (
    WrongShape,
    all_of,
    ascending,
    column,
    expect,
    file_rows,
    index_list,
    json_kind,
    layout_rows,
    lookup_all,
    names_of,
    number_rows,
    row_numbers,
    row_of,
    row_search,
    same_numbering,
)
from repodoc_ls.docs.pagefiles import atomic_write
from repodoc_ls.safefs import plain_relative, read_regular
from repodoc_ls.scan import MANIFEST_NAME

#: 6: lists of numbers as number rows (strings); 5: with each file's kind and the files
#: computing it read; 3: with the name deps of pages (namedeps.py); 2: pages as parallel
#: columns, checked in C-level passes; 1: a record per page.
MANIFEST_FORMAT = 6


class ExportError(Exception):
    """An export that must not proceed (explained in one message)."""


class ExportCancelled(Exception):
    pass


class ManifestError(ExportError):
    """The manifest cannot be read or is not one repodoc wrote (explained in one line)."""


#: A manifest is a few hundred bytes per page: anything larger was not written by repodoc.
_MAX_MANIFEST_BYTES = 256 * 1024 * 1024


#: What a page name that is no plain relative path holds (`safefs.plain_relative` decides
#: for those only: most names are plain, and a manifest has tens of thousands). Also
#: searched in all the names joined by newlines: a newline in a name only adds suspects.
_SUSPECT = re.compile(r"\.\.|//|^/|/$|\x00" if os.sep == "/" else r"[\s\S]", re.MULTILINE)


# ------------------------------------------------------------------ the manifest


class _Table:
    """The files and (file, name) keys a manifest numbers its pages' deps with, as read."""

    def __init__(self, files: list[str], keys: list[tuple[str, str]]):
        self.files = files
        self.keys = keys
        self.names_of = names_of(files)
        self.keys_of: Callable[[Sequence[int]], tuple[tuple[str, str], ...]] = lookup_all(keys)

    @cached_property
    def file_numbers(self) -> dict[str, int]:
        return {f: i for i, f in enumerate(self.files)}

    @cached_property
    def key_numbers(self) -> dict[tuple[str, str], int]:
        return {key: i for i, key in enumerate(self.keys)}


class PageRecord:
    """A page as an export wrote it. A record read from a manifest keeps its deps as the
    manifest's number rows until they are asked for by name: an export after an edit tests
    them by substring (`Manifest.pages_touched`) and saves the untouched ones as they were."""

    __slots__ = ("hash", "size", "mtime_ns", "_deps", "_counted", "_names", "_table")

    def __init__(
        self,
        hash: str | None,  # None: claimed by an export that did not finish
        size: int = -1,
        mtime_ns: int = -1,
        deps: tuple[str, ...] = (),
        counted: tuple[str, ...] = (),  # units.Rendered.counted
        names: tuple[tuple[str, str], ...] = (),  # (file, name) lookups: see namedeps.py
    ):
        self.hash, self.size, self.mtime_ns = hash, size, mtime_ns
        # by name, or while `_table` is set its number rows in that table (manifestjson.py)
        self._deps: Any = deps
        self._counted: Any = counted
        self._names: Any = names
        self._table: _Table | None = None

    @classmethod
    def _numbered(
        cls, hash: str | None, size: int, mtime_ns: int, deps: str, counted: str, names: str, table: _Table
    ) -> PageRecord:
        record = cls.__new__(cls)  # (no __init__: read tens of thousands of times a load)
        record.hash, record.size, record.mtime_ns = hash, size, mtime_ns
        record._deps, record._counted, record._names, record._table = deps, counted, names, table
        return record

    def _by_name(self) -> None:
        table = self._table
        if table is not None:
            self._deps = table.names_of(row_numbers(self._deps))
            self._counted = table.names_of(row_numbers(self._counted))
            self._names = table.keys_of(row_numbers(self._names))
            self._table = None

    @property
    def deps(self) -> tuple[str, ...]:
        self._by_name()
        return tuple(self._deps)

    @property
    def counted(self) -> tuple[str, ...]:
        self._by_name()
        return tuple(self._counted)

    @property
    def names(self) -> tuple[tuple[str, str], ...]:
        self._by_name()
        return tuple(self._names)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PageRecord):
            return NotImplemented
        mine = (self.hash, self.size, self.mtime_ns, self.deps, self.counted, self.names)
        return mine == (other.hash, other.size, other.mtime_ns, other.deps, other.counted, other.names)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PageRecord({self.hash!r}, {self.size}, {self.mtime_ns}, {self.deps!r}, {self.counted!r}, {self.names!r})"


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
    #: The numbering of the manifest this one was read from (or carries records of).
    table: _Table | None = None
    #: The records of that manifest this one no longer holds (its pages rendered again or
    #: removed), when known: a name dep only they held is the only kind that can have
    #: fallen out of use (a manifest repodoc wrote numbers the name deps its pages hold).
    dropped: list[PageRecord] | None = None

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
        except WrongShape as exc:
            raise ManifestError(f"the manifest {path} is not one repodoc wrote: {exc}") from None

    @classmethod
    def _from_json(cls, raw: object) -> Manifest:
        expect(raw, dict, "the manifest")
        assert isinstance(raw, dict)
        if raw.get("generator") != "repodoc":
            raise WrongShape(f"its generator is {raw.get('generator')!r}, not 'repodoc'")
        manifest = cls()
        if raw.get("format") != MANIFEST_FORMAT:
            # Another version's manifest: its pages are still ours, but nothing else is reused.
            old_pages = raw.get("pages", {})
            if not isinstance(old_pages, (dict, list)):
                raise WrongShape(f"pages is {json_kind(old_pages)}, not an object or a list")
            names = [page for page in old_pages if isinstance(page, str)]
            manifest.pages = {p: PageRecord(None) for p in manifest._page_names(names)}
            return manifest
        # Every check below is one C-level pass (map, set, min, max): a manifest lists tens
        # of thousands of pages and near a million deps, and is read by every export.
        files = column(raw, "files", (str,))
        count = len(files)
        hashes = column(raw, "hashes", (str,), count)
        imports = number_rows(raw, "imports", count, count)
        letters = column(raw, "letters", (dict,), count)
        all_of(chain.from_iterable(map(dict.keys, letters)), (str,), "letters")
        all_of(chain.from_iterable(map(dict.values, letters)), (str,), "letters")
        names = column(raw, "pages", (str,))
        pages = len(names)
        page_hashes = column(raw, "page_hashes", (str, type(None)), pages)
        sizes = column(raw, "sizes", (int,), pages)
        mtimes = column(raw, "mtimes", (int,), pages)
        deps = number_rows(raw, "deps", pages, count)
        counted = number_rows(raw, "counted", pages, count)
        uses = column(raw, "uses", (str,), count)
        estimates = column(raw, "estimates", (list,), count)
        all_of(chain.from_iterable(estimates), (int,), "estimates")
        if any(len(found) not in (0, 2) for found in estimates):
            raise WrongShape("estimates holds an entry that is not [symbols, bytes]")
        kinds = column(raw, "kinds", (str,), count)
        kind_reads = number_rows(raw, "kind_reads", count, count)
        key_files = index_list(raw, "key_files", count)
        keys = len(key_files)
        key_names = column(raw, "key_names", (str,), keys)
        key_entries = column(raw, "key_entries", (str,), keys)
        page_keys = number_rows(raw, "names", pages, keys)
        layouts = expect(raw.get("layouts", {}), dict, "layouts")
        manifest.fingerprint = expect(raw.get("fingerprint", ""), str, "fingerprint")
        manifest.links_base = max(expect(raw.get("links_base", 0), int, "links_base"), 0)
        # outside modules among the import targets (incremental.OUTSIDE) are no source files
        manifest.sources = {f: h for f, h in zip(files, hashes) if not f.startswith("/")}
        name, by_name = files.__getitem__, names_of(files)
        manifest.imports = {
            files[i]: by_name(row_numbers(row)) for i, row in enumerate(imports) if row != ","
        }
        manifest.letters = {files[i]: found for i, found in enumerate(letters) if found}
        manifest.uses = {files[i]: found for i, found in enumerate(uses) if found}
        manifest.estimates = {files[i]: (found[0], found[1]) for i, found in enumerate(estimates) if found}
        manifest.kinds = {files[i]: found for i, found in enumerate(kinds) if found}
        manifest.kind_reads = {
            files[i]: by_name(row_numbers(row)) for i, row in enumerate(kind_reads) if row != ","
        }
        plain = manifest._page_names(names)
        key_table: list[tuple[str, str]] = list(zip(map(name, key_files), key_names))
        manifest.entries = dict(zip(key_table, key_entries))
        manifest.layouts = {page: layout_rows(rows) for page, rows in layouts.items()}
        table = manifest.table = _Table(files, key_table)
        records = map(
            PageRecord._numbered, page_hashes, sizes, mtimes, deps, counted, page_keys, repeat(table)
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

    def pages_touched(self, files: set[str], counters: set[str], keys: set[tuple[str, str]]) -> set[str]:
        """The pages whose deps hold one of `files`, whose counted users one of `counters`,
        or whose name deps one of `keys`: a numbered record is tested by searching its number
        rows, never decoded."""
        table = self.table
        out = set()
        if table is not None:
            file_numbers, key_numbers = table.file_numbers, table.key_numbers
            in_deps = row_search(file_numbers[f] for f in files if f in file_numbers)
            in_counted = row_search(file_numbers[f] for f in counters if f in file_numbers)
            in_names = row_search(key_numbers[k] for k in keys if k in key_numbers)
        for page, record in self.pages.items():
            if table is not None and record._table is table:
                if not (in_deps(record._deps) or in_counted(record._counted) or in_names(record._names)):
                    continue
            elif files.isdisjoint(record.deps) and counters.isdisjoint(record.counted):
                if keys.isdisjoint(record.names):
                    continue
            out.add(page)
        return out

    def _numbering(self) -> tuple[list[str], list[tuple[str, str]]] | None:
        """The numbering this manifest was read with, when it is the one a save would make
        (the same files and keys, sorted): the records not touched since are then saved as
        they were read, without naming their deps."""
        table = self.table
        if table is None or not (ascending(table.files) and ascending(table.keys)):
            return None  # (a manifest repodoc did not write in this order)
        numbered = [r for r in self.pages.values() if r._table is table]
        named = [r for r in self.pages.values() if r._table is not table]
        # The numbered records' rows are searched only for the numbers nothing else wants:
        # after an edit, few or none.
        keys_named = set().union(*(r.names for r in named))
        suspects = None if self.dropped is None else self._dropped_keys(table)
        if not same_numbering(table.key_numbers, keys_named, (r._names for r in numbered), suspects):
            return None
        files_named = self.sources.keys() | set().union(
            *(r.deps for r in named),
            *(r.counted for r in named),
            *self.imports.values(),
            *self.kind_reads.values(),
            (path for path, _ in table.keys),
        )
        rows = chain.from_iterable((r._deps, r._counted) for r in numbered)
        return (table.files, table.keys) if same_numbering(table.file_numbers, files_named, rows) else None

    def _dropped_keys(self, table: _Table) -> set[int]:
        """The numbers of the name deps the dropped records held (a record asked for by name
        since it was read holds them as keys)."""
        assert self.dropped is not None
        out: set[int] = set()
        numbers = table.key_numbers
        for record in self.dropped:
            if record._table is table:
                out.update(row_numbers(record._names))
            else:
                out.update(numbers[key] for key in record.names if key in numbers)
        return out

    def save(self, output: Path) -> None:
        numbering = self._numbering()
        if numbering is not None:
            files, keys = numbering
        else:
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
        number, file_row = numbers.__getitem__, row_of(files)
        names = sorted(self.pages)
        records = list(map(self.pages.__getitem__, names))
        key_row = row_of(keys)
        table = self.table if numbering is not None else None

        # Untouched records' rows go out as read, gathered by C-level passes: a save after an
        # edit renumbers only the records it touched.
        deps, counted, page_keys = (
            list(map(attrgetter(a), records)) for a in ("_deps", "_counted", "_names")
        )
        kept = map(is_not, map(attrgetter("_table"), records), repeat(table))
        for i in range(len(records)) if table is None else compress(range(len(records)), kept):
            record = records[i]
            deps[i] = file_row(sorted(record.deps))  # (the numbering is in name order)
            counted[i] = file_row(sorted(record.counted))
            page_keys[i] = key_row(sorted(record.names))
        raw = {
            "generator": "repodoc",
            "version": __version__,
            "format": MANIFEST_FORMAT,
            "fingerprint": self.fingerprint,
            "links_base": self.links_base,
            "files": files,
            "hashes": [self.sources.get(f, "") for f in files],
            "imports": file_rows(files, file_row, self.imports),
            "letters": [self.letters.get(f, {}) for f in files],
            "uses": [self.uses.get(f, "") for f in files],
            "estimates": [list(self.estimates.get(f, ())) for f in files],
            "kinds": [self.kinds.get(f, "") for f in files],
            "kind_reads": file_rows(files, file_row, self.kind_reads),
            "pages": names,
            "page_hashes": [r.hash for r in records],
            "sizes": [r.size for r in records],
            "mtimes": [r.mtime_ns for r in records],
            "deps": deps,
            "counted": counted,
            "key_files": [number(path) for path, _ in keys],
            "key_names": [name for _, name in keys],
            "key_entries": [self.entries.get(key, "") for key in keys],
            "names": page_keys,
            "layouts": {
                page: [[letter, count, list(firsts)] for letter, (count, firsts) in rows]
                for page, rows in sorted(self.layouts.items())
                if page in self.pages
            },
        }
        atomic_write(output / MANIFEST_NAME, json.dumps(raw, separators=(",", ":")).encode("utf-8"))

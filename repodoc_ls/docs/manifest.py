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
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from repodoc_ls import __version__
from repodoc_ls.docs.render import Unit
from repodoc_ls.scan import MANIFEST_NAME

MANIFEST_FORMAT = 1


class ExportError(Exception):
    """An export that must not proceed (explained in one message)."""


def page_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def unit_of_page(page: str) -> Unit:
    """The rendering unit that produced `page` (inverse of the paths in pages.py)."""
    if page.endswith("_docs.md"):
        return Unit("docs", page[: -len("_docs.md")])
    if page.endswith("_kw.md"):
        return Unit("kw", page[: -len("_kw.md")])
    folder, name = posixpath.split(page)
    stem = name[: -len(".md")]
    if stem.startswith("sub-"):  # sub-t.md, sub-t-2.md: the letter t
        stem = stem[: len("sub-") + 1]
    return Unit(stem, folder)


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

    @classmethod
    def load(cls, output: Path) -> Manifest | None:
        try:
            raw = json.loads((output / MANIFEST_NAME).read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ExportError(f"cannot read the manifest {output / MANIFEST_NAME}: {exc}") from None
        if raw.get("generator") != "repodoc" or raw.get("format") != MANIFEST_FORMAT:
            # Another version's manifest: its pages are still ours, but nothing else is reused.
            return cls(pages={p: PageRecord(None) for p in raw.get("pages", {})})
        files = raw.get("files", [])
        return cls(
            fingerprint=raw.get("fingerprint", ""),
            sources=dict(zip(files, raw.get("hashes", []))),
            imports={files[i]: tuple(files[t] for t in targets)
                     for i, targets in enumerate(raw.get("imports", [])) if targets},
            letters={files[i]: found for i, found in enumerate(raw.get("letters", [])) if found},
            pages={page: PageRecord(r[0], r[1], r[2], tuple(files[i] for i in r[3]))
                   for page, r in raw.get("pages", {}).items()},
        )

    def save(self, output: Path) -> None:
        files = sorted(self.sources.keys() | {d for r in self.pages.values() for d in r.deps}
                       | {t for targets in self.imports.values() for t in targets})
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
            "pages": {page: [r.hash, r.size, r.mtime_ns, [number[d] for d in r.deps]]  # deps are sorted
                      for page, r in sorted(self.pages.items())},
        }
        atomic_write(output / MANIFEST_NAME, json.dumps(raw, separators=(",", ":")).encode("utf-8"))


TEMP_SUFFIX = ".repodoc-tmp"


def atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`. (A plain
    name with our pid, not mkstemp: creating thousands of files is what an export costs.)"""
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def on_disk_as_recorded(target: Path, record: PageRecord) -> bool:
    if record.hash is None:
        return False
    try:
        st = target.stat()
    except OSError:
        return False
    return st.st_size == record.size and st.st_mtime_ns == record.mtime_ns

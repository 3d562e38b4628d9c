"""`check`: compare the doc set on disk with what an export would write, and check its links.

Reports pages that are stale or missing, pages an export would remove (`extra`), files
repodoc did not write (`stray`: an export cannot fix those, the user removes them or
excludes them), broken links, and a manifest that cannot be read.

By default it does what a no-change export does and believes the manifest as an export
does: it renders only the units an export would render (`incremental.py`), compares every
other page's bytes with the hash the manifest records, and takes each page's links and
anchors from the export's records (`linkrecord.py`) when the page has the recorded bytes,
parsing with markdown-it only the others (hand edits). `deep=True` renders every page and
parses every page, believing nothing on disk; so does a check without a usable manifest.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from repodoc_ls.docs.incremental import (
    fingerprint,
    known_letters,
    source_hashes,
    units_of_pages,
    units_to_render,
)
from repodoc_ls.docs.linkcheck import BrokenLink, ParsedPage, check_links, markdown_files, read_page
from repodoc_ls.docs.linkrecord import load_records
from repodoc_ls.docs.manifest import ExportError, Manifest, ManifestError, PageRecord
from repodoc_ls.docs.outfolder import FORCE_HINT, OutputFolders, check_output_folder
from repodoc_ls.docs.pagefiles import page_hash
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.workers import iter_rendered, render_all
from repodoc_ls.ignore import ignore_spec
from repodoc_ls.index.indexer import Index
from repodoc_ls.safefs import FileTooLarge, NotRegularFile, is_inside, read_regular

Progress = Callable[[int, int, str], None]


@dataclass
class CheckResult:
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # pages on disk that no page of the index is
    stray: list[str] = field(default_factory=list)  # those of `extra` the manifest does not list
    broken: list[BrokenLink] = field(default_factory=list)
    manifest_error: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.stale or self.missing or self.extra or self.broken or self.manifest_error)


def check(
    index: Index,
    output_dir: Path | str | None = None,
    progress: Progress | None = None,
    *,
    deep: bool = False,
) -> CheckResult:
    renderer = Renderer(index, output_dir)
    output = renderer.output
    check_output_folder(renderer.root, output_dir if output_dir is not None else output)
    folders = OutputFolders(output)
    result = CheckResult()
    manifest = _manifest(output, result)
    fast = not deep and manifest is not None and manifest.fingerprint == fingerprint(renderer)
    expected: dict[str, bytes | str]  # page -> its bytes, or the hash the manifest records
    hashes = _PageHashes(output)
    if fast and manifest is not None:
        expected = dict(_expected_pages(renderer, manifest, hashes, progress))
    else:
        expected = dict(render_all(renderer, progress))
    for page, want in sorted(expected.items()):
        target = output / page
        if folders.refusal(posixpath.dirname(page)) is not None or os.path.islink(target):
            result.stale.append(page)  # export replaces the link, or refuses to write through it
            continue
        if isinstance(want, str) and hashes.known.get(page) == want:
            continue
        try:
            on_disk = read_regular(target, len(want) if isinstance(want, bytes) else _MAX_PAGE_BYTES)
        except FileNotFoundError:
            result.missing.append(page)
            continue
        except (NotRegularFile, FileTooLarge):
            on_disk = None
        except OSError as exc:
            raise ExportError(f"cannot read {target}: {exc.strerror or exc}") from None
        if on_disk is None or (on_disk != want if isinstance(want, bytes) else page_hash(on_disk) != want):
            result.stale.append(page)
    if output.is_dir():
        ours = set(manifest.pages) if manifest is not None else set()
        excluded = _excluded_matcher(renderer)
        for found in markdown_files(output):
            if found in expected or found not in ours and excluded(found):
                continue
            result.extra.append(found)
            if found not in ours:
                result.stray.append(found)
        broken = (
            _broken_links_from_records(output, renderer.root, hashes)
            if fast
            else check_links(output, pages=None, source_root=renderer.root)
        )
        result.broken = [b for b in broken if b.page in ours or b.page in expected or not excluded(b.page)]
    return result


#: A page larger than this is never one an export wrote (the check reads it as stale).
_MAX_PAGE_BYTES = 64 * 1024 * 1024


def _expected_pages(
    renderer: Renderer, manifest: Manifest, hashes: _PageHashes, progress: Progress | None
) -> Iterator[tuple[str, bytes | str]]:
    """The pages an export would leave: those of the units it would render, rendered, and
    the others with the hash the manifest records for them."""
    new_sources = source_hashes(renderer.index)
    old_units = units_of_pages(manifest)
    all_units = renderer.units(known_letters(renderer, manifest, new_sources, old_units))
    units = units_to_render(
        renderer, all_units, manifest, new_sources, True, renderer.output, hashes.as_recorded, old_units
    )
    rendered = set(units)
    existing = set(all_units)
    for page, record in manifest.pages.items():
        unit = old_units[page]
        if record.hash is not None and unit not in rendered and unit in existing:
            yield page, record.hash
    for page, result in iter_rendered(renderer, units, progress):
        yield page, result.text.encode("utf-8")


class _PageHashes:
    """The hash of each regular page on disk, read once (`known`: page -> hash)."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.known: dict[str, str] = {}

    def as_recorded(self, page: str, record: PageRecord) -> bool:
        """Whether `page` is a regular file with the bytes the manifest records."""
        if record.hash is None:
            return False
        if page not in self.known:
            target = self.output / page
            try:
                if os.path.islink(target):
                    return False
                self.known[page] = page_hash(read_regular(target, _MAX_PAGE_BYTES))
            except OSError:
                return False
        return self.known[page] == record.hash


def _broken_links_from_records(output: Path, source_root: Path, hashes: _PageHashes) -> list[BrokenLink]:
    """check_links over the pages on disk (as `read_page_bytes` reads them), with the links
    and anchors the export recorded for each page whose bytes are the ones it recorded
    them for; markdown-it parses the others."""
    records = load_records(output)
    texts: dict[str, str] = {}
    parsed: dict[str, ParsedPage] = {}
    for name in markdown_files(output):
        record = records.get(name)
        data = None
        # (`known`: read as a regular file moments ago, by the comparison with the manifest)
        digest = hashes.known.get(name)
        if digest is None:
            data = read_page(output, name)
            if data is None:
                continue
            digest = page_hash(data)
        if record is not None and record[1] is not None and record[0] == digest:
            parsed[name] = record[1]
            texts[name] = ""
            continue
        data = read_page(output, name) if data is None else data
        if data is not None:
            texts[name] = data.decode("utf-8", errors="replace")
    return check_links(output, pages=dict(sorted(texts.items())), source_root=source_root, parsed=parsed)


def _manifest(output: Path, result: CheckResult) -> Manifest | None:
    if not output.is_dir():
        return None
    try:
        return Manifest.load(output)
    except ManifestError as exc:
        result.manifest_error = f"{exc}; {FORCE_HINT}"
        return None


def _excluded_matcher(renderer: Renderer) -> Callable[[str], bool]:
    """Whether a file of the output folder (posix, relative to it) matches `exclude`: as a
    path of the workspace when the output folder lies in it, else as a path in the folder."""
    spec = ignore_spec(renderer.settings.exclude)
    if spec is None:
        return lambda page: False
    root = os.path.realpath(renderer.root)
    output = os.path.realpath(renderer.output)
    prefix = Path(os.path.relpath(output, root)).as_posix() + "/" if is_inside(output, root) else ""
    return lambda page: spec.match_file(prefix + page)

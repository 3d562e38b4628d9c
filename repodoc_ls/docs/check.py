"""`check`: compare the doc set on disk with what an export would write, and check its links.

Reports pages that are stale or missing, pages an export would remove (`extra`), files
repodoc did not write (`stray`: an export cannot fix those, the user removes them or
excludes them), broken links, and a manifest that cannot be read.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from repodoc_ls.docs.linkcheck import BrokenLink, check_links, markdown_files
from repodoc_ls.docs.manifest import ExportError, Manifest, ManifestError
from repodoc_ls.docs.outfolder import FORCE_HINT, OutputFolders, check_output_folder
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.workers import render_all
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
    index: Index, output_dir: Path | str | None = None, progress: Progress | None = None
) -> CheckResult:
    renderer = Renderer(index, output_dir)
    output = renderer.output
    check_output_folder(renderer.root, output_dir if output_dir is not None else output)
    folders = OutputFolders(output)
    expected = render_all(renderer, progress)
    result = CheckResult()
    for page, data in sorted(expected.items()):
        target = output / page
        if folders.refusal(posixpath.dirname(page)) is not None or os.path.islink(target):
            result.stale.append(page)  # export replaces the link, or refuses to write through it
            continue
        try:
            on_disk = read_regular(target, len(data))
        except FileNotFoundError:
            result.missing.append(page)
            continue
        except (NotRegularFile, FileTooLarge):
            on_disk = None
        except OSError as exc:
            raise ExportError(f"cannot read {target}: {exc.strerror or exc}") from None
        if on_disk != data:
            result.stale.append(page)
    if output.is_dir():
        ours = _pages_in_manifest(output, result)
        excluded = _excluded_matcher(renderer)
        for found in markdown_files(output):
            if found in expected or found not in ours and excluded(found):
                continue
            result.extra.append(found)
            if found not in ours:
                result.stray.append(found)
        result.broken = [
            b
            for b in check_links(output, pages=None, source_root=renderer.root)
            if b.page in ours or b.page in expected or not excluded(b.page)
        ]
    return result


def _pages_in_manifest(output: Path, result: CheckResult) -> set[str]:
    try:
        manifest = Manifest.load(output)
    except ManifestError as exc:
        result.manifest_error = f"{exc}; {FORCE_HINT}"
        return set()
    return set(manifest.pages) if manifest is not None else set()


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

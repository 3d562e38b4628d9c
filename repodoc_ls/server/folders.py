"""Workspace folders as the server sees them: settings, index, state, and URI checks.

Every request names a document by URI. `Folders.locate` turns it into (folder, relative
path) or refuses it: the real path (symlinks and `..` resolved) must lie inside a workspace
folder, so a link pointing out of the workspace can never make the server read or document
a file elsewhere. Nothing is read before that check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import from_fs_path, to_fs_path

from repodoc_ls.config import Settings, SettingsError, load_settings
from repodoc_ls.docs.sourceurl import source_url
from repodoc_ls.index.indexer import Index

#: Settings whose change means the file set or the store changed: a rebuild, not a swap.
INDEX_FIELDS = ("include", "exclude", "respect_gitignore", "cache_dir", "output_dir")

#: Key of `Settings.extra` holding why the folder's pyproject.toml settings were refused.
SETTINGS_ERROR = "settings_error"

#: The kinds of link a client may open from a hover: `file:` URIs, `command:` URIs (VS
#: Code's, running a command of the server), `http(s):` URLs. A client names those it opens
#: in initializationOptions.linkKinds; one that says nothing opens them all.
LINK_KINDS = frozenset({"file", "command", "http"})

#: Initialization options that describe the client, not the settings of a folder.
_CLIENT_OPTIONS = {"link_kinds"}

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


class OutsideWorkspace(JsonRpcInvalidParams):
    """A URI that no workspace folder contains (InvalidParams, code -32602)."""


def snake(key: str) -> str:
    return _CAMEL.sub(r"_\1", key).replace("-", "_").lower()


def normalize_options(raw: Any) -> dict[str, Any]:
    """Settings from initializationOptions or a configuration section, snake_cased.

    Accepts `{"outputDir": ...}`, `{"output_dir": ...}` or either nested under "repodoc".
    What describes the client (`linkKinds`, see `link_kinds`) is not a setting: left out."""
    if not isinstance(raw, dict):
        return {}
    if isinstance(raw.get("repodoc"), dict):
        raw = raw["repodoc"]
    options = {snake(k): v for k, v in raw.items()}
    return {k: v for k, v in options.items() if k not in _CLIENT_OPTIONS}


def link_kinds(raw: Any, warn: Callable[[str], None]) -> frozenset[str]:
    """The kinds of link the client opens, from its initializationOptions (`linkKinds`,
    at the top or under "repodoc"); all of them when it does not say. A value that is not
    a kind is reported through `warn` and left out."""
    if not isinstance(raw, dict):
        return LINK_KINDS
    nested = raw.get("repodoc")
    sources = [raw, nested] if isinstance(nested, dict) else [raw]
    given = next((d[k] for d in sources for k in ("linkKinds", "link_kinds") if k in d), None)
    if given is None:
        return LINK_KINDS
    expected = ", ".join(sorted(LINK_KINDS))
    if not isinstance(given, list):
        warn(f"ignoring linkKinds: expected a list of {expected}, not {type(given).__name__}")
        return LINK_KINDS
    kinds = set()
    for value in given:
        if isinstance(value, str) and value in LINK_KINDS:
            kinds.add(value)
        else:
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
            warn(f"ignoring linkKinds value {shown}: expected one of {expected}")
    return frozenset(kinds)


def settings_for(root: Path, overrides: dict[str, Any], warn: Callable[[str], None]) -> Settings:
    """The folder's Settings; a bad key or type is reported through `warn` and skipped,
    so one wrong option does not cost the user every other one."""
    try:
        base = load_settings(root)
    except SettingsError as exc:
        warn(str(exc))
        # Indexed with the defaults; an export is refused with this reason (commands.py).
        base = Settings(root=Path(root).resolve(), extra={SETTINGS_ERROR: str(exc)})
    for key, value in overrides.items():
        try:
            base = base.with_overrides({key: value})
        except (SettingsError, TypeError) as exc:
            warn(f"ignoring setting {key!r}: {exc}")
    try:
        source_url(base)
    except SettingsError as exc:  # a `{rev}` nothing names: pages link sources locally, export refused
        warn(str(exc))
        base = replace(base, source_url=None, extra={**base.extra, SETTINGS_ERROR: str(exc)})
    return base


@dataclass(eq=False)
class Folder:
    uri: str
    name: str
    root: Path  # real path
    settings: Settings
    index: Index | None = None
    state: str = "indexing"  # "indexing" until the first build ends, and during a reindex
    done: int = 0  # progress of the running build
    total: int = 0
    building: Any = None  # the asyncio task of the running build, if any
    generation: int = 0  # bumped per build, so a superseded build does not win
    extra: dict = field(default_factory=dict)
    # During the first build: an index of the open documents alone (sync.py), so that a
    # document's own symbols, hover and definitions are answered before the workspace's.
    provisional: Index | None = None
    partial: bool = False  # True for the view below: cross-references are not known yet
    symbol_total: int = 0  # the last count `symbols()` made

    def view(self) -> Folder | None:
        """What per-document answers read: the folder once indexed; during its first build,
        a copy whose index is the open documents' (`partial`); else None."""
        if self.index is not None:
            return self
        if self.provisional is not None:
            return replace(self, index=self.provisional, partial=True)
        return None

    def uri_of(self, relpath: str) -> str:
        return from_fs_path(str(self.root / relpath)) if relpath else from_fs_path(str(self.root))

    def files(self) -> int:
        return len(self.index.facts) if self.index is not None else self.done

    def symbols(self) -> int:
        """The index's symbol count. Called on the event loop (status, progress): it never
        waits for the index lock, which a long query holds for seconds (the reference
        index's build after a start), and gives the last count meanwhile."""
        index = self.index
        if index is None:
            return 0
        if index.lock.acquire(blocking=False):
            try:
                self.symbol_total = index.symbol_count()
            finally:
                index.lock.release()
        return self.symbol_total


class Folders:
    def __init__(self) -> None:
        self.by_uri: dict[str, Folder] = {}

    def __iter__(self) -> Iterator[Folder]:
        return iter(list(self.by_uri.values()))

    def __len__(self) -> int:
        return len(self.by_uri)

    def add(self, uri: str, name: str, settings: Settings) -> Folder:
        folder = Folder(uri=uri, name=name, root=Path(os.path.realpath(settings.root)), settings=settings)
        self.by_uri[uri] = folder
        return folder

    def remove(self, uri: str) -> Folder | None:
        return self.by_uri.pop(uri, None)

    def locate(self, uri: object) -> tuple[Folder, str]:
        """(folder, posix path relative to its root; "" for the root itself)."""
        if not isinstance(uri, str) or not uri:
            raise JsonRpcInvalidParams("missing 'uri' parameter")
        fs_path = to_fs_path(uri)
        if fs_path is None:
            raise OutsideWorkspace(f"{uri} is not a file URI inside a workspace folder")
        real = os.path.realpath(fs_path)
        best: Folder | None = None
        for folder in self.by_uri.values():
            root = str(folder.root)
            if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
                if best is None or len(root) > len(str(best.root)):
                    best = folder
        if best is None:
            raise OutsideWorkspace(
                f"{uri} is outside every workspace folder (real path {real}); "
                "repodoc only documents files inside the workspace"
            )
        rel = os.path.relpath(real, best.root)
        return best, "" if rel == "." else Path(rel).as_posix()

    def for_path(self, root: Path) -> Folder | None:
        for folder in self.by_uri.values():
            if folder.root == root:
                return folder
        return None

    def indexed(self) -> list[Folder]:
        """Folders with an index to answer from (possibly an older one during a reindex)."""
        return [f for f in self.by_uri.values() if f.index is not None]


_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as LSP and `ast` count them: only \\n, \\r\\n and \\r end a line
    (str.splitlines also splits on form feeds and other separators)."""
    return _LINE_END.split(text)


def decode(data: bytes, encoding: str | None = None) -> str:
    for candidate in (encoding or "utf-8", "utf-8", "latin-1"):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")

"""Find the files of a workspace: the set every other part of repodoc documents.

`scan(settings)` walks the root once with `os.scandir` and returns every file that belongs to
the workspace, sorted by path. `is_excluded(settings, path)` answers the same question for
one path (the server asks it for each changed file).

Rules, in the order they are applied to each folder entry:

- always skipped: VCS folders, caches, `*.egg-info`, any virtualenv (a folder holding
  `pyvenv.cfg`), the configured output and cache folders, and any generated doc set (a
  folder holding `MANIFEST_NAME`);
- skipped by name unless an `include` pattern names them (ruff's default excludes):
  `DEFAULT_EXCLUDE_DIRS`, virtualenvs, build output and installed packages by their usual
  names (`.venv`, `venv`, `build`, `dist`, `site-packages`, `node_modules`...);
- `.gitignore` files at every level of the root (each relative to its own folder, deeper
  ones winning) and the repository's `.git/info/exclude`, when `settings.respect_gitignore`;
- `settings.exclude` (gitignore-style, relative to the root), then `settings.include`
  (when non-empty, only matching files are kept);
- symlinks: one whose target lies outside the root is never followed, a broken one is
  skipped, a linked folder inside the root is walked only when its real folder has not been
  walked already (so loops end and nothing is listed twice).

The matching of gitignore-style patterns, compiled for speed, is in `ignore.py`.
"""

from __future__ import annotations

import os
import stat as stat_mod
from dataclasses import dataclass, field
from operator import attrgetter

from .config import Settings
from .ignore import IgnoreRules, ignore_spec, read_ignore_file

#: The marker file the exporter writes into a doc set's output folder.
MANIFEST_NAME = ".repodoc-manifest.json"

#: Folder names never walked, whatever the settings say: version control and tool caches.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".pytype",
        ".ipynb_checkpoints",
    }
)
#: Folder names not walked unless an `include` pattern names one of them (ruff's default
#: excludes): virtualenvs, tool environments, build output, installed packages. A folder of
#: sources rarely has these names, and walking them costs more than the workspace itself.
DEFAULT_EXCLUDE_DIRS = frozenset(
    {
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".direnv",
        ".eggs",
        "build",
        "_build",
        "buck-out",
        "dist",
        "site-packages",
        "node_modules",
        "__pypackages__",
    }
)
_SKIP_DIR_SUFFIX = ".egg-info"
_VENV_MARKER = "pyvenv.cfg"


@dataclass(frozen=True, slots=True)
class ScannedFile:
    path: str  # posix, relative to the root
    size: int
    mtime_ns: int


@dataclass
class ScanResult:
    files: list[ScannedFile] = field(default_factory=list)  # sorted by path
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- context


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root if root.endswith(os.sep) else root + os.sep)


def _rel(path: str, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


class _Context:
    """Everything a walk (or a single-path check) needs, computed once."""

    def __init__(self, settings: Settings, warnings: list[str] | None) -> None:
        self.root = os.path.realpath(settings.root)
        self.respect_gitignore = settings.respect_gitignore
        self.warnings = warnings
        # Output and cache folders: by real path and by root-relative path.
        self.skip_real: set[str] = set()
        self.skip_rel: set[str] = set()
        for p in (settings.output_path, settings.cache_path):
            for candidate in {os.path.abspath(p), os.path.realpath(p)}:
                if _inside(candidate, self.root) and candidate != self.root:
                    self.skip_real.add(candidate)
                    self.skip_rel.add(_rel(candidate, self.root))
        self.exclude = IgnoreRules().extend(list(settings.exclude), 0) if settings.exclude else None
        self.include = ignore_spec(settings.include)
        self.walked_by_include = _names_in_patterns(settings.include) & DEFAULT_EXCLUDE_DIRS
        self.base_rules = self._base_rules() if self.respect_gitignore else IgnoreRules()

    def _base_rules(self) -> IgnoreRules:
        """The repository's `.git/info/exclude`, when the root is a repository's top level.

        `.gitignore` files are read by the walk, from the root down. Ignore files above the
        root are not consulted: a workspace opened inside a folder its enclosing repository
        ignores (a virtualenv's library, a vendored tree) is still documented.
        """
        path = os.path.join(self.root, ".git", "info", "exclude")
        lines = read_ignore_file(path, None, "") if self.readable_inside(path, None) else None
        return IgnoreRules().extend(lines, 0) if lines else IgnoreRules()

    def readable_inside(self, path: str, shown: str | None) -> bool:
        """Whether `path`, links resolved, lies inside the root: an ignore file linked from
        elsewhere is not read (as git does not follow a linked .gitignore out of the tree)."""
        if _inside(os.path.realpath(path), self.root):
            return True
        if shown is not None:
            self.warn(f"skipped {shown}: it is a link to a file outside the workspace")
        return False

    def dir_rules(self, rules: IgnoreRules, dir_abs: str, dir_rel: str) -> IgnoreRules:
        """`rules` plus the folder's own `.gitignore`, if it has one."""
        shown = (dir_rel + "/" if dir_rel else "") + ".gitignore"
        path = os.path.join(dir_abs, ".gitignore")
        if not self.readable_inside(path, shown):
            return rules
        lines = read_ignore_file(path, self.warnings, shown)
        if not lines:
            return rules
        return rules.extend(lines, len(dir_rel) + 1 if dir_rel else 0)

    def skip_dir_name(self, name: str) -> bool:
        if name in DEFAULT_EXCLUDE_DIRS:
            return name not in self.walked_by_include
        return name in SKIP_DIRS or name.endswith(_SKIP_DIR_SUFFIX)

    def filtered(self, rules: IgnoreRules, rel: str, name: str, is_dir: bool) -> bool:
        """Whether ignore rules or settings.exclude drop the entry."""
        if not rules.empty and rules.ignores(rel, name, is_dir):
            return True
        if self.exclude is not None and self.exclude.ignores(rel, name, is_dir):
            return True
        return False

    def included(self, rel: str) -> bool:
        return self.include is None or self.include.match_file(rel)

    def warn(self, message: str) -> None:
        if self.warnings is not None:
            self.warnings.append(message)


def _names_in_patterns(patterns: tuple[str, ...]) -> set[str]:
    """The literal folder names the (non-negated) patterns spell out: `dist/`, `/build/**`
    and `vendor/site-packages/*.py` name `dist`, `build` and `site-packages`; `*` names none."""
    return {part for pattern in patterns if not pattern.startswith("!") for part in pattern.split("/")}


def _readable(st: os.stat_result, path: str) -> bool:
    if st.st_mode & 0o444 == 0o444:
        return True
    return os.access(path, os.R_OK)


def _bad_name(name: str) -> bool:
    if name.isascii():
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# --------------------------------------------------------------------------- scan


def scan(settings: Settings) -> ScanResult:
    """Every file of the workspace, sorted by path, and warnings about what could not be read."""
    result = ScanResult()
    try:
        ctx = _Context(settings, result.warnings)
    except Exception as exc:  # e.g. an invalid include pattern
        result.warnings.append(f"cannot scan {settings.root}: {exc}")
        return result
    root = ctx.root
    if not os.path.isdir(root):
        result.warnings.append(f"workspace root {settings.root} is not a folder")
        return result

    files = result.files
    by_name = attrgetter("name")
    include = ctx.include
    visited: set[str] = {root}
    linked: list[tuple[str, str, str, IgnoreRules]] = []  # (rel, link path, real target, rules)

    def walk(dir_abs: str, dir_real: str, dir_rel: str, rules: IgnoreRules) -> None:
        stack = [(dir_abs, dir_real, dir_rel, rules)]
        while stack:
            dir_abs, dir_real, dir_rel, rules = stack.pop()
            try:
                with os.scandir(dir_abs) as it:
                    entries = sorted(it, key=by_name)  # warnings in a stable order
            except OSError as exc:
                ctx.warn(f"cannot read folder {dir_rel or '.'}: {exc.strerror or exc}")
                continue
            names = {e.name for e in entries}
            if dir_rel:
                if MANIFEST_NAME in names or _VENV_MARKER in names:
                    continue
            if ctx.respect_gitignore and ".gitignore" in names:
                rules = ctx.dir_rules(rules, dir_abs, dir_rel)
            prefix = dir_rel + "/" if dir_rel else ""
            # The common case tested once a folder, not once a file: nothing to match names against.
            unfiltered = rules.empty and ctx.exclude is None
            subdirs = []
            for entry in entries:
                name = entry.name
                if name == ".git":
                    continue
                if not name.isascii() and _bad_name(name):
                    ctx.warn(f"skipped {prefix}{name!r}: the name is not valid UTF-8")
                    continue
                rel = prefix + name
                try:
                    is_link = entry.is_symlink()
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError as exc:
                    ctx.warn(f"cannot read {rel}: {exc.strerror or exc}")
                    continue
                if is_link:
                    target = os.path.realpath(entry.path)
                    if not _inside(target, root):
                        continue
                    try:
                        st = os.stat(target)
                    except OSError:
                        continue  # broken link
                    if stat_mod.S_ISDIR(st.st_mode):
                        if (
                            ctx.skip_dir_name(name)
                            or target in ctx.skip_real
                            or rel in ctx.skip_rel
                            or ctx.filtered(rules, rel, name, True)
                        ):
                            continue
                        linked.append((rel, entry.path, target, rules))
                        continue
                    if not stat_mod.S_ISREG(st.st_mode):
                        continue
                    if ctx.filtered(rules, rel, name, False) or not ctx.included(rel):
                        continue
                    if not _readable(st, target):
                        ctx.warn(f"cannot read file {rel}: permission denied")
                        continue
                    files.append(ScannedFile(rel, st.st_size, st.st_mtime_ns))
                elif is_dir:
                    if ctx.skip_dir_name(name) or rel in ctx.skip_rel:
                        continue
                    if ctx.filtered(rules, rel, name, True):
                        continue
                    real = os.path.join(dir_real, name)
                    if real in visited:
                        continue
                    visited.add(real)
                    subdirs.append((entry.path, real, rel, rules))
                else:
                    if rel in ctx.skip_rel:
                        continue
                    if not unfiltered and ctx.filtered(rules, rel, name, False):
                        continue
                    if include is not None and not include.match_file(rel):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError as exc:
                        ctx.warn(f"cannot read file {rel}: {exc.strerror or exc}")
                        continue
                    if not stat_mod.S_ISREG(st.st_mode):
                        continue  # fifo, socket, device
                    if st.st_mode & 0o444 != 0o444 and not _readable(st, entry.path):
                        ctx.warn(f"cannot read file {rel}: permission denied")
                        continue
                    files.append(ScannedFile(rel, st.st_size, st.st_mtime_ns))
            subdirs.sort(key=lambda s: s[2], reverse=True)
            stack.extend(subdirs)

    rules = ctx.base_rules
    walk(root, root, "", rules)
    # Linked folders last, so a folder reachable both directly and through a link is listed
    # under its real path; each real folder is walked once, which also ends link loops.
    while linked:
        linked.sort(key=lambda item: item[0], reverse=True)
        rel, link_path, target, rules = linked.pop()
        if target in visited or any(_inside(target, s) for s in ctx.skip_real):
            continue
        visited.add(target)
        walk(link_path, target, rel, rules)

    files.sort(key=lambda f: f.path)
    return result


# --------------------------------------------------------------------------- one path


def is_excluded(settings: Settings, relpath: str | os.PathLike[str]) -> bool:
    """Whether `relpath` (root-relative or absolute) is outside what `scan` would list.

    The same rules as `scan`, for one path that may no longer exist (a deleted file is
    judged by its name). A folder path is judged as a folder when it exists as one.
    """
    try:
        return _is_excluded(settings, relpath)
    except Exception:
        return True


def _is_excluded(settings: Settings, relpath: str | os.PathLike[str]) -> bool:
    ctx = _Context(settings, None)
    root = ctx.root
    raw = os.fspath(relpath)
    if os.path.isabs(raw):
        absolute = os.path.abspath(raw)
        given_root = os.path.abspath(settings.root)
        if _inside(absolute, root):
            rel = _rel(absolute, root)
        elif _inside(absolute, given_root):
            rel = _rel(absolute, given_root)
        else:
            return True
    else:
        rel = raw.replace(os.sep, "/")
    parts = [p for p in rel.split("/") if p and p != "."]
    if not parts or ".." in parts:
        return True
    if any(_bad_name(p) for p in parts):
        return True

    rules = ctx.base_rules
    dir_abs = root
    dir_rel = ""
    for i, name in enumerate(parts):
        last = i == len(parts) - 1
        rel_i = dir_rel + "/" + name if dir_rel else name
        # The folder holding this entry: its markers and its .gitignore.
        if dir_rel:
            if os.path.exists(os.path.join(dir_abs, MANIFEST_NAME)) or os.path.exists(
                os.path.join(dir_abs, _VENV_MARKER)
            ):
                return True
        if ctx.respect_gitignore:
            rules = ctx.dir_rules(rules, dir_abs, dir_rel)
        path_i = os.path.join(dir_abs, name)
        if name == ".git":
            return True
        is_link = os.path.islink(path_i)
        if is_link:
            target = os.path.realpath(path_i)
            if not _inside(target, root) or not os.path.exists(target):
                return True
        exists = os.path.lexists(path_i)
        is_dir = os.path.isdir(path_i) if exists else not last
        if not last and exists and not is_dir:
            return True  # a file used as a folder
        if (is_dir or not last) and (ctx.skip_dir_name(name) or rel_i in ctx.skip_rel):
            return True
        if last and rel_i in ctx.skip_rel:
            return True
        if ctx.filtered(rules, rel_i, name, is_dir):
            return True
        if is_link and is_dir:
            target = os.path.realpath(path_i)
            if any(_inside(target, s) for s in ctx.skip_real):
                return True
            # The scan lists a linked folder's files under the real folder when that is
            # itself part of the workspace; then the linked path is a duplicate.
            target_rel = _rel(target, root)
            if target == root or not _is_excluded(settings, target_rel):
                return True
            dir_abs = target
        else:
            dir_abs = path_i
        dir_rel = rel_i
    if os.path.isdir(os.path.join(root, *parts)):
        return False
    return not ctx.included(dir_rel)


__all__ = [
    "DEFAULT_EXCLUDE_DIRS",
    "MANIFEST_NAME",
    "ScannedFile",
    "ScanResult",
    "scan",
    "is_excluded",
    "SKIP_DIRS",
]

"""Find the files of a workspace: the set every other part of repodoc documents.

`scan(settings)` walks the root once with `os.scandir` and returns every file that belongs to
the workspace, sorted by path. `is_excluded(settings, path)` answers the same question for
one path (the server asks it for each changed file).

Rules, in the order they are applied to each folder entry:

- always skipped: VCS folders, caches, `node_modules`, `*.egg-info`, any virtualenv (a folder
  holding `pyvenv.cfg`), the configured output and cache folders, and any generated doc set
  (a folder holding `MANIFEST_NAME`);
- `.gitignore` files at every level of the root (each relative to its own folder, deeper
  ones winning) and the repository's `.git/info/exclude`, when `settings.respect_gitignore`;
- `settings.exclude` (gitignore-style, relative to the root), then `settings.include`
  (when non-empty, only matching files are kept);
- symlinks: one whose target lies outside the root is never followed, a broken one is
  skipped, a linked folder inside the root is walked only when its real folder has not been
  walked already (so loops end and nothing is listed twice).

Matching speed: the patterns of each ignore file are compiled (by `pathspec`) once; patterns
that only look at an entry's name (most of them: `*.pyc`, `build/`) are merged into one
regular expression per folder, the others into one per ignore file, so a file costs one or
two regex matches whatever the number of patterns, and none when no ignore file applies.
"""

from __future__ import annotations

import os
import re
import stat as stat_mod
from dataclasses import dataclass, field

from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from .config import Settings

#: The marker file the exporter writes into a doc set's output folder.
MANIFEST_NAME = ".repodoc-manifest.json"

#: Folder names never walked, whatever the settings say.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache",
})
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


# --------------------------------------------------------------------------- pattern rules

_NAMED_GROUP = re.compile(r"\(\?P<[^>]+>")
_BASENAME_PREFIX = "^(?:.+/)?"


class _Alternation:
    """Patterns (regex sources anchored at the start) matched together, last one winning.

    Python's regex engine tries the alternatives of `a|b|c` one by one, so a large
    alternation costs about a microsecond per alternative even when each fails on its first
    character. The alternatives are therefore bucketed by the literal character they start
    with (patterns starting with a wildcard go into every bucket): a path is matched only
    against the patterns that could match it. In each bucket the alternatives are in reverse
    order, so the first one that matches is the last matching pattern of the file.

    A pattern must match the entry's whole path (a folder's with a trailing "/"), as git
    does: a pattern matching one of its folders does not decide for the entry, since the
    walk has already pruned ignored folders.
    """

    __slots__ = ("buckets", "default")

    def __init__(self, alts: list[tuple[int, bool, str]]) -> None:
        by_char: dict[str, list[tuple[int, bool, str]]] = {}
        wild: list[tuple[int, bool, str]] = []
        firsts = [_first_literal(source) for _, _, source in alts]
        for alt, first in zip(alts, firsts):
            if first is None:
                wild.append(alt)
            else:
                by_char.setdefault(first, [])
        for c in by_char:
            by_char[c] = [alt for alt, first in zip(alts, firsts) if first in (c, None)]
        self.buckets = {c: _compile_alternatives(group) for c, group in by_char.items()}
        self.default = _compile_alternatives(wild) if wild else None

    def match(self, text: str) -> tuple[int, bool] | None:
        """(order, ignores?) of the last pattern matching `text`, or None."""
        compiled = self.buckets.get(text[:1], self.default)
        if compiled is None:
            return None
        regex, groups = compiled
        m = regex.fullmatch(text)  # the entry itself: its folders were judged on the way
        return None if m is None else groups[m.lastindex]


_META = set(".^$*+?{}[]\\|()")


def _first_literal(source: str) -> str | None:
    """The character every match of `source` starts with, when it is a plain literal."""
    body = source[1:] if source.startswith("^") else source
    if not body:
        return None
    if body[0] == "\\":
        if len(body) < 2 or body[1].isalnum():
            return None  # a class like \d, or a dangling escape
        first, rest = body[1], body[2:]
    elif body[0] in _META:
        return None
    else:
        first, rest = body[0], body[1:]
    if rest[:1] in ("*", "?", "{", "+") or _top_level_bar(body):
        return None  # a quantifier or an alternation: not a fixed first character
    return first


def _top_level_bar(source: str) -> bool:
    depth = 0
    i = 0
    in_class = False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if source[i + 1:i + 2] == "]":
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def _compile_alternatives(alts: list[tuple[int, bool, str]]
                          ) -> tuple[re.Pattern, dict[int, tuple[int, bool]]]:
    parts: list[str] = []
    groups: dict[int, tuple[int, bool]] = {}
    index = 1
    for order, include, source in reversed(alts):
        groups[index] = (order, include)
        parts.append(f"({source})")
        index += 1 + re.compile(source).groups
    return re.compile("|".join(parts)), groups


@dataclass(slots=True)
class _Layer:
    """The path-dependent patterns of one ignore file."""

    strip: int  # characters to cut from a root-relative path (the base folder + "/")
    matcher: _Alternation


@dataclass(slots=True)
class _Rules:
    """A stack of ignore files; immutable once built (children extend a copy)."""

    layers: tuple[_Layer, ...] = ()
    names: tuple[tuple[int, bool, str], ...] = ()  # name-only patterns: (order, ignores?, regex)
    name_matcher: _Alternation | None = None
    count: int = 0  # patterns so far: the next pattern's global order
    key: tuple = ()  # what the rules were built from, for the cache of `extend`

    @property
    def empty(self) -> bool:
        return not self.layers and not self.names

    def extend(self, lines: list[str], strip: int) -> _Rules:
        """These rules plus one ignore file; `strip`: length of its folder's path + "/"."""
        key = (self.key, tuple(lines), strip)
        cached = _EXTEND_CACHE.get(key)
        if cached is not None:
            return cached
        rules = self._extend(lines, strip)
        rules.key = key
        if len(_EXTEND_CACHE) >= 512:
            _EXTEND_CACHE.clear()
        _EXTEND_CACHE[key] = rules
        return rules

    def _extend(self, lines: list[str], strip: int) -> _Rules:
        order = self.count
        names = list(self.names)
        path_alts: list[tuple[int, bool, str]] = []
        for line in lines:
            try:
                pattern = GitIgnoreSpecPattern(line)
            except Exception:  # an invalid pattern is ignored, as git does
                continue
            if pattern.include is None or pattern.regex is None:
                continue
            source = _NAMED_GROUP.sub("(?:", pattern.regex.pattern)
            if source.startswith(_BASENAME_PREFIX) and _name_only(source[len(_BASENAME_PREFIX):]):
                # Matches at any depth below its folder: look at the entry's name only.
                names.append((order, pattern.include, "^" + source[len(_BASENAME_PREFIX):]))
            else:
                path_alts.append((order, pattern.include, source))
            order += 1
        layers = self.layers
        if path_alts:
            layers = layers + (_Layer(strip, _Alternation(path_alts)),)
        matcher = self.name_matcher
        if len(names) != len(self.names):
            matcher = _Alternation(names)
        return _Rules(layers, tuple(names), matcher, order)

    def ignores(self, rel: str, name: str, is_dir: bool) -> bool:
        """Whether the entry `rel` (root-relative, posix; `name` its last part) is ignored."""
        best = -1
        verdict = False
        if self.name_matcher is not None:
            found = self.name_matcher.match(name + "/" if is_dir else name)
            if found is not None:
                best, verdict = found
        if self.layers:
            if is_dir:
                rel += "/"
            for layer in self.layers:
                found = layer.matcher.match(rel[layer.strip:])
                if found is not None and found[0] > best:
                    best, verdict = found
        return verdict


_EXTEND_CACHE: dict[tuple, _Rules] = {}


def _name_only(source: str) -> bool:
    """Whether a pattern body (after "any folders/") looks at one path component only."""
    # Its tail says "this entry, as a file or folder": `(?:(?:/)|$)` or `(?:/)`.
    for tail in ("(?:(?:/)|$)", "(?:/)"):
        if source.endswith(tail):
            return "/" not in source[: -len(tail)].replace("[^/]", "")
    return False  # an unknown shape: match it against the whole path


def _read_ignore_file(path: str, warnings: list[str] | None, shown: str) -> list[str] | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if warnings is not None:
            warnings.append(f"cannot read {shown}: {exc.strerror or exc}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return [line for line in data.decode("utf-8", "replace").splitlines()
            if line and not line.startswith("#")]


def _spec(patterns: tuple[str, ...]) -> GitIgnoreSpec | None:
    return GitIgnoreSpec.from_lines(list(patterns)) if patterns else None


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
        self.exclude = _Rules().extend(list(settings.exclude), 0) if settings.exclude else None
        self.include = _spec(settings.include)
        self.base_rules = self._base_rules() if self.respect_gitignore else _Rules()

    def _base_rules(self) -> _Rules:
        """The repository's `.git/info/exclude`, when the root is a repository's top level.

        `.gitignore` files are read by the walk, from the root down. Ignore files above the
        root are not consulted: a workspace opened inside a folder its enclosing repository
        ignores (a virtualenv's library, a vendored tree) is still documented.
        """
        lines = _read_ignore_file(os.path.join(self.root, ".git", "info", "exclude"), None, "")
        return _Rules().extend(lines, 0) if lines else _Rules()

    def dir_rules(self, rules: _Rules, dir_abs: str, dir_rel: str) -> _Rules:
        """`rules` plus the folder's own `.gitignore`, if it has one."""
        shown = (dir_rel + "/" if dir_rel else "") + ".gitignore"
        lines = _read_ignore_file(os.path.join(dir_abs, ".gitignore"), self.warnings, shown)
        if not lines:
            return rules
        return rules.extend(lines, len(dir_rel) + 1 if dir_rel else 0)

    def skip_dir_name(self, name: str) -> bool:
        return name in SKIP_DIRS or name.endswith(_SKIP_DIR_SUFFIX)

    def filtered(self, rules: _Rules, rel: str, name: str, is_dir: bool) -> bool:
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
    visited: set[str] = {root}
    linked: list[tuple[str, str, str, _Rules]] = []  # (rel, link path, real target, rules)

    def walk(dir_abs: str, dir_real: str, dir_rel: str, rules: _Rules) -> None:
        stack = [(dir_abs, dir_real, dir_rel, rules)]
        while stack:
            dir_abs, dir_real, dir_rel, rules = stack.pop()
            try:
                with os.scandir(dir_abs) as it:
                    entries = sorted(it, key=lambda e: e.name)  # warnings in a stable order
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
            subdirs = []
            for entry in entries:
                name = entry.name
                if name == ".git":
                    continue
                if _bad_name(name):
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
                        if ctx.skip_dir_name(name) or target in ctx.skip_real or \
                                rel in ctx.skip_rel or ctx.filtered(rules, rel, name, True):
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
                    if ctx.filtered(rules, rel, name, False) or not ctx.included(rel):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError as exc:
                        ctx.warn(f"cannot read file {rel}: {exc.strerror or exc}")
                        continue
                    if not stat_mod.S_ISREG(st.st_mode):
                        continue  # fifo, socket, device
                    if not _readable(st, entry.path):
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


def is_excluded(settings: Settings, relpath: str | os.PathLike) -> bool:
    """Whether `relpath` (root-relative or absolute) is outside what `scan` would list.

    The same rules as `scan`, for one path that may no longer exist (a deleted file is
    judged by its name). A folder path is judged as a folder when it exists as one.
    """
    try:
        return _is_excluded(settings, relpath)
    except Exception:
        return True


def _is_excluded(settings: Settings, relpath: str | os.PathLike) -> bool:
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
            if os.path.exists(os.path.join(dir_abs, MANIFEST_NAME)) or \
                    os.path.exists(os.path.join(dir_abs, _VENV_MARKER)):
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


__all__ = ["MANIFEST_NAME", "ScannedFile", "ScanResult", "scan", "is_excluded", "SKIP_DIRS"]
